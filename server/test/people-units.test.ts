/** The pure parts of people and status: merging one person's entries, who passed whom, and a p99 from histogram buckets. */
import { describe, expect, it } from "vitest";
import type { LeaderboardEntry, PersonOnline } from "@arena/shared";
import { mergePeople } from "../src/people/PeopleDirectory.ts";
import { passes } from "../src/people/passes.ts";
import { p99Between } from "../src/status/processFigures.ts";

const p = (userId: string, status: PersonOnline["status"], extra: Partial<PersonOnline> = {}): PersonOnline => ({ userId, name: userId, status, ...extra });
const e = (rank: number, userId: string): LeaderboardEntry => ({ rank, userId, name: userId, score: 100 - rank });

describe("people: merging", () => {
  it("counts a person with connections on two processes once, with the most engaged status", () => {
    const merged = mergePeople([[p("ann", "match", { roomId: "r1", joinable: true }), p("bob", "lobby")], [p("ann", "lobby"), p("bob", "spectating")], [p("bob", "editing")]]);
    expect(merged).toEqual([p("ann", "match", { roomId: "r1", joinable: true }), p("bob", "spectating")]);
  });

  it("prefers the joinable room among two matches of one person", () => {
    expect(mergePeople([[p("ann", "match", { roomId: "a", joinable: false })], [p("ann", "match", { roomId: "b", joinable: true })]])[0]?.roomId).toBe("b");
  });
});

describe("people: leaderboard passes", () => {
  it("tells the one who dropped who moved above them, and nobody else", () => {
    const found = passes([e(1, "ann"), e(2, "bob"), e(3, "cat")], [e(1, "cat"), e(2, "ann"), e(3, "bob")], "allTime");
    expect(found).toEqual([
      { userId: "ann", note: { kind: "passed", by: { userId: "cat", name: "cat" }, board: "allTime", rank: 2 } },
      { userId: "bob", note: { kind: "passed", by: { userId: "cat", name: "cat" }, board: "allTime", rank: 3 } },
    ]);
  });

  it("tells nobody when ranks do not change or someone new enters below", () => {
    expect(passes([e(1, "ann")], [e(1, "ann"), e(2, "new")], "daily")).toEqual([]);
  });
});

describe("status: step p99 from buckets", () => {
  it("is the first bound holding 99 % of the steps taken between two readings", () => {
    const before = new Map([[0.001, 10], [0.002, 10], [0.005, 10], [Infinity, 10]]);
    const after = new Map([[0.001, 10 + 95], [0.002, 10 + 99], [0.005, 10 + 100], [Infinity, 10 + 100]]);
    expect(p99Between(before, after)).toBe(2);
    expect(p99Between(after, after)).toBe(0);
  });
});
