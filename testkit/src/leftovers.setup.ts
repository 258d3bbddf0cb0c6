/**
 * A setup file for tiers whose files share one module graph and one process (vitest.config.ts: `isolate: false`):
 * after each file, nothing it started may still listen. A server left listening keeps its rooms, timers and sockets
 * in the worker, and the next file there runs beside it: its clocks and rates then measure the leftover (an invite's
 * note was 7 ms late in people-routes after such a file). The check fails the file that leaked, by name.
 *
 * Its `afterAll` is registered before the file's own, and vitest runs after-hooks in reverse order, so it runs last:
 * after the file closed what it started.
 */
import { Server } from "node:net";
import { afterAll, expect } from "vitest";

/** Listening servers (HTTP or plain TCP) of this process, by address. */
export function listeningServers(): string[] {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles
    .filter((h): h is Server => h instanceof Server && h.listening)
    .map((s) => {
      const a = s.address();
      return typeof a === "string" || a === null ? String(a) : `${a.address}:${a.port}`;
    });
}

afterAll(() => {
  const left = listeningServers();
  expect(left, `${expect.getState().testPath ?? "this file"} left servers listening: close every server it starts`).toEqual([]);
});
