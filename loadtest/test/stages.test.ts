/** The stage split of `npm run bench:stages`: which stage a profile sample lands in. */
import { describe, expect, it } from "vitest";
import type { CpuProfile, ProfileNode } from "../src/profile/inspector.ts";
import { parsePerfScript } from "../src/profile/perf.ts";
import { splitByStage, splitPerfByStage } from "../src/profile/stages.ts";

const NM = "file:///repo/node_modules/";
const SRC = "file:///repo/server/src/";

/** A profile from call chains (root first), each sampled `n` times. */
function profileOf(chains: readonly { frames: readonly [string, string][]; n: number }[]): CpuProfile {
  const nodes: ProfileNode[] = [{ id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: -1, columnNumber: -1 }, children: [] }];
  const samples: number[] = [];
  for (const chain of chains) {
    let parent = nodes[0]!;
    for (const [functionName, url] of chain.frames) {
      const node: ProfileNode = { id: nodes.length + 1, callFrame: { functionName, url, lineNumber: 0, columnNumber: 0 }, children: [] };
      nodes.push(node);
      parent.children!.push(node.id);
      parent = node;
    }
    for (let i = 0; i < chain.n; i++) samples.push(parent.id);
  }
  return { nodes, samples, startTime: 0, endTime: 1, timeDeltas: samples.map(() => 1) };
}

const timer: [string, string] = ["listOnTimeout", "node:internal/timers"];
const received: [string, string][] = [
  ["onStreamRead", "node:internal/stream_base_commons"],
  ["receiverOnMessage", `${NM}ws/lib/websocket.js`],
  ["emit", "node:events"],
  ["ws.emit", `${SRC}frameLimit.ts`],
  ["_onMessage", `${NM}@colyseus/core/build/Room.mjs`],
  ["decodeReliable", `${NM}@colyseus/core/build/input/RoomInput.mjs`],
];
const patched: [string, string][] = [
  timer,
  ["broadcastPatch", `${SRC}rooms/arena/ArenaRoom.ts`],
  ["applyPatches", `${NM}@colyseus/core/build/serializer/SchemaSerializer.mjs`],
  ["sendClientFrame", `${NM}@colyseus/core/build/serializer/SchemaSerializer.mjs`],
  ["raw", `${NM}@colyseus/ws-transport/build/WebSocketClient.mjs`],
  ["ws.send", `${SRC}metrics.ts`],
  ["send", `${NM}ws/lib/websocket.js`],
];

describe("bench:stages' split of a profile", () => {
  it("gives each sample the stage of its innermost named frame; shared libraries count for their caller", () => {
    const split = splitByStage(profileOf([
      // The schema package's forEach under the step is the step's; its decoder under the input channel is input decoding.
      { frames: [timer, ["(anon)", `${SRC}rooms/arena/fixedStep.ts`], ["stepWorld", "file:///repo/shared/src/sim/world.ts"], ["forEach", `${NM}@colyseus/schema/build/index.mjs`]], n: 5 },
      { frames: [...received, ["decode", `${NM}@colyseus/schema/build/index.mjs`]], n: 4 },
      // node:events between ws and our guard: ws' receive; the guard's own frame: the guard.
      { frames: received.slice(0, 3), n: 3 },
      { frames: received.slice(0, 4), n: 2 },
      // Down the send path: the socket write, the metrics wrapper, the per-client frame.
      { frames: [...patched, ["writev", ""]], n: 6 },
      { frames: patched.slice(0, 6), n: 1 },
      { frames: patched.slice(0, 4), n: 2 },
      { frames: [["(garbage collector)", ""]], n: 3 },
      // A promise's continuation starts at the root: node's fs frames name it.
      { frames: [["open", "node:internal/fs/promises"], ["openFileHandle", ""]], n: 2 },
      { frames: [["(idle)", ""]], n: 50 },
      { frames: [["mystery", "file:///repo/elsewhere.ts"]], n: 1 },
    ]));
    expect(Object.fromEntries(split.samples)).toEqual({
      "step (simulation)": 5,
      "input decoding": 4,
      "ws receive and frame parsing": 3,
      "frame guard and flood bucket": 2,
      "send (ws frame, socket write)": 6,
      "metrics (send wrapper, counters)": 1,
      "patch framing per client": 2,
      "garbage collection": 3,
      "file I/O (replay recording, stores)": 2,
      "other JavaScript": 1,
    });
    expect(split.busySamples).toBe(29);
    expect(split.idleSamples).toBe(50);
    expect([...split.unassigned]).toEqual([["mystery file:///repo/elsewhere.ts", 1]]);
  });

  it("splits perf's samples the same way, kernel and native frames counting for their JavaScript caller", () => {
    // `perf script -F tid,ip,sym`: a thread id line, then the stack innermost first; JavaScript frames as --perf-basic-prof names them.
    const text = [
      // A writev's kernel time, under ws' send: the send.
      "100", "ffffffff81 tcp_sendmsg", "7f01 __GI___writev", "7f02 node::StreamBase::Writev",
      "7f03 JS:*writevGeneric node:internal/stream_base_commons:122:25", "7f04 JS:*send /repo/node_modules/ws/lib/websocket.js:476:7",
      "7f05 JS:*broadcastPatch file:///repo/server/src/rooms/arena/ArenaRoom.ts:1:12455", "",
      // Our whole-frame write, the send and Node's stream inlined into Colyseus' broadcast: still the send.
      "100", "ffffffff84 tcp_sendmsg", "7f11 __libc_write", "7f12 uv__try_write", "7f13 node::StreamBase::WriteBuffer",
      "7f14 JS:*applyPatches file:///repo/node_modules/@colyseus/core/build/serializer/SchemaSerializer.mjs:93:15", "",
      // A socket's read before JavaScript sees the bytes: the receive.
      "100", "ffffffff82 tcp_recvmsg_locked", "7f06 __GI___read", "7f07 uv__stream_io", "7f08 uv__io_poll", "7f09 uv_run", "",
      // The loop waiting: epoll.
      "100", "ffffffff83 finish_task_switch.isra.0", "7f0a epoll_pwait", "7f08 uv__io_poll", "7f09 uv_run", "",
      // A scavenge under the step's allocation: garbage collection.
      "100", "7f0b v8::internal::ScavengerCollector::CollectGarbage()", "7f0c v8::internal::Heap::Scavenge()",
      "7f0d JS:*stepWorld file:///repo/shared/src/sim/world.ts:1:825", "",
      // The step, a schema setter inlined (no frame of its own).
      "100", "7f0e JS:* file:///repo/shared/src/sim/combat.ts:1:1760", "7f0d JS:*stepWorld file:///repo/shared/src/sim/world.ts:1:825", "",
      // V8's own work with no script on the stack, and another thread.
      "100", "7f0f v8::internal::Invoke", "7f09 uv_run", "",
      "101", "7f10 v8::internal::ConcurrentMarking::Run", "",
    ].join("\n");
    const split = splitPerfByStage(parsePerfScript(text), 100);
    expect(Object.fromEntries(split.samples)).toEqual({
      "send (ws frame, socket write)": 2,
      "ws receive and frame parsing": 1,
      "event loop: epoll wait and wake-ups": 1,
      "garbage collection": 1,
      "step (simulation)": 1,
      "V8 and native, unattributed": 1,
      "other threads: V8 helpers (GC, compiler), libuv pool": 1,
    });
    expect(split.busySamples).toBe(8);
  });
});
