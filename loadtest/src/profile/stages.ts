/**
 * Splits a CPU profile's samples by stage of the server's work: each sample goes to the stage of the
 * innermost frame of its stack that a rule names. Libraries that serve several stages (the schema
 * package, msgpackr, Buffer, node:events) have no rule, so their time goes to whoever called them:
 * the schema's change tracking during a step is the step's, its encoder under the patch broadcast is
 * the patch encode's.
 */
import type { CpuProfile, ProfileNode } from "./inspector.ts";

export const STAGES = [
  "ws receive and frame parsing",
  "frame guard and flood bucket",
  "Colyseus message dispatch",
  "input decoding",
  "input buffer",
  "step (simulation)",
  "lag-compensation history",
  "patch encode",
  "patch framing per client",
  "send (ws frame, socket write)",
  "metrics (send wrapper, counters)",
  "timers: heartbeats, round trips, presence, room clock",
  "leaderboard, people, credits",
  "file I/O (replay recording, stores)",
  "HTTP (health, metrics scrapes)",
  "garbage collection",
  "V8 and native, unattributed",
  "other JavaScript",
  "other threads: V8 helpers (GC, compiler), libuv pool",
] as const;
export type Stage = (typeof STAGES)[number];

interface Rule {
  stage: Stage;
  url?: RegExp;
  fn?: RegExp;
}

/** Innermost first: the first rule a frame matches decides it; a frame no rule matches passes to its caller. */
const RULES: readonly Rule[] = [
  { stage: "garbage collection", fn: /^\(garbage collector\)$/ },
  { stage: "V8 and native, unattributed", fn: /^\(program\)$/ },
  // Ours.
  { stage: "frame guard and flood bucket", url: /\/server\/src\/(frameLimit|limits\/TokenBucket)\.ts$/ },
  { stage: "metrics (send wrapper, counters)", url: /\/server\/src\/metrics\.ts$|\/node_modules\/prom-client\/|\/server\/src\/rooms\/arena\/pace\.ts$/ },
  { stage: "input decoding", url: /\/server\/src\/rooms\/arena\/input\.ts$/ },
  { stage: "file I/O (replay recording, stores)", url: /\/server\/src\/replay\/|^node:internal\/fs\// },
  { stage: "leaderboard, people, credits", url: /\/server\/src\/(leaderboard|people)\/|\/server\/src\/rooms\/arena\/(credits|liveScore)\.ts$/ },
  { stage: "timers: heartbeats, round trips, presence, room clock", url: /\/server\/src\/rooms\/arena\/(roundTrips|voiceSignaling|seating|keeper|chat)\.ts$/ },
  { stage: "step (simulation)", url: /\/server\/src\/rooms\/arena\/(fixedStep|botFill|botBudget|matchEvents)\.ts$|\/shared\/src\// },
  // Colyseus.
  { stage: "lag-compensation history", url: /\/@colyseus\/core\/build\/Rewind\./ },
  { stage: "input buffer", url: /\/@colyseus\/core\/build\/input\/InputBuffer\./ },
  { stage: "input decoding", url: /\/@colyseus\/core\/build\/input\// },
  { stage: "patch framing per client", fn: /^(buildTimedFrame|sendClientFrame|clientProcessedInputSeq)$/ },
  { stage: "patch encode", url: /\/@colyseus\/core\/build\/serializer\// },
  { stage: "patch encode", fn: /^(broadcastPatch|_flushUnreliable|_flushPendingClientFrames|_flushAfterPatchBroadcasts)$/ },
  { stage: "send (ws frame, socket write)", fn: /^(raw|enqueueRaw|enqueueClientRaw)$/, url: /\/@colyseus\/(core|ws-transport)\/build\// },
  { stage: "Colyseus message dispatch", fn: /^(_onMessage|onMessage|_onMessageHandler)$/, url: /\/@colyseus\/(core|ws-transport)\/build\// },
  { stage: "timers: heartbeats, round trips, presence, room clock", url: /\/@colyseus\/(timer|clock)\/|\/@colyseus\/core\/build\/(Room|MatchMaker|presence|matchmaker|Stats)/ },
  { stage: "timers: heartbeats, round trips, presence, room clock", url: /\/@colyseus\/ws-transport\/build\/WebSocketTransport\./ },
  // ws and Node's socket.
  { stage: "send (ws frame, socket write)", url: /\/node_modules\/ws\/lib\/sender\.js$/ },
  { stage: "send (ws frame, socket write)", fn: /^send$/, url: /\/node_modules\/ws\/lib\/websocket\.js$/ },
  { stage: "ws receive and frame parsing", url: /\/node_modules\/(ws\/lib\/(receiver|buffer-util|validation|websocket)\.js|bufferutil\/)/ },
  { stage: "send (ws frame, socket write)", fn: /^(writeGeneric|writevGeneric|handleWriteReq|_writeGeneric|_writev|_write|writeOrBuffer|doWrite|clearBuffer|afterWriteDispatched|onWriteComplete|afterWrite|afterWriteTick|cork|uncork|writeBuffer|writev)$/ },
  { stage: "ws receive and frame parsing", fn: /^(onStreamRead|readableAddChunk|addChunk|push)$/ },
  { stage: "HTTP (health, metrics scrapes)", url: /^node:_http|\/node_modules\/(express|router|finalhandler)\// },
  { stage: "timers: heartbeats, round trips, presence, room clock", fn: /^(listOnTimeout|processTimers)$/ },
];

const idleFns = new Set(["(idle)", "(root)"]);

function ruleOf(node: ProfileNode): Stage | undefined {
  const { functionName, url } = node.callFrame;
  for (const r of RULES) {
    if (r.fn !== undefined && !r.fn.test(functionName)) continue;
    if (r.url !== undefined && !r.url.test(url)) continue;
    return r.stage;
  }
  return undefined;
}

export interface StageSplit {
  /** Samples by stage (idle excluded). */
  samples: Map<Stage, number>;
  busySamples: number;
  idleSamples: number;
  /** Innermost frames of the samples left to "other JavaScript", for refining the rules. */
  unassigned: Map<string, number>;
}

/** Splits `profile`'s non-idle samples by stage. */
export function splitByStage(profile: CpuProfile): StageSplit {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const stageOf = new Map<number, Stage | null>();
  const classify = (id: number): Stage | null => {
    const known = stageOf.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const up = parent.get(id);
    const s = ruleOf(node) ?? (up !== undefined ? classify(up) : null);
    stageOf.set(id, s);
    return s;
  };
  const samples = new Map<Stage, number>();
  const unassigned = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const id of profile.samples) {
    const node = byId.get(id)!;
    if (idleFns.has(node.callFrame.functionName)) {
      idle++;
      continue;
    }
    busy++;
    const s = classify(id) ?? "other JavaScript";
    samples.set(s, (samples.get(s) ?? 0) + 1);
    if (s === "other JavaScript") {
      const key = `${node.callFrame.functionName || "(anonymous)"} ${node.callFrame.url.replace(/^.*\/node_modules\//, "")}`;
      unassigned.set(key, (unassigned.get(key) ?? 0) + 1);
    }
  }
  return { samples, busySamples: busy, idleSamples: idle, unassigned };
}
