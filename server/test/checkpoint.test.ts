/** Match checkpoints in process: what they carry comes back exactly, and what is not ours is refused. */
import { describe, expect, it } from "vitest";
import { ARENA_MAP, ArenaState, BotRoster, CHAT_TAIL_LINES, Player, Projectile, createRules, stepWorld, type GameEvent } from "@arena/shared";
import { CheckpointError, MAX_CHECKPOINT_BYTES, brainMemories, restoreState, type Checkpoint } from "../src/rooms/arena/checkpoint.ts";
import { CheckpointWriter, decodeCheckpoint, type CheckpointHeader } from "../src/rooms/arena/checkpointCodec.ts";
import { MatchMoments } from "../src/rooms/arena/moments.ts";

const rules = createRules(30);

const HEADER: CheckpointHeader = {
  roomId: "room1", mode: "ffa", botPlan: { kind: "fill", fill: 4, difficulty: "hard" },
  seats: [{ sessionId: "s1", userId: "g_ann", name: "Ann", token: "tok1", spectator: false }],
  credits: { matchId: "room1:1", kills: { g_ann: 2 }, won: false }, bots: { added: 3 },
};

/** A checkpoint's bytes as a room writes them. */
function encode(state: ArenaState, roster: BotRoster, header: CheckpointHeader = HEADER, writer = new CheckpointWriter(), key: unknown = {}): Buffer {
  return writer.encode(() => ({ ...header, bots: { added: roster.addedCount } }), key, Date.now(), state, roster.memories());
}

/** A bot match stepped `steps` times: state, roster and the checkpoint of both. */
function botMatch(steps: number): { state: ArenaState; roster: BotRoster; checkpoint: Buffer } {
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
  return { state, roster, checkpoint: encode(state, roster) };
}

