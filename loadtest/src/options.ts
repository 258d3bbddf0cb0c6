/** Load-test options: parsed from the command line, bounded, and limited to this machine. */
import { parseArgs } from "node:util";

/** How bots treat state patches (see docs/LOADTEST.md). */
export type DecodeMode = "none" | "room" | "all";

export interface LoadOptions {
  /** Base URLs of the game servers (http://127.0.0.1:PORT); bots are spread over them round-robin. */
  endpoints: string[];
  bots: number;
  /** Bots per room: undefined means quick play (joinOrCreate fills rooms up to the server's limit). */
  playersPerRoom: number | undefined;
  /** Join this room id instead of quick play. */
  roomId: string | undefined;
  durationSeconds: number;
  /** Inputs per second per bot. */
  inputRate: number;
  /** Bots started per second. */
  rampPerSecond: number;
  decode: DecodeMode;
  /** Mean seconds between two chat messages of one bot (0: never). */
  chatEverySeconds: number;
  /** Mean seconds between a bot leaving and rejoining (0: never). */
  rejoinEverySeconds: number;
  /** Where the summary JSON is written (undefined: not written). */
  out: string | undefined;
  /** Seed of the bots' random choices, so two runs play alike. */
  seed: number;
}

export const LIMITS = { bots: 2000, durationSeconds: 3600, inputRate: 60, rampPerSecond: 500 } as const;

export const DEFAULTS: LoadOptions = {
  endpoints: ["http://127.0.0.1:2567"],
  bots: 20,
  playersPerRoom: undefined,
  roomId: undefined,
  durationSeconds: 30,
  inputRate: 30,
  rampPerSecond: 50,
  decode: "room",
  chatEverySeconds: 30,
  rejoinEverySeconds: 120,
  out: "test-output/loadtest-summary.json",
  seed: 1,
};

export class OptionsError extends Error {
  override name = "OptionsError";
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** Refuses anything but http(s)/ws(s) URLs on this machine: load is never sent elsewhere. */
export function checkEndpoint(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.includes("://") ? raw : `http://${raw}`);
  } catch {
    throw new OptionsError(`endpoint "${raw}" is not a URL`);
  }
  if (!LOOPBACK.has(url.hostname)) throw new OptionsError(`endpoint "${raw}" is not on this machine (127.0.0.1 only)`);
  const protocol = url.protocol === "wss:" || url.protocol === "https:" ? "https:" : "http:";
  return `${protocol}//${url.host}`;
}

function bounded(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new OptionsError(`--${name} must be a number from ${min} to ${max}, got "${raw}"`);
  return n;
}

/** Checks and completes options given in code (tests, the benchmark). */
export function resolveOptions(partial: Partial<LoadOptions>): LoadOptions {
  const o: LoadOptions = { ...DEFAULTS, ...partial };
  o.endpoints = o.endpoints.map(checkEndpoint);
  if (o.endpoints.length === 0) throw new OptionsError("at least one endpoint is needed");
  const check = (name: string, v: number, min: number, max: number): void => {
    if (!Number.isFinite(v) || v < min || v > max) throw new OptionsError(`${name} must be from ${min} to ${max}, got ${v}`);
  };
  check("bots", o.bots, 1, LIMITS.bots);
  check("duration", o.durationSeconds, 1, LIMITS.durationSeconds);
  check("input-rate", o.inputRate, 1, LIMITS.inputRate);
  check("ramp", o.rampPerSecond, 1, LIMITS.rampPerSecond);
  if (o.playersPerRoom !== undefined) check("players-per-room", o.playersPerRoom, 1, 64);
  if (!["none", "room", "all"].includes(o.decode)) throw new OptionsError(`--decode must be none, room or all, got "${o.decode}"`);
  return o;
}

export const USAGE = `npm run loadtest -- [options]

  --bots N               bots to run (default ${DEFAULTS.bots}, at most ${LIMITS.bots})
  --duration S           seconds the run lasts, ramp included (default ${DEFAULTS.durationSeconds}, at most ${LIMITS.durationSeconds})
  --players-per-room N   put N bots in each room (default: quick play fills rooms)
  --room-id ID           join this room instead of quick play
  --input-rate HZ        inputs per second per bot (default ${DEFAULTS.inputRate})
  --ramp N               bots started per second (default ${DEFAULTS.rampPerSecond})
  --decode MODE          none | room | all: who decodes state patches (default ${DEFAULTS.decode}; see docs/LOADTEST.md)
  --chat-every S         mean seconds between chat messages of a bot (0: never; default ${DEFAULTS.chatEverySeconds})
  --rejoin-every S       mean seconds between a bot leaving and rejoining (0: never; default ${DEFAULTS.rejoinEverySeconds})
  --endpoint URL[,URL]   game servers on this machine (default ${DEFAULTS.endpoints[0]})
  --out FILE             summary JSON (default ${DEFAULTS.out})
  --seed N               seed of the bots' random choices (default ${DEFAULTS.seed})
  --plain                plain progress lines even on a terminal (no @colyseus/loadtest screen)
`;

/** Parses `argv` (without node and the script). */
export function parseOptions(argv: readonly string[]): { options: LoadOptions; plain: boolean; help: boolean } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      bots: { type: "string" }, duration: { type: "string" }, "players-per-room": { type: "string" },
      "room-id": { type: "string" }, "input-rate": { type: "string" }, ramp: { type: "string" },
      decode: { type: "string" }, "chat-every": { type: "string" }, "rejoin-every": { type: "string" },
      endpoint: { type: "string" }, out: { type: "string" }, seed: { type: "string" },
      plain: { type: "boolean" }, help: { type: "boolean" },
    },
    strict: true,
  });
  const options = resolveOptions({
    endpoints: values.endpoint !== undefined ? values.endpoint.split(",").map((s) => s.trim()).filter(Boolean) : DEFAULTS.endpoints,
    bots: bounded("bots", values.bots, DEFAULTS.bots, 1, LIMITS.bots),
    durationSeconds: bounded("duration", values.duration, DEFAULTS.durationSeconds, 1, LIMITS.durationSeconds),
    playersPerRoom: values["players-per-room"] !== undefined ? bounded("players-per-room", values["players-per-room"], 16, 1, 64) : undefined,
    roomId: values["room-id"],
    inputRate: bounded("input-rate", values["input-rate"], DEFAULTS.inputRate, 1, LIMITS.inputRate),
    rampPerSecond: bounded("ramp", values.ramp, DEFAULTS.rampPerSecond, 1, LIMITS.rampPerSecond),
    decode: (values.decode ?? DEFAULTS.decode) as DecodeMode,
    chatEverySeconds: bounded("chat-every", values["chat-every"], DEFAULTS.chatEverySeconds, 0, 3600),
    rejoinEverySeconds: bounded("rejoin-every", values["rejoin-every"], DEFAULTS.rejoinEverySeconds, 0, 3600),
    out: values.out ?? DEFAULTS.out,
    seed: bounded("seed", values.seed, DEFAULTS.seed, 0, 2 ** 31),
  });
  return { options, plain: values.plain === true, help: values.help === true };
}
