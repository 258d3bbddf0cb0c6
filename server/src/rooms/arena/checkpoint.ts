/**
 * A match checkpoint: everything an arena room needs to go on in another
 * process (its bytes: checkpointCodec.ts). The replicated state carries the timers (phase
 * end, respawns, spawn protection and shot cooldowns are ticks in the state);
 * what the schema does not carry is added here: projectiles in flight, the bot
 * brains with their random state, the seat table (user, session, reconnection
 * token, role), the room's code, map, mode and bot plan, what the
 * leaderboard has been credited for this match, each player's best moments so far (moments.ts), and the
 * room's chat tail (its last lines, chat.ts).
 *
 * A checkpoint read back is checked in full (zod, and a size cap) before a
 * room is built from it: Redis is shared, and a corrupted or oversized one
 * must end that room cleanly rather than crash the process taking it over.
 */
import { z } from "zod";
import { BOT_DIFFICULTIES, CHAT_MAX_LENGTH, CHAT_TAIL_LINES, GAME_MODES, Player, type ArenaState, type BrainMemory, type Projectile } from "@arena/shared";
import { MapRefSchema } from "./messages.ts";

/** Largest checkpoint written or read: a 16-player room writes ~8 KB; anything near this is not ours. */
export const MAX_CHECKPOINT_BYTES = 256 * 1024;

const int = (max = 2 ** 32 - 1) => z.number().int().min(0).max(max);
const finite = () => z.number().finite();
const id = () => z.string().min(1).max(64);

const PlayerSnapshot = z.object({
  id: id(),
  name: z.string().max(64),
  x: finite(), y: finite(), aim: finite(),
  hp: int(255), alive: z.boolean(), protectedUntil: int(), kills: int(65535), deaths: int(65535), damage: int(),
  connected: z.boolean(), bot: z.boolean(), color: int(255), voice: z.boolean(),
  shotTick: int(), shotX: finite(), shotY: finite(), shotAngle: finite(), landedShot: int(),
  killedBy: z.string().max(64), cooldown: int(255), respawnAt: int(),
}).strict();

/** The Player fields a checkpoint copies (every field, synced or not). */
const PLAYER_FIELDS = Object.keys(PlayerSnapshot.shape).filter((k) => k !== "id") as (keyof Omit<z.infer<typeof PlayerSnapshot>, "id">)[];

const ProjectileSnapshot = z.object({
  id: id(), ownerId: id(), x: finite(), y: finite(), angle: finite(), tick: int(), rewindMs: finite(),
  /** Infinity (no wall on its path) is written as null. */
  wallAt: finite().nullable(),
}).strict();

/** A bot brain's modes (the codec writes a mode as its index here). */
export const BOT_MODES = ["idle", "roam", "chase", "fight", "retreat", "unstick"] as const;

const BrainMemorySchema = z.object({
  random: int(),
  targetId: z.string().max(64).nullable(),
  mode: z.enum(BOT_MODES),
  goal: z.object({ x: finite(), y: finite() }).nullable(),
  fields: z.record(z.string().max(32), z.union([finite(), z.boolean(), z.null()])),
}).strict();

const SeatSnapshot = z.object({
  sessionId: id(),
  userId: id(),
  name: z.string().max(64),
  /** The reconnection token the client holds (without the `roomId:` prefix the SDK adds). */
  token: id(),
  spectator: z.boolean(),
}).strict();

/** A chat line as the room sent it (ChatOut); its text at most CHAT_MAX_LENGTH code points, so twice that in UTF-16. */
const ChatLine = z.object({ from: id(), name: z.string().max(64), text: z.string().max(CHAT_MAX_LENGTH * 2), at: finite() }).strict();

const BotPlanSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("fill"), fill: int(64), difficulty: z.enum(BOT_DIFFICULTIES) }).strict(),
  z.object({ kind: z.literal("practice"), count: int(64), difficulty: z.enum(BOT_DIFFICULTIES) }).strict(),
]);

