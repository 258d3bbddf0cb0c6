/** Match checkpoints in process: what they carry comes back exactly, and what is not ours is refused. */
import { describe, expect, it } from "vitest";
import { ARENA_MAP, ArenaState, BotRoster, Player, Projectile, createRules, stepWorld, type GameEvent } from "@arena/shared";
import {
  CheckpointError, MAX_CHECKPOINT_BYTES, brainMemories, decodeCheckpoint, encodeCheckpoint, restoreState, snapshotState, type Checkpoint,
} from "../src/rooms/arena/checkpoint.ts";

const rules = createRules(30);

/** A bot match stepped `steps` times: state, roster and the checkpoint of both. */
function botMatch(steps: number): { state: ArenaState; roster: BotRoster; checkpoint: Checkpoint } {
  const state = new ArenaState();
  const roster = new BotRoster(ARENA_MAP, rules, 42);
  for (const id of ["bot-1", "bot-2", "bot-3"]) {
    const p = new Player();
    p.bot = true;
    p.name = id;
    state.players.set(id, p);
    roster.add(id, "hard");
  }
  const person = new Player();
  person.name = "Ann";
  state.players.set("s1", person);
  const events: GameEvent[] = [];
  for (let i = 0; i < steps; i++) {
    roster.think(state);
    stepWorld({ state, map: ARENA_MAP, rules }, { inputOf: (id) => roster.commandOf(id) ?? { mx: 0, my: 0, aim: 0, fire: false } }, events);
  }
  const checkpoint: Checkpoint = {
    v: 1, roomId: "room1", at: Date.now(), mode: "ffa", botPlan: { kind: "fill", fill: 4, difficulty: "hard" },
    state: snapshotState(state), bots: { added: roster.addedCount, brains: roster.memories() },
    seats: [{ sessionId: "s1", userId: "g_ann", name: "Ann", token: "tok1", spectator: false }],
    credits: { matchId: "room1:1", kills: { g_ann: 2 }, won: false },
  };
  return { state, roster, checkpoint };
}

describe("a checkpoint read back", () => {
  it("restores every player field (synced or not) and every projectile in flight, Infinity included", () => {
    const { state, checkpoint } = botMatch(400);
    const extra = new Projectile();
    Object.assign(extra, { ownerId: "bot-1", x: 10, y: 20, angle: 1.5, tick: 3, rewindMs: 50, wallAt: Infinity });
    state.projectiles.set("p-extra", extra);
    const cp = { ...checkpoint, state: snapshotState(state) };
    const back = decodeCheckpoint(encodeCheckpoint(cp), "room1");
    const restored = new ArenaState();
    restoreState(restored, back.state, () => new Projectile());
    expect(restored.tick).toBe(state.tick);
    expect(restored.phase).toBe(state.phase);
    expect(restored.phaseEndsAt).toBe(state.phaseEndsAt);
    expect(restored.nextProjectileId).toBe(state.nextProjectileId);
    expect([...restored.players.keys()]).toEqual([...state.players.keys()]);
    state.players.forEach((p, id) => {
      const r = restored.players.get(id)!;
      for (const f of ["x", "y", "aim", "hp", "alive", "protectedUntil", "kills", "deaths", "damage", "cooldown", "respawnAt", "shotTick", "shotAngle", "killedBy", "bot"] as const) {
        expect(r[f], `${id}.${f}`).toBe(p[f]);
      }
    });
    expect(restored.projectiles.size).toBe(state.projectiles.size);
    state.projectiles.forEach((p, id) => expect({ ...restored.projectiles.get(id)! }).toEqual({ ...p }));
    expect(restored.projectiles.get("p-extra")!.wallAt).toBe(Infinity);
  });

  it("gives each bot back its memory and random state: the restored brains draw what the originals would", () => {
    const { state, roster, checkpoint } = botMatch(300);
    const back = decodeCheckpoint(encodeCheckpoint(checkpoint), "room1");
    const other = new BotRoster(ARENA_MAP, rules, 42);
    other.restore(brainMemories(back), "hard", back.bots.added);
    expect(other.addedCount).toBe(roster.addedCount);
    for (const id of roster.ids()) expect(other.brain(id)).toBeDefined();
    for (const { sessionId, memory } of roster.memories()) {
      const restored = other.memories().find((m) => m.sessionId === sessionId)!.memory;
      expect(restored).toEqual(memory);
    }
    // The same state in, the same commands out, for the steps until a route is planned again.
    other.think(state);
    roster.think(state);
    for (const id of roster.ids()) expect(other.commandOf(id)!.fire).toBe(roster.commandOf(id)!.fire);
  });
});

describe("a checkpoint that is not ours is refused with a reason", () => {
  const good = encodeCheckpoint(botMatch(10).checkpoint);
  const refused = (text: string, roomId = "room1"): string => {
    try {
      decodeCheckpoint(text, roomId);
    } catch (e) {
      expect(e).toBeInstanceOf(CheckpointError);
      return (e as Error).message;
    }
    throw new Error("accepted");
  };

  it("refuses text that is not JSON, or cut short", () => {
    expect(refused("{not json")).toMatch(/not JSON/);
    expect(refused(good.slice(0, good.length / 2))).toMatch(/not JSON/);
  });

  it("refuses a checkpoint over the size cap before parsing it", () => {
    expect(refused(good + " ".repeat(MAX_CHECKPOINT_BYTES))).toMatch(/over the .*cap/);
  });

  it("refuses a checkpoint of another room", () => {
    expect(refused(good, "room2")).toMatch(/for room room1, not room2/);
  });

  it("refuses values out of range and unknown fields", () => {
    const cp = JSON.parse(good) as Checkpoint;
    expect(refused(JSON.stringify({ ...cp, state: { ...cp.state, players: cp.state.players.map((p) => ({ ...p, hp: 300 })) } }))).toMatch(/hp/);
    expect(refused(JSON.stringify({ ...cp, extra: 1 }))).toMatch(/does not validate/);
    expect(refused(JSON.stringify({ ...cp, seats: [{ ...cp.seats[0], token: "" }] }))).toMatch(/token/);
  });

  it("refuses a bot brain whose player is not in the state", () => {
    const cp = JSON.parse(good) as Checkpoint;
    expect(refused(JSON.stringify({ ...cp, state: { ...cp.state, players: cp.state.players.filter((p) => p.id !== "bot-1") } }))).toMatch(/bot bot-1 has no player/);
  });
});
