/**
 * The other ways to aim a run: rooms of a given size spread over two server
 * processes (every bot decoding), and every bot joining one given room (no bot
 * decoding patches).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SchemaSerializer } from "@colyseus/sdk";
import { joinArena, spawnServer, startTestServer, type ArenaRoomClient, type GameServerProcess, type RunningServer } from "@arena/testkit";
import { scrape, total } from "../src/prometheus.ts";
import { runLoad } from "../src/run.ts";

/**
 * Patches decoded in this process, per SDK serializer: a spy on the SDK's own
 * patch decoding, independent of what the bots count about themselves.
 */
const decodedPatches = new Map<object, number>();
const patch = SchemaSerializer.prototype.patch;

let local: RunningServer;
let other: GameServerProcess;

beforeAll(async () => {
  // For this file only: the tier's files share one worker process, and the next file gets the SDK's own.
  SchemaSerializer.prototype.patch = function (this: SchemaSerializer, ...args: Parameters<typeof patch>) {
    decodedPatches.set(this, (decodedPatches.get(this) ?? 0) + 1);
    return patch.apply(this, args);
  };
  local = await startTestServer();
  other = await spawnServer();
}, 30_000);
afterAll(async () => {
  SchemaSerializer.prototype.patch = patch;
  decodedPatches.clear();
  await other?.stop();
  await local?.close();
});

describe("load-test modes", () => {
  it("fills rooms of --players-per-room on each endpoint, every bot decoding", async () => {
    decodedPatches.clear();
    // Each process's rooms once its four bots are in (read each second, per process: on a busy machine
    // the two may fill at different moments).
    const seen: Array<{ rooms: number; clients: number } | undefined> = [undefined, undefined];
    const summary = await runLoad({
      endpoints: [local.url, other.url], bots: 8, playersPerRoom: 2, decode: "all", durationSeconds: 5,
      chatEverySeconds: 0, rejoinEverySeconds: 0, out: undefined,
    }, {
      onProgress: () => {
        [local.url, other.url].forEach((url, i) => {
          void scrape(url).then((m) => {
            if (seen[i] === undefined && total(m, "arena_clients") === 4) seen[i] = { rooms: total(m, "arena_rooms"), clients: 4 };
          });
        });
      },
    });
    expect(summary.joined).toBe(8);
    expect(summary.failed).toBe(0);
    expect(summary.patches.botsWithoutPatches).toBe(0);
    expect(summary.patches.decoded).toBe(summary.patches.total);
    expect(decodedPatches.size).toBe(8); // each bot's own SDK decoded patches
    // Two groups of two bots per process: two rooms of two players on each.
    expect(seen).toEqual([{ rooms: 2, clients: 4 }, { rooms: 2, clients: 4 }]);
  });

  it("joins one given room by id, no bot decoding patches", async () => {
    let host: ArenaRoomClient | undefined;
    try {
      ({ room: host } = await joinArena(local.url, "host"));
      decodedPatches.clear();
      let most = 0;
      host.onStateChange((s) => {
        most = Math.max(most, s.players.size);
      });
      const summary = await runLoad({
        endpoints: [local.url], bots: 3, roomId: host.roomId, decode: "none", durationSeconds: 3,
        chatEverySeconds: 0, rejoinEverySeconds: 0, out: undefined,
      });
      expect(summary.joined).toBe(3);
      expect(summary.patches.minPerJoinedBot).toBeGreaterThan(10);
      // Received and counted by every bot, decoded by none (only the host's own client decoded any).
      expect(summary.patches.decoded).toBe(0);
      expect([...decodedPatches].filter(([serializer]) => serializer !== host!.serializer)).toEqual([]);
      expect(decodedPatches.get(host.serializer)).toBeGreaterThan(10);
      expect(most).toBe(4); // the host and the three bots, in the host's room
    } finally {
      await host?.leave();
    }
  });
});
