/** Validators for every message a client may send (besides inputs, which the input schema bounds). */
import { z } from "zod";
import {
  BOT_DIFFICULTIES, ClientMessage, DEFAULT_MODE, GAME_MODES, MAP_ID_PATTERN, MAP_VERSION_MAX, PRACTICE_MAX_BOTS, VOICE_CANDIDATE_MAX, VOICE_SDP_MAX,
} from "@arena/shared";

/** Raw chat text longer than this is a protocol error, not just a long message. */
const CHAT_RAW_MAX = 1000;

/** Longest session id a signal may name (Colyseus' are 9 characters). */
const SESSION_ID_MAX = 64;

const signalTarget = { to: z.string().min(1).max(SESSION_ID_MAX), link: z.number().int().min(1).max(2 ** 31) };

export const ClientMessages = {
  [ClientMessage.Chat]: z.object({ text: z.string().max(CHAT_RAW_MAX) }).strict(),
  [ClientMessage.Typing]: z.object({ typing: z.boolean() }).strict(),
  [ClientMessage.Voice]: z.object({ on: z.boolean() }).strict(),
  /** No payload (or an empty object). */
  [ClientMessage.PlayAgain]: z.object({}).strict().optional(),
  [ClientMessage.Signal]: z.union([
    z.object({
      ...signalTarget,
      description: z.object({ type: z.enum(["offer", "answer"]), sdp: z.string().min(1).max(VOICE_SDP_MAX) }).strict(),
    }).strict(),
    z.object({
      ...signalTarget,
      candidate: z.object({
        candidate: z.string().max(VOICE_CANDIDATE_MAX),
        sdpMid: z.string().max(32).nullable().optional(),
        sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
        usernameFragment: z.string().max(256).nullable().optional(),
      }).strict(),
    }).strict(),
  ]),
} as const;

export const JoinOptionsSchema = z
  .object({ name: z.string().max(64).optional() })
  .strip()
  .optional();

const MAP_REF_MESSAGE = `map must be { id, version }: an id of 8-64 letters, digits, - or _ and a whole version from 1 to ${MAP_VERSION_MAX}`;

/** A published map version named by a create option. */
export const MapRefSchema = z
  .object({
    id: z.string({ message: MAP_REF_MESSAGE }).regex(MAP_ID_PATTERN, MAP_REF_MESSAGE),
    version: z.number({ message: MAP_REF_MESSAGE }).int(MAP_REF_MESSAGE).min(1, MAP_REF_MESSAGE).max(MAP_VERSION_MAX, MAP_REF_MESSAGE),
  }, { message: MAP_REF_MESSAGE })
  .strict();

/** Options of the client that creates a room (Colyseus passes them to onCreate). */
export const CreateOptionsSchema = z
  .object({
    name: z.string().max(64).optional(),
    mode: z.enum(GAME_MODES).default(DEFAULT_MODE),
    private: z.boolean().default(false),
    /** A practice room: this many bots, whoever joins (implies a private room). */
    bots: z
      .number({ message: `bots must be a whole number from 1 to ${PRACTICE_MAX_BOTS}` })
      .int(`bots must be a whole number from 1 to ${PRACTICE_MAX_BOTS}`)
      .min(1, `bots must be a whole number from 1 to ${PRACTICE_MAX_BOTS}`)
      .max(PRACTICE_MAX_BOTS, `bots must be a whole number from 1 to ${PRACTICE_MAX_BOTS}`)
      .optional(),
    difficulty: z.enum(BOT_DIFFICULTIES, { message: `difficulty must be one of ${BOT_DIFFICULTIES.join(", ")}` }).optional(),
    /** A published editor map version to play on (implies a private room). */
    map: MapRefSchema.optional(),
  })
  .strip()
  .refine((o) => o.difficulty === undefined || o.bots !== undefined, { message: "difficulty is only for a practice room (set bots too)", path: ["difficulty"] })
  .default({ mode: DEFAULT_MODE, private: false });

/** A client-sent message type as text for a log or close reason; never throws, whatever the decoder produced. */
export function messageTypeText(type: unknown): string {
  if (typeof type === "string") return JSON.stringify(type);
  // Numbers and bigints as digits; anything else by its kind only (String() of a deeply nested array overflows the stack).
  return typeof type === "number" || typeof type === "bigint" ? String(type) : `(${typeof type})`;
}

/** A short, human-readable reason for the first validation issue. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return "invalid payload";
  const path = issue.path.length > 0 ? issue.path.join(".") + ": " : "";
  return path + issue.message;
}

/** RFC 6455 caps a close frame's reason at 123 bytes of UTF-8; `ws` throws on a longer one. */
const MAX_CLOSE_REASON_BYTES = 123;

/**
 * `reason`, cut to fit a WebSocket close frame. Reasons quote what the client
 * sent (e.g. an unknown message type), so their length is the client's choice;
 * an uncut one made `client.leave` throw and left the offender connected.
 */
export function closeReason(reason: string): string {
  if (Buffer.byteLength(reason) <= MAX_CLOSE_REASON_BYTES) return reason;
  let cut = reason.slice(0, MAX_CLOSE_REASON_BYTES - 3);
  while (Buffer.byteLength(cut) > MAX_CLOSE_REASON_BYTES - 3) cut = cut.slice(0, -1);
  return cut + "...";
}
