/**
 * Wire schemas: the input a client sends each step, and the room state the
 * server replicates. Numeric fields use the narrowest type that holds them.
 */
import { schema, t, type SchemaType } from "@colyseus/schema";
import { POSITION_RANGE } from "../constants.ts";

/** A coordinate on the 1/32 grid in 16 bits, lossless (see POSITION_RANGE). */
const coordinate = () => t.quantized({ min: 0, max: POSITION_RANGE, bits: 16, mode: "wrap" }).default(0);

/** Scale of the int8 move components: 127 means full speed along that axis. */
export const MOVE_SCALE = 127;

/** One client input per fixed step. */
export const PlayerInput = schema({
  /** Move direction x in [-127, 127]; the step normalizes vectors longer than 127. */
  mx: t.int8().default(0),
  /** Move direction y in [-127, 127]. */
  my: t.int8().default(0),
  /** Aim angle in radians, wrapped into [-PI, PI]. */
  aim: t.float32().default(0),
  /** Trigger held. */
  fire: t.boolean().default(false),
}, "PlayerInput");
export type PlayerInput = SchemaType<typeof PlayerInput>;

/** The values of an input the simulation reads (a schema instance or a plain object). */
export interface InputCommand {
  mx: number;
  my: number;
  aim: number;
  fire: boolean;
}

/** A seated player as every client sees it (fields marked server-side only are not sent). */
export const Player = schema({
  name: t.string().default(""),
  /** Position on the 1/32 grid, 2 bytes each on the wire, exact. */
  x: coordinate(),
  y: coordinate(),
  /** Aim for display only, in 8 bits (1.4°); shots use the input's full-precision angle. */
  aim: t.angle({ bits: 8 }).default(0),
  hp: t.uint8().default(0),
  alive: t.boolean().default(false),
  /** Tick until which this player takes no damage (spawn protection). */
  protectedUntil: t.uint32().default(0),
  kills: t.uint16().default(0),
  deaths: t.uint16().default(0),
  damage: t.uint32().default(0),
  /** False while the player's connection is lost and the seat is held for reconnection. */
  connected: t.boolean().default(true),
  /** A server-side bot (its commands come from a brain in `shared/src/bots/`), not a person. */
  bot: t.boolean().default(false),
  /** Index into the client's palette. */
  color: t.uint8().default(0),
  /** Voice turned on (microphone granted): the mic mark, and a member of the voice links. */
  voice: t.boolean().default(false),
  /**
   * This player's latest shot: tick fired (0: none yet), origin and direction.
   * Clients fly the projectile from these ~12 bytes, so projectiles are never
   * replicated (each would cost a map entry, its fields and its removal).
   */
  shotTick: t.uint32().default(0),
  shotX: coordinate(),
  shotY: coordinate(),
  /** 16 bits (0.0055°: under 0.07 units off at full range); the field snaps on write. */
  shotAngle: t.angle({ bits: 16 }).default(0),
  /** `shotTick` of this player's latest shot that hit someone (0: none yet): the shooter's hit marker. */
  landedShot: t.uint32().default(0),
  /** Session id of whoever killed this player last: with `deaths` going up, the kill feed. */
  killedBy: t.string().default(""),
  /** Inputs left before the next shot may be fired (server-side only). */
  cooldown: t.uint8().default(0).noSync(),
  /** Tick at which a dead player respawns (server-side only). */
  respawnAt: t.uint32().default(0).noSync(),
}, "Player");
export type Player = SchemaType<typeof Player>;

/**
 * A projectile in flight, on the server only: clients build their own from the
 * shooter's `shot*` fields (one shot per player per patch at most, since the
 * fire interval is longer than the patch interval) and fly it the same way.
 */
export class Projectile {
  /** The shooter's session id. */
  ownerId = "";
  x = 0;
  y = 0;
  /** Snapped to the 16 bits of `Player.shotAngle`, so clients fly the same path. */
  angle = 0;
  /** Tick it was fired on. */
  tick = 0;
  /** How far back, in ms, this shooter saw the other players when firing. */
  rewindMs = 0;
  /** Steps after firing at which the path meets a wall, or Infinity (computed once, at firing). */
  wallAt = Infinity;
}

/** The phases a match cycles through (the schema stores the phase as a string). */
export type MatchPhase = "warmup" | "playing" | "results";

/** The room state Colyseus replicates to every client of an arena room. */
export const ArenaState = schema({
  /** "warmup" | "playing" | "results". */
  phase: t.string().default("warmup"),
  /** Simulation step counter. */
  tick: t.uint32().default(0),
  /** Tick at which the current phase ends; 0 while warm-up waits for players. */
  phaseEndsAt: t.uint32().default(0),
  /** Session id of the last match's winner (set during results). */
  winner: t.string().default(""),
  /** Simulation rate the ticks above count in. */
  tickRate: t.uint8().default(30),
  /** The published editor map played here ("" and 0: the built-in map); clients fetch it by id and version. */
  mapId: t.string().default(""),
  mapVersion: t.uint32().default(0),
  players: t.map(Player),
  /** Projectiles in flight (server-side only: see {@link Projectile}). */
  projectiles: t.ref(Map<string, Projectile>).noSync().default(() => new Map<string, Projectile>()),
  /** Next projectile id (server-side only). */
  nextProjectileId: t.uint32().default(0).noSync(),
  /**
   * Players send their inputs two to a frame (the server's INPUT_PAIRS setting; wire/inputPairs.ts). In the state,
   * not a message, so that a client reads it whenever it joined or came back: a message sent on join can
   * arrive before the client listens for it.
   */
  inputPairs: t.boolean().default(false),
}, "ArenaState");
export type ArenaState = SchemaType<typeof ArenaState>;
