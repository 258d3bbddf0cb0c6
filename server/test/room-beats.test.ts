/**
 * Arena rooms step and broadcast on the process's shared beats (rooms/beats.ts): one timer for every room's
 * steps and one for every room's patches, not two timers per room, and a disposed room leaves both.
 */
import { describe, expect, it } from "vitest";
import { beatOf } from "../src/rooms/beats.ts";
import { createPrivate, roomKeepsStepping, serverRoom, waitForState, type ArenaRoomClient } from "@arena/testkit";
import { useServer } from "@arena/testkit/fixtures";

const fixture = useServer();

describe("the arena rooms' timers", () => {
  it("every room's steps and patch broadcasts run on the shared beats, not on timers of its own, and a disposed room leaves them", async () => {
    const a = await createPrivate(fixture.server.url, "beat a");
    const room = serverRoom(a);
    const steps = beatOf(1000 / room.state.tickRate);
    const patches = beatOf(room.patchRate!);
    // This file's server has no other arena room.
    expect({ steps: steps.size, patches: patches.size }).toEqual({ steps: 1, patches: 1 });
    const b: ArenaRoomClient = await createPrivate(fixture.server.url, "beat b");
    expect(b.roomId).not.toBe(a.roomId);
    expect({ steps: steps.size, patches: patches.size }).toEqual({ steps: 2, patches: 2 });
    // Colyseus keeps a stand-in where its own timer would be (a Node timer has hasRef); the room still steps and patches.
    const own = (room as unknown as { _simulationInterval?: { hasRef?: unknown } })._simulationInterval;
    expect(own).toBeDefined();
    expect(own?.hasRef).toBeUndefined();
    await roomKeepsStepping(a);
    await roomKeepsStepping(b);
    const tick = b.state.tick;
    await waitForState(b, (s) => s.tick > tick, 2000, "a patch with a later tick");

    await serverRoom(b).disconnect();
    expect({ steps: steps.size, patches: patches.size }).toEqual({ steps: 1, patches: 1 });
    await roomKeepsStepping(a);
    await serverRoom(a).disconnect();
    expect({ steps: steps.size, patches: patches.size }).toEqual({ steps: 0, patches: 0 });
    expect({ steps: steps.running, patches: patches.running }).toEqual({ steps: false, patches: false });
  });
});
