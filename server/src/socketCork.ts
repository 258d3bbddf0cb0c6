/**
 * Holds a client's outgoing frames until the end of the current turn of the event loop, so that frames sent
 * one after the other (a round-trip probe, then the patch) leave in one write: the `writev` system call is
 * most of what a small frame costs the server (docs/BENCHMARKS.md, issue 23: a probe in a write of its own
 * ~7 µs of CPU on loopback, riding in the patch's write ~0).
 *
 * This reaches past two public APIs, here only: Colyseus' ws transport keeps the `ws` WebSocket as `ref`
 * (declared public in its `.d.ts`), and `ws` keeps the Node socket it writes to as `_socket` (not declared).
 * Node's `writable.cork()` with `process.nextTick(() => writable.uncork())` is the pattern Node documents for
 * batching writes. server/test/socket-cork.test.ts fails when either field is gone or the frames stop
 * sharing the write.
 */
import { Socket } from "node:net";

const corked: Socket[] = [];

function flush(): void {
  for (const socket of corked) socket.uncork();
  corked.length = 0;
}

/** The Node socket under a Colyseus ws-transport client, if it has one (a transport of another kind: none). */
export function socketOf(client: { ref?: unknown }): Socket | undefined {
  const socket = (client.ref as { _socket?: unknown } | undefined)?._socket;
  return socket instanceof Socket ? socket : undefined;
}

/**
 * Corks `client`'s socket until this turn of the event loop ends (one `process.nextTick` uncorks every
 * socket corked in the turn). A client whose socket cannot be found is left as it is: its frames go out
 * one write each, as without this.
 */
export function corkUntilTurnEnds(client: { ref?: unknown }): void {
  const socket = socketOf(client);
  if (socket === undefined || socket.destroyed) return;
  socket.cork();
  if (corked.push(socket) === 1) process.nextTick(flush);
}
