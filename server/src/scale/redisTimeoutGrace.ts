/**
 * ioredis' `commandTimeout` counted in wall time, not in the time this process had to read the reply.
 *
 * ioredis arms a plain `setTimeout` per command (its Command.setTimeout). After a long synchronous stretch of this
 * process (a hundred rooms created in one poll phase, a starved CPU), Node runs the timers phase before the poll
 * phase that would read the replies Redis sent meanwhile: a command answered in 2 ms failed as "Command timed out",
 * the matchmaking call that issued it failed, and the rate limits went local as if Redis were gone (seen in
 * private-burst-cluster beside the browser tests: 99 of 100 creations on one process). A timer that fires now gives
 * the process one poll phase first (setImmediate runs right after it): a reply that is already in the socket is read
 * and the command resolves; one Redis did not send still fails, one poll phase later.
 *
 * Installed once, on ioredis' own Command class (there is one ioredis in the tree: our clients and Colyseus' presence
 * and driver share it). ioredis has no option for this (redis/ioredis#1352 asks for a hook on timeouts; none exists).
 */
import { Command } from "ioredis";

interface TimedCommand {
  isResolved: boolean;
  reject: (error: Error) => void;
  _commandTimeoutTimer?: NodeJS.Timeout;
  setTimeout(ms: number): void;
}

const INSTALLED = Symbol.for("arena.redisTimeoutGrace");

/** Makes every ioredis command's timeout wait for one poll phase after its timer fires. Idempotent. */
export function installRedisTimeoutGrace(): void {
  const proto = Command.prototype as unknown as TimedCommand & { [INSTALLED]?: true };
  if (proto[INSTALLED]) return;
  if (typeof proto.setTimeout !== "function") throw new Error("ioredis' Command.setTimeout is gone: redisTimeoutGrace.ts needs a look");
  proto[INSTALLED] = true;
  proto.setTimeout = function (this: TimedCommand, ms: number): void {
    if (this._commandTimeoutTimer) return;
    this._commandTimeoutTimer = setTimeout(() => {
      setImmediate(() => {
        if (!this.isResolved) this.reject(new Error("Command timed out"));
      });
    }, ms);
  };
}
