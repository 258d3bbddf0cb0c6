/**
 * Who blocked whom: `arena:blocks:<userId>` is a hash of the people that
 * person blocked (id to name). Kept without expiry (in Redis, as long as
 * Redis keeps its data; in memory, until the process ends).
 */
import type { Presence } from "@colyseus/core";
import type { PersonRef } from "@arena/shared";

const blocksKey = (u: string): string => `arena:blocks:${u}`;

/** Most people one person may block (a bound on what one token can make us store). */
export const MAX_BLOCKS = 500;

export class Blocks {
  constructor(private readonly presence: Presence) {}

  async list(userId: string): Promise<PersonRef[]> {
    const all = await this.presence.hgetall(blocksKey(userId));
    return Object.entries(all ?? {}).map(([id, name]) => ({ userId: id, name }));
  }

  /** Returns false when the list is full. */
  async block(userId: string, other: PersonRef): Promise<boolean> {
    if ((await this.presence.hlen(blocksKey(userId))) >= MAX_BLOCKS && (await this.presence.hget(blocksKey(userId), other.userId)) === null) return false;
    await this.presence.hset(blocksKey(userId), other.userId, other.name);
    return true;
  }

  async unblock(userId: string, otherId: string): Promise<void> {
    await this.presence.hdel(blocksKey(userId), otherId);
  }

  /** True when `userId` blocked `otherId`. */
  async blocked(userId: string, otherId: string): Promise<boolean> {
    return (await this.presence.hget(blocksKey(userId), otherId)) !== null;
  }
}