export const CheckpointSchema = z.object({
  v: z.literal(1),
  roomId: id(),
  /** Wall-clock ms when it was taken (its age at takeover is the loss window actually lost). */
  at: finite(),
  mode: z.enum(GAME_MODES),
  code: z.string().max(16).optional(),
  map: MapRefSchema.optional(),
  botPlan: BotPlanSchema,
  state: z.object({
    phase: z.enum(["warmup", "playing", "results"]),
    tick: int(), phaseEndsAt: int(), winner: z.string().max(64), nextProjectileId: int(),
    players: z.array(PlayerSnapshot).max(64),
    projectiles: z.array(ProjectileSnapshot).max(1024),
  }).strict(),
  bots: z.object({
    added: int(), brains: z.array(z.object({ sessionId: id(), memory: BrainMemorySchema }).strict()).max(64),
    /** A quick-play room's bot level (0..1) set from its people; absent: the plan's difficulty. */
    level: z.number().min(0).max(1).optional(),
  }).strict(),
  seats: z.array(SeatSnapshot).max(256),
  /** The room's chat tail, oldest first (chat.ts); absent in a checkpoint of an earlier release. */
  chat: z.array(ChatLine).max(CHAT_TAIL_LINES).optional(),
  /** Each player's best-moments tally (moments.ts); absent in a checkpoint of the previous release. */
  moments: z.array(z.object({ id: id(), streak: int(65535), bestStreak: int(65535), life: int(), bestLife: int() }).strict()).max(64).optional(),
  credits: z.object({
    /** The match the credits below belong to ("" before the first match started). */
    matchId: z.string().max(128),
    /** Kills credited so far this match, per user (a restored match counts on from here). */
    kills: z.record(id(), int()),
    won: z.boolean(),
  }).strict(),
}).strict();

export type Checkpoint = z.infer<typeof CheckpointSchema>;
export type SeatSnapshot = z.infer<typeof SeatSnapshot>;

/** Why a checkpoint text was refused. */
export class CheckpointError extends Error {}

/** Puts a checkpoint's state into a fresh `state` (its tickRate, map id and version are set by the room). */
export function restoreState(state: ArenaState, snap: Checkpoint["state"], makeProjectile: () => Projectile): void {
  state.phase = snap.phase;
  state.tick = snap.tick;
  state.phaseEndsAt = snap.phaseEndsAt;
  state.winner = snap.winner;
  state.nextProjectileId = snap.nextProjectileId;
  for (const s of snap.players) {
    const p = new Player();
    for (const f of PLAYER_FIELDS) (p as unknown as Record<string, unknown>)[f] = s[f];
    state.players.set(s.id, p);
  }
  for (const s of snap.projectiles) {
    const pr = makeProjectile();
    Object.assign(pr, { ownerId: s.ownerId, x: s.x, y: s.y, angle: s.angle, tick: s.tick, rewindMs: s.rewindMs, wallAt: s.wallAt ?? Infinity });
    state.projectiles.set(s.id, pr);
  }
}

/** Checks a checkpoint read back (checkpointCodec.ts parses its bytes); throws CheckpointError saying why it is refused. */
export function checkCheckpoint(raw: unknown, roomId: string): Checkpoint {
  const parsed = CheckpointSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CheckpointError(`checkpoint does not validate: ${issue?.path.join(".") ?? ""} ${issue?.message ?? ""}`.trim());
  }
  if (parsed.data.roomId !== roomId) throw new CheckpointError(`checkpoint is for room ${parsed.data.roomId}, not ${roomId}`);
  const ids = new Set(parsed.data.state.players.map((p) => p.id));
  for (const b of parsed.data.bots.brains) if (!ids.has(b.sessionId)) throw new CheckpointError(`bot ${b.sessionId} has no player`);
  return parsed.data;
}

/** Brain memories as the roster takes them. */
export function brainMemories(c: Checkpoint): { sessionId: string; memory: BrainMemory }[] {
  return c.bots.brains.map((b) => ({ sessionId: b.sessionId, memory: b.memory as BrainMemory }));
}
