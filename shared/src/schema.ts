/**
 * Wire schemas: the input a client sends each step, and the room state the
 * server replicates. Numeric fields use the narrowest type that holds them.
 */
import { schema, t, type SchemaType } from "@colyseus/schema";
import { POSITION_RANGE } from "./constants.ts";

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
  /** Index into the client's palette. */
  color: t.uint8().default(0),
  /** Small number unique among the room's players while seated: projectiles name their owner by it. */
  slot: t.uint8().default(0),
  /** Inputs left before the next shot may be fired (server-side only). */
  cooldown: t.uint8().default(0).noSync(),
  /** Tick at which a dead player respawns (server-side only). */
  respawnAt: t.uint32().default(0).noSync(),
}, "Player");
export type Player = SchemaType<typeof Player>;

/**
 * A projectile is replicated once, when it is fired: clients compute where it
 * is from its origin, angle and spawn tick. It is removed when it hits or expires.
 */
export const Projectile = schema({
  /** The shooter's `slot` (one byte instead of a session id). */
  owner: t.uint8().default(0),
  x: coordinate(),
  y: coordinate(),
  /**
   * Direction in 16 bits (0.0055°: under 0.07 units off at full range). The
   * field snaps on write, so the server flies the same angle clients decode.
   */
  angle: t.angle({ bits: 16 }).default(0),
  tick: t.uint32().default(0),
  /** The shooter's session id (server-side only). */
  ownerId: t.string().default("").noSync(),
  /** How far back, in ms, this shooter saw the other players when firing (server-side only). */
  rewindMs: t.float64().default(0).noSync(),
  /** Steps after firing at which the path meets a wall, or Infinity (server-side only, computed once). */
  wallAt: t.float64().default(0).noSync(),
}, "Projectile");
export type Projectile = SchemaType<typeof Projectile>;

export type MatchPhase = "warmup" | "playing" | "results";

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
  players: t.map(Player),
  projectiles: t.map(Projectile),
  /** Next projectile id (server-side only). */
  nextProjectileId: t.uint32().default(0).noSync(),
}, "ArenaState");
export type ArenaState = SchemaType<typeof ArenaState>;
