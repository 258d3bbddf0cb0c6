/**
 * The pure parts of people and status: merging one person's entries, what the whereabouts writer writes (on an
 * in-memory presence), who passed whom, and a p99 from histogram buckets.
 */
import { LocalPresence } from "@colyseus/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { LeaderboardEntry, PassedNote, PersonOnline } from "@arena/shared";
import { createLogger } from "../src/log.ts";
import { PeopleDirectory, mergePeople, whereKey } from "../src/people/PeopleDirectory.ts";
import { PassWindows, passes } from "../src/people/passes.ts";
import { countsSince, p99Between, type ProcessFigures } from "../src/status/processFigures.ts";

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

describe("people: the whereabouts writer", () => {
  it("writes an entry again when any of its fields changes, and only then", async () => {
    const presence = new LocalPresence();
    const writes = vi.spyOn(presence, "hset");
    const dir = new PeopleDirectory(presence, createLogger("error"), () => true, () => "proc1");
    const pass = (): Promise<void> => (dir as unknown as { write(): Promise<void> }).write();
    let where: { status: PersonOnline["status"]; roomId?: string; joinable?: boolean } = { status: "match", roomId: "r1", joinable: true };
    dir.enter("r1/s1", "ann", "Ann", () => where);
    dir.enter("lobby/s2", "bob", "Bob", () => ({ status: "lobby" }));
    const entry = async (userId: string): Promise<PersonOnline> => JSON.parse((await presence.hget(whereKey(userId), "proc1"))!) as PersonOnline;
    await pass();
    expect(await entry("ann")).toEqual({ userId: "ann", name: "Ann", status: "match", roomId: "r1", joinable: true });
    expect(writes).toHaveBeenCalledTimes(2);
    await pass();
    expect(writes, "a pass with nothing changed writes nothing").toHaveBeenCalledTimes(2);
    const changes = [{ status: "match", roomId: "r1", joinable: false }, { status: "match", roomId: "r2", joinable: false }, { status: "spectating", roomId: "r2", joinable: false }, { status: "spectating", roomId: "r2" }] as const;
    for (const [i, change] of changes.entries()) {
      where = change;
      await pass();
      expect(await entry("ann")).toEqual({ userId: "ann", name: "Ann", ...change });
      expect(writes, JSON.stringify(change)).toHaveBeenCalledTimes(3 + i);
    }
    await dir.stop();
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

describe("people: pass notes, one per person and board per window", () => {
  afterEach(() => vi.useRealTimers());
  const note = (by: string, board: PassedNote["board"], rank: number): PassedNote => ({ kind: "passed", by: { userId: by, name: by }, board, rank });

  it("tells the first pass at once, holds the later ones of the window, and tells the latest when it ends", () => {
    vi.useFakeTimers();
    const told: [string, PassedNote][] = [];
    const windows = new PassWindows(10_000, (userId, n) => told.push([userId, n]));
    windows.offer("ann", note("bob", "allTime", 2));
    expect(told).toEqual([["ann", note("bob", "allTime", 2)]]);
    windows.offer("ann", note("cat", "allTime", 3));
    windows.offer("ann", note("dan", "allTime", 4));
    // Another board and another person have windows of their own.
    windows.offer("ann", note("cat", "daily", 2));
    windows.offer("eve", note("cat", "allTime", 5));
    expect(told.length).toBe(3);
    vi.advanceTimersByTime(9_999);
    expect(told.length).toBe(3);
    vi.advanceTimersByTime(1);
    expect(told.slice(3)).toEqual([["ann", note("dan", "allTime", 4)]]);
    // The held note opened the next window: a pass in it waits for its end too.
    windows.offer("ann", note("fay", "allTime", 5));
    expect(told.length).toBe(4);
    vi.advanceTimersByTime(10_000);
    expect(told.slice(4)).toEqual([["ann", note("fay", "allTime", 5)]]);
    // A window that held nothing closes: the next pass is told at once.
    vi.advanceTimersByTime(10_000);
    expect(windows.size).toBe(0);
    windows.offer("ann", note("gus", "allTime", 6));
    expect(told.at(-1)).toEqual(["ann", note("gus", "allTime", 6)]);
    windows.stop();
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

describe("the status aggregate's joins and bytes (countsSince)", () => {
  const figures = (processId: string, last: number, total: number | undefined): ProcessFigures => ({
    processId, rooms: 0, matches: 0, people: 0, clients: 0, bots: 0, stepP99Ms: 0,
    joins: last, bytesOut: last * 10, bytesIn: last,
    ...(total !== undefined ? { totals: { joins: total, bytesOut: total * 10, bytesIn: total } } : {}),
  });
  it("counts each join once, whichever of the processes' seconds the aggregator's reads fall between", () => {
    // First read: each process's last second.
    let r = countsSince(new Map(), [figures("a", 3, 5), figures("b", 2, 7)]);
    expect(r.counts).toEqual({ joins: 5, bytesOut: 50, bytesIn: 5 });
    // b wrote twice since (1 join, then 0 in its last second): its join still counts; a did not write again: nothing twice.
    r = countsSince(r.totals, [figures("a", 3, 5), figures("b", 0, 8)]);
    expect(r.counts).toEqual({ joins: 1, bytesOut: 10, bytesIn: 1 });
    // a restarted (its totals went back): its last second; a process of an older version (no totals): its last second.
    r = countsSince(r.totals, [figures("a", 2, 2), figures("b", 0, 8), figures("c", 4, undefined)]);
    expect(r.counts).toEqual({ joins: 6, bytesOut: 60, bytesIn: 6 });
    expect([...r.totals.keys()]).toEqual(["a", "b"]);
  });
});
