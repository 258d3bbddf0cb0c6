/** Validators for every message a client may send (besides inputs, which the input schema bounds). */
import { z } from "zod";
import { ClientMessage, DEFAULT_MODE, GAME_MODES } from "@arena/shared";

/** Raw chat text longer than this is a protocol error, not just a long message. */
const CHAT_RAW_MAX = 1000;

export const ClientMessages = {
  [ClientMessage.Chat]: z.object({ text: z.string().max(CHAT_RAW_MAX) }).strict(),
  [ClientMessage.Typing]: z.object({ typing: z.boolean() }).strict(),
} as const;

export const JoinOptionsSchema = z
  .object({ name: z.string().max(64).optional() })
  .strip()
  .optional();

/** Options of the client that creates a room (Colyseus passes them to onCreate). */
export const CreateOptionsSchema = z
  .object({
    name: z.string().max(64).optional(),
    mode: z.enum(GAME_MODES).default(DEFAULT_MODE),
    private: z.boolean().default(false),
  })
  .strip()
  .default({ mode: DEFAULT_MODE, private: false });

/** A short, human-readable reason for the first validation issue. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return "invalid payload";
  const path = issue.path.length > 0 ? issue.path.join(".") + ": " : "";
  return path + issue.message;
}
