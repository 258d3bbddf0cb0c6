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
  "event loop: epoll wait and wake-ups",
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
  // perf's native frames (profile/perf.ts): V8's collector, its allocation slow path and its write barrier's marking.
  { stage: "garbage collection", fn: /^v8::internal::(Heap::|Scavenge|MinorM|MarkCompact|MarkingBarrier|IncrementalMarking|ConcurrentMarking|Sweeper|GCTracer|MemoryAllocator|PagedSpace|NewSpace|SemiSpace)/ },
  { stage: "V8 and native, unattributed", fn: /^\(program\)$/ },
  // perf only (native frames): Node's write of a buffer to a socket, kernel included below it. Named here, innermost,
  // because the JavaScript above it may all be inlined into its caller (our whole-frame send into Colyseus' broadcast).
  { stage: "send (ws frame, socket write)", fn: /^(node::StreamBase::(Write|WriteBuffer|Writev|JSMethod<&node::StreamBase::(WriteBuffer|Writev)>)|node::LibuvStreamWrap::DoTryWrite|non-virtual thunk to node::LibuvStreamWrap::DoTryWrite|uv_try_write|uv__try_write|uv_write)\b/ },
  // Ours.
  { stage: "send (ws frame, socket write)", url: /\/server\/src\/wholeFrames\.ts$/ },
  { stage: "frame guard and flood bucket", url: /\/server\/src\/(frameLimit|limits\/TokenBucket)\.ts$/ },
  { stage: "metrics (send wrapper, counters)", url: /\/server\/src\/metrics\.ts$|\/node_modules\/prom-client\/|\/server\/src\/rooms\/arena\/pace\.ts$/ },
  { stage: "input decoding", url: /\/server\/src\/rooms\/arena\/(input|inputWire)\.ts$/ },
  { stage: "file I/O (replay recording, stores)", url: /\/server\/src\/replay\/|^node:internal\/fs\// },
  { stage: "leaderboard, people, credits", url: /\/server\/src\/(leaderboard|people)\/|\/server\/src\/rooms\/arena\/(credits|liveScore)\.ts$/ },
  { stage: "timers: heartbeats, round trips, presence, room clock", url: /\/server\/src\/rooms\/arena\/(roundTrips|voiceSignaling|seating|keeper|chat)\.ts$/ },
  // Shared code outside the simulation: input pairs are split on receipt, replay framing is the recording's.
  { stage: "input decoding", url: /\/shared\/src\/wire\/inputPairs\.ts$/ },
  { stage: "file I/O (replay recording, stores)", url: /\/shared\/src\/replay\// },
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
  { stage: "send (ws frame, socket write)", fn: /^(writeGeneric|writevGeneric|handleWriteReq|_writeGeneric|_writev|doWrite|clearBuffer|afterWriteDispatched|onWriteComplete|afterWrite|afterWriteTick|cork|uncork|writeBuffer|writev)$/ },
  { stage: "ws receive and frame parsing", fn: /^(onStreamRead|readableAddChunk|addChunk|push)$/ },
  { stage: "HTTP (health, metrics scrapes)", url: /^node:_http|\/node_modules\/(express|router|finalhandler)\// },
  { stage: "timers: heartbeats, round trips, presence, room clock", fn: /^(listOnTimeout|processTimers)$/ },
  // perf only (native frames, outermost last): libuv's read of a socket and Node's wrapping of the bytes read, kernel
  // included, before JavaScript is called with them; the loop's wait in epoll, with the scheduler's switch on wake-up.
  { stage: "ws receive and frame parsing", fn: /^(uv__read|uv__stream_io|node::LibuvStreamWrap::|node::StreamBase::CallJSOnreadMethod|node::EmitToJSStreamListener::)/ },
  { stage: "event loop: epoll wait and wake-ups", fn: /^(epoll_pwait|epoll_wait|uv__io_poll)$/ },
];

const idleFns = new Set(["(idle)", "(root)"]);

/** A frame of a stack as a rule reads it: the inspector's call frame, or a perf symbol made into one (profile/perf.ts). */
export interface ProfileFrame {
  functionName: string;
  url: string;
}

function ruleOf(node: ProfileNode): Stage | undefined {
  return ruleOfFrame(node.callFrame);
}

function ruleOfFrame({ functionName, url }: ProfileFrame): Stage | undefined {
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

/** Whether a frame is JavaScript (perf's native and kernel frames have no url). */
function isJavaScript(frame: ProfileFrame): boolean {
  return frame.url !== "";
}

/**
 * Splits perf's on-CPU samples of a process (profile/perf.ts) by stage: a sample of a thread other than the
 * event loop's (`mainTid`) is V8's or libuv's helpers; on the event loop, the innermost frame a rule names decides,
 * kernel and native frames passing to their JavaScript caller (a `writev` is its sender's) unless a native rule names
 * them first (libuv's socket read, the loop's wait in epoll); a stack nothing names and with no JavaScript at all
 * (libuv, V8's own work) is "V8 and native, unattributed".
 */
export function splitPerfByStage(samples: ReadonlyArray<{ tid: number; frames: readonly ProfileFrame[] }>, mainTid: number): StageSplit {
  const counts = new Map<Stage, number>();
  const unassigned = new Map<string, number>();
  const add = (s: Stage): void => void counts.set(s, (counts.get(s) ?? 0) + 1);
  for (const { tid, frames } of samples) {
    if (tid !== mainTid) {
      add("other threads: V8 helpers (GC, compiler), libuv pool");
      continue;
    }
    let stage: Stage | undefined;
    for (const frame of frames) {
      stage = ruleOfFrame(frame);
      if (stage !== undefined) break;
    }
    if (stage !== undefined) {
      add(stage);
      continue;
    }
    const js = frames.find(isJavaScript);
    if (js === undefined) {
      add("V8 and native, unattributed");
      continue;
    }
    add("other JavaScript");
    const key = `${js.functionName || "(anonymous)"} ${js.url.replace(/^.*\/node_modules\//, "")}`;
    unassigned.set(key, (unassigned.get(key) ?? 0) + 1);
  }
  return { samples: counts, busySamples: samples.length, idleSamples: 0, unassigned };
}
