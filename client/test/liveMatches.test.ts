/** The lobby's live matches as listed: which rooms, in which order, and the score and time left they show. */
import { describe, expect, it } from "vitest";
import type { ArenaRoomMetadata } from "@arena/shared";
import type { RoomListing } from "../src/net/lobby.ts";
import { leaderText, liveMatchesOf, timeLeftText } from "../src/ui/liveMatches.ts";

const listing = (roomId: string, meta: Partial<ArenaRoomMetadata>): RoomListing => ({
  roomId, processId: "p", clients: 2, maxClients: 24, locked: false,
  metadata: { mode: "ffa", phase: "playing", players: 2, spectators: 0, bots: 0, ...meta },
});

describe("live matches", () => {
  it("lists matches being played, least time left first, then those showing results; not warm-ups", () => {
    const rooms = [
      listing("warm", { phase: "warmup" }),
      listing("ended", { phase: "results", leader: "x", leaderKills: 20 }),
      listing("late", { endsAt: 2000 }),
      listing("early", { endsAt: 1000 }),
    ];
    expect(liveMatchesOf(rooms).map((r) => r.roomId)).toEqual(["early", "late", "ended"]);
  });

  it("shows the top scorer with their kills (a bot tagged), or a dash before anyone scores", () => {
    expect(leaderText(listing("a", {}).metadata)).toBe("—");
    expect(leaderText(listing("a", { leader: "alice", leaderKills: 3 }).metadata)).toBe("alice · 3");
    expect(leaderText(listing("a", { leader: "Bolt", leaderKills: 4, leaderBot: true }).metadata)).toBe("Bolt [BOT] · 4");
  });

  it("counts the time left down to 0:00 from the listed end, and says when a match ended", () => {
    const m = listing("a", { endsAt: 100_000 }).metadata;
    expect(timeLeftText(m, 100_000 - 61_500)).toBe("1:02");
    expect(timeLeftText(m, 100_000 - 9_000)).toBe("0:09");
    expect(timeLeftText(m, 200_000)).toBe("0:00");
    expect(timeLeftText(listing("a", { phase: "results" }).metadata, 0)).toBe("ended");
  });
});
