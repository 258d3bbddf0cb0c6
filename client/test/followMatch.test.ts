/** followMatch's moves with a scripted matchmaking: what it does with an answer that comes after its attempt's time. */
import { describe, expect, it } from "vitest";
import type { Client, Room } from "@colyseus/sdk";
import { followMatch } from "../src/net/followMatch.ts";

/** The parts of an SDK Room followMatch uses, with its handlers kept so the test can fire them. */
function fakeRoom(name: string): Room & { drop(code: number): void; left: boolean } {
  const drops: ((code: number) => void)[] = [];
  const room = {
    name,
    left: false,
    reconnectionToken: `${name}:token`,
    reconnection: { enabled: true, minUptime: 0, isReconnecting: false },
    connection: { close: () => undefined },
    onStateChange: () => undefined,
    onReconnect: () => undefined,
    onLeave: () => undefined,
    onDrop: (cb: (code: number) => void) => void drops.push(cb),
    leave: async () => {
      room.left = true;
    },
    drop: (code: number) => drops.forEach((cb) => cb(code)),
  };
  return room as unknown as Room & { drop(code: number): void; left: boolean };
}

describe("a reconnection that answers after its attempt's time", () => {
  it("is taken as the match's room (its seat is taken: the token opens it once), not left", async () => {
    const first = fakeRoom("first");
    const late = fakeRoom("late");
    let asked = 0;
    const client = {
      settings: { hostname: "test", port: 1 },
      reconnect: () => {
        asked++;
        // The first attempt is answered after 400 ms, past its 50; every later one finds the token used.
        return asked === 1 ? new Promise((resolve) => setTimeout(() => resolve(late), 400)) : Promise.reject(new Error("reconnection token invalid or expired."));
      },
    } as unknown as Client;
    const left: string[] = [];
    const moved = new Promise<Room | undefined>((resolve) => {
      const follower = followMatch(client, first, {
        attemptMs: 50,
        giveUpMs: 1500,
        onRoom: (r) => {
          follower.stop();
          resolve(r);
        },
        onLeave: (code, reason) => {
          left.push(`${code} ${reason ?? ""}`);
          resolve(undefined);
        },
      });
    });
    first.drop(4010); // the server moves the match (a deploy)
    expect(await moved).toBe(late);
    expect(late.left).toBe(false);
    expect(left).toEqual([]);
    expect(asked).toBeGreaterThan(1); // it went on asking meanwhile
  });
});
