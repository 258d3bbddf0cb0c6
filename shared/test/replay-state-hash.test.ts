/**
 * The keyframe state hash (shared/src/replay/stateHash.ts): the server hashes its live state, the reader the
 * state it decoded, and the two must agree exactly whenever the states are equal, or every recording is
 * refused. Also: a format-1 recording, made by the recorder before format 2, still plays.
 */
import { readFileSync } from "node:fs";
import { Decoder, Encoder, Reflection } from "@colyseus/schema";
import { describe, expect, it } from "vitest";
import { ARENA_MAP, ArenaState, BotRoster, Player, createRules, stepWorld, type GameEvent } from "../src/index.ts";
import { ReplayReader, canonicalJson, hex, jsonStateHash, stateHash } from "../src/replay/index.ts";

const TICK_RATE = 30;

/** A match of hard bots on the built-in map, stepped as a room steps it. */
function match(players: number, seed: number): { state: ArenaState; step: () => void } {
  const rules = createRules(TICK_RATE, { warmupSeconds: 0, matchSeconds: 600, killLimit: 1000 });
  const state = new ArenaState();
  state.tickRate = TICK_RATE;
  const roster = new BotRoster(ARENA_MAP, rules, seed);
  for (let i = 0; i < players; i++) {
    const p = new Player();
    p.name = `bot-${i}`;
    p.bot = true;
    state.players.set(`bot-${i}`, p);
    roster.add(`bot-${i}`, "hard");
  }
  const events: GameEvent[] = [];
  const hooks = { inputOf: (id: string) => roster.commandOf(id) };
  return {
    state,
    step: () => {
      roster.think(state);
      stepWorld({ state, map: ARENA_MAP, rules }, hooks, events);
      events.length = 0;
    },
  };
}

/** A client's view of `encoder`'s state: a decoder reflected from its handshake, as the SDK and the reader make one. */
function decoderOf(encoder: Encoder): Decoder<ArenaState> {
  return Reflection.decode<ArenaState>(Reflection.encode(encoder));
}

describe("the keyframe state hash", () => {
  it("is the same for the server's state and for a decoder that followed its patches or joined at any tick", () => {
    const { state, step } = match(6, 11);
    const encoder = new Encoder(state);
    const follower = decoderOf(encoder);
    follower.decode(encoder.encodeAll().slice());
    let checked = 0;
    let kills = 0;
    for (let t = 1; t <= 450; t++) {
      step();
      // Seats change during the match: a player leaves and another takes the seat.
      if (t === 100) state.players.delete("bot-3");
      if (t === 160) {
        const back = new Player();
        back.name = "bot-3 again";
        state.players.set("bot-3", back);
      }
      const patch = encoder.encode().slice();
      encoder.discardChanges();
      follower.decode(patch);
      const server = hex(stateHash(state));
      expect(hex(stateHash(follower.state)), `tick ${t}, the follower`).toBe(server);
      if (t % 50 === 0) {
        const joined = decoderOf(encoder);
        joined.decode(encoder.encodeAll().slice());
        expect(hex(stateHash(joined.state)), `tick ${t}, a decoder from a keyframe`).toBe(server);
        // The two hashes differ only where the states do (format 1's JSON hash is the independent check).
        expect(canonicalJson(joined.state.toJSON())).toBe(canonicalJson(state.toJSON()));
        checked++;
      }
      kills = 0;
      state.players.forEach((p) => (kills += p.kills));
    }
    expect(checked).toBe(9);
    expect(kills, "the bots fought (kills, deaths and shots changed on the way)").toBeGreaterThan(0);
  });

  it("does not depend on the order players were seated in", () => {
    const seat = (ids: readonly string[]): ArenaState => {
      const s = new ArenaState();
      for (const id of ids) {
        const p = new Player();
        p.name = `P-${id}`;
        p.kills = id.charCodeAt(0);
        s.players.set(id, p);
      }
      return s;
    };
    expect(hex(stateHash(seat(["a", "b", "c"])))).toBe(hex(stateHash(seat(["c", "a", "b"]))));
  });

  it("changes with every replicated field and ignores the server-only ones", () => {
    const { state, step } = match(4, 5);
    for (let t = 0; t < 60; t++) step();
    const before = hex(stateHash(state));
    const p = state.players.get("bot-1")!;
    p.cooldown = (p.cooldown + 1) % 200; // .noSync(): clients never see it
    p.respawnAt += 7;
    state.nextProjectileId += 3;
    expect(hex(stateHash(state)), "server-only fields").toBe(before);
    const edits: Array<[string, () => void, () => void]> = [
      ["tick", () => state.tick++, () => state.tick--],
      ["phase", () => (state.phase = "results"), () => (state.phase = "warmup")],
      ["a name", () => (p.name += "!"), () => (p.name = p.name.slice(0, -1))],
      ["x", () => (p.x += 1), () => (p.x -= 1)],
      ["alive", () => (p.alive = !p.alive), () => (p.alive = !p.alive)],
      ["a key", () => {
        state.players.set("bot-9", state.players.get("bot-1")!.clone());
        state.players.delete("bot-1");
      }, () => {
        state.players.set("bot-1", state.players.get("bot-9")!);
        state.players.delete("bot-9");
      }],
    ];
    const seen = new Set([before]);
    for (const [what, change, undo] of edits) {
      change();
      const changed = hex(stateHash(state));
      expect(seen.has(changed), what).toBe(false);
      seen.add(changed);
      undo();
    }
  });

  it("is SHA-256 of the same bytes whichever SHA-256 computes it (node:crypto on the server, @noble/hashes in the browser)", async () => {
    const { createHash } = await import("node:crypto");
    const { state, step } = match(4, 9);
    for (let t = 0; t < 30; t++) step();
    const nodeSha256 = (bytes: Uint8Array): Uint8Array => createHash("sha256").update(bytes).digest();
    expect(hex(stateHash(state, nodeSha256))).toBe(hex(stateHash(state)));
  });
});

describe("a format-1 recording", () => {
  // Made by the recorder before format 2 (server/src/replay/recorder.ts as of b5178d5): 4 hard bots for 12 s, a
  // player removed at tick 200, 3 keyframes hashed from the state's JSON.
  const file = new Uint8Array(readFileSync(new URL("./fixtures/replay-format1.arpl", import.meta.url)));

  it("still opens, plays and checks every keyframe with format 1's hash", () => {
    const reader = ReplayReader.open(file);
    expect(reader.header.format).toBe(1);
    expect(reader.verify()).toBe(3);
    const cursor = reader.seek(reader.lastTick);
    expect(cursor.state.players.size).toBe(3);
    expect(reader.events.some((e) => e.type === "kill")).toBe(true);
  });

  it("keyframes carry format 1's hash, not format 2's", () => {
    const reader = ReplayReader.open(file);
    const state = reader.seek(reader.firstTick).state;
    const recorded = hex(reader.keyframes[0]!.stateHash);
    expect(hex(jsonStateHash(state))).toBe(recorded);
    expect(hex(stateHash(state))).not.toBe(recorded);
  });
});