describe("a checkpoint read back", () => {
  it("restores every player field (synced or not) and every projectile in flight, Infinity included", () => {
    const { state, roster } = botMatch(400);
    const extra = new Projectile();
    Object.assign(extra, { ownerId: "bot-1", x: 10, y: 20, angle: 1.5, tick: 3, rewindMs: 50, wallAt: Infinity });
    state.projectiles.set("p-extra", extra);
    state.players.get("s1")!.name = "Ånn ☃"; // not ASCII: the string column's UTF-8 path
    const back = decodeCheckpoint(encode(state, roster), "room1");
    const restored = new ArenaState();
    restoreState(restored, back.state, () => new Projectile());
    expect(restored.tick).toBe(state.tick);
    expect(restored.phase).toBe(state.phase);
    expect(restored.phaseEndsAt).toBe(state.phaseEndsAt);
    expect(restored.nextProjectileId).toBe(state.nextProjectileId);
    expect([...restored.players.keys()]).toEqual([...state.players.keys()]);
    state.players.forEach((p, id) => {
      const r = restored.players.get(id)!;
      for (const f of ["name", "x", "y", "aim", "hp", "alive", "protectedUntil", "kills", "deaths", "damage", "connected", "bot", "color", "voice", "shotTick", "shotX", "shotY", "shotAngle", "landedShot", "killedBy", "cooldown", "respawnAt"] as const) {
        expect(r[f], `${id}.${f}`).toBe(p[f]);
      }
    });
    expect(restored.players.get("s1")!.name).toBe("Ånn ☃");
    expect(back.seats).toEqual(HEADER.seats);
    expect(back.credits).toEqual(HEADER.credits);
    expect(restored.projectiles.size).toBe(state.projectiles.size);
    state.projectiles.forEach((p, id) => expect({ ...restored.projectiles.get(id)! }).toEqual({ ...p }));
    expect(restored.projectiles.get("p-extra")!.wallAt).toBe(Infinity);
  });

  it("gives each bot back its memory and random state: the restored brains draw what the originals would", () => {
    const { state, roster, checkpoint } = botMatch(300);
    const back = decodeCheckpoint(checkpoint, "room1");
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

  it("carries each player's best moments: a match taken over counts its streaks and lives on, and its results match", () => {
    const { state, roster } = botMatch(10);
    const hit = (shooter: string, target: string): GameEvent => ({ type: "hit", shooter, target, projectile: "p", firedAt: 0, damage: 25, x: 0, y: 0 });
    const kill = (killer: string, victim: string): GameEvent => ({ type: "kill", killer, victim, tick: 0 });
    const original = new MatchMoments();
    // bot-1: two kills in a row and 75 damage in its life so far; s1: 25 damage, then killed.
    for (const e of [hit("bot-1", "bot-2"), kill("bot-1", "bot-2"), hit("s1", "bot-1"), hit("bot-1", "bot-3"), hit("bot-1", "s1"), kill("bot-1", "s1")]) original.observe(e);
    const checkpoint = new CheckpointWriter().encode(() => ({ ...HEADER, bots: { added: roster.addedCount } }), {}, Date.now(), state, roster.memories(), (id) => original.tallyOf(id));
    const taken = new MatchMoments();
    taken.restore(decodeCheckpoint(checkpoint, "room1").moments ?? []);
    // After the takeover bot-1 kills once more (a third in a row) and deals 25 more in the same life.
    for (const e of [hit("bot-1", "bot-3"), kill("bot-1", "bot-3")]) {
      original.observe(e);
      taken.observe(e);
    }
    const lines = [...state.players.keys()].map((sessionId) => ({ sessionId, name: sessionId, kills: 0, deaths: 0, damage: 0 }));
    expect(taken.fill(lines)).toEqual(original.fill(lines));
    expect(taken.fill(lines).find((l) => l.sessionId === "bot-1")).toMatchObject({ bestStreak: 3, bestLife: 100 });
  });

  it("of the previous release (ACP2, no best moments) is still read, without moments", () => {
    const empty = new CheckpointWriter().encode(() => HEADER, {}, Date.now(), new ArenaState(), []);
    const previous = Buffer.from(empty);
    previous.write("ACP2", 0, "latin1"); // with no players the two layouts differ only in the magic
    const back = decodeCheckpoint(previous, "room1");
    expect(back.moments).toBeUndefined();
    expect(back.seats).toEqual(HEADER.seats);
    expect(decodeCheckpoint(empty, "room1").moments).toEqual([]);
  });
});

describe("the chat tail", () => {
  it("comes back line for line in the header (a checkpoint without one reads as none), and more lines than a tail holds are refused", () => {
    const lines = Array.from({ length: CHAT_TAIL_LINES }, (_, i) => ({ from: `s${i}`, name: `P${i}`, text: `line ${i} ${"é".repeat(i)}`, at: 1_700_000_000_000 + i }));
    const { state, roster } = botMatch(3);
    expect(decodeCheckpoint(encode(state, roster, { ...HEADER, chat: lines }), "room1").chat).toEqual(lines);
    expect(decodeCheckpoint(encode(state, roster), "room1").chat).toBeUndefined();
    const tooMany = encode(state, roster, { ...HEADER, chat: [...lines, lines[0]!] });
    expect(() => decodeCheckpoint(tooMany, "room1")).toThrow(/chat/);
  });
});

describe("the header (seats, credits, bot plan)", () => {
  it("is written again when the room's key for it changes, and reused while it does not", () => {
    const { state, roster } = botMatch(10);
    const writer = new CheckpointWriter();
    const seated = { ...HEADER, seats: [...HEADER.seats, { sessionId: "s2", userId: "g_bo", name: "Bo", token: "tok2", spectator: true }] };
    expect(decodeCheckpoint(encode(state, roster, HEADER, writer, 1), "room1").seats).toHaveLength(1);
    // Same key: the header is not serialised again (what the room promises by keeping its key).
    expect(decodeCheckpoint(encode(state, roster, seated, writer, 1), "room1").seats).toHaveLength(1);
    expect(decodeCheckpoint(encode(state, roster, seated, writer, 2), "room1").seats).toHaveLength(2);
  });
});

describe("a checkpoint written by the previous release (JSON text)", () => {
  it("is still read, so a rolling deploy can hand matches from old processes to new ones", () => {
    const { checkpoint } = botMatch(30);
    const back = decodeCheckpoint(checkpoint, "room1");
    const old = JSON.stringify({ ...back, state: { ...back.state, projectiles: back.state.projectiles.map((p) => ({ ...p, wallAt: null })) } });
    expect(decodeCheckpoint(old, "room1").state.players).toEqual(back.state.players);
    expect(decodeCheckpoint(Buffer.from(old), "room1").bots).toEqual(back.bots);
  });
});

describe("a checkpoint that is not ours is refused with a reason", () => {
  const good = botMatch(10).checkpoint;
  const goodJson = JSON.stringify(decodeCheckpoint(good, "room1"));
  const refused = (data: string | Buffer, roomId = "room1"): string => {
    try {
      decodeCheckpoint(data, roomId);
    } catch (e) {
      expect(e).toBeInstanceOf(CheckpointError);
      return (e as Error).message;
    }
    throw new Error("accepted");
  };

  it("refuses bytes that are not ours, cut short, or longer than their parts", () => {
    expect(refused(Buffer.from("garbage that is long enough"))).toMatch(/not one of ours/);
    expect(refused(good.subarray(0, good.length - 1))).toMatch(/do not add up/);
    expect(refused(Buffer.concat([good, Buffer.from([0])]))).toMatch(/do not add up/);
    // Parts that add up but a count that runs past the numbers: cut the text and claim fewer numbers.
    const lying = Buffer.from(good);
    lying.writeUInt32LE(good.readUInt32LE(8) - 1, 8);
    lying.writeUInt32LE(good.readUInt32LE(12) + 8, 12);
    expect(refused(lying)).toMatch(/cut short|past its end|count|validate/);
    for (let i = 0; i < 200; i++) {
      // Random damage anywhere: refused with a reason, never another error.
      const damaged = Buffer.from(good);
      damaged[16 + ((i * 7919) % (good.length - 16))]! ^= 0xff;
      try {
        decodeCheckpoint(damaged, "room1");
      } catch (e) {
        expect(e).toBeInstanceOf(CheckpointError);
      }
    }
  });

  it("refuses text that is not JSON, or cut short", () => {
    expect(refused("{not json")).toMatch(/not JSON/);
    expect(refused(goodJson.slice(0, goodJson.length / 2))).toMatch(/not JSON/);
  });

  it("refuses a checkpoint over the size cap before parsing it", () => {
    expect(refused(goodJson + " ".repeat(MAX_CHECKPOINT_BYTES))).toMatch(/over the .*cap/);
    expect(refused(Buffer.concat([good, Buffer.alloc(MAX_CHECKPOINT_BYTES)]))).toMatch(/over the .*cap/);
  });

  it("refuses a checkpoint of another room", () => {
    expect(refused(good, "room2")).toMatch(/for room room1, not room2/);
  });

  it("refuses values out of range and unknown fields", () => {
    const cp = JSON.parse(goodJson) as Checkpoint;
    expect(refused(JSON.stringify({ ...cp, state: { ...cp.state, players: cp.state.players.map((p) => ({ ...p, hp: 300 })) } }))).toMatch(/hp/);
    expect(refused(JSON.stringify({ ...cp, extra: 1 }))).toMatch(/does not validate/);
    expect(refused(JSON.stringify({ ...cp, seats: [{ ...cp.seats[0], token: "" }] }))).toMatch(/token/);
    const { state, roster } = botMatch(10);
    state.players.get("s1")!.hp = 300;
    expect(refused(encode(state, roster))).toMatch(/hp/);
  });

  it("refuses a bot brain whose player is not in the state", () => {
    const cp = JSON.parse(goodJson) as Checkpoint;
    expect(refused(JSON.stringify({ ...cp, state: { ...cp.state, players: cp.state.players.filter((p) => p.id !== "bot-1") } }))).toMatch(/bot bot-1 has no player/);
  });
});
