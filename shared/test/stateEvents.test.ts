import { describe, expect, it } from "vitest";
import { StateEvents, type EventFields } from "../src/view/index.ts";

type Fields = { -readonly [K in keyof EventFields]: EventFields[K] };
const fresh = (): Fields => ({ hp: 100, deaths: 0, killedBy: "", landedShot: 0, shotTick: 0, shotX: 0, shotY: 0, shotAngle: 0 });

describe("hits and kills from state changes", () => {
  it("reports a hit taken, a hit made and a kill, once each, and nothing on first sight or a score reset", () => {
    const players = new Map<string, Fields>([["a", fresh()], ["b", { ...fresh(), hp: 50, deaths: 3 }]]);
    const events = new StateEvents();
    expect(events.update(players)).toEqual([]); // first sight: no history to compare with

    players.get("a")!.landedShot = 120;
    players.get("b")!.hp = 25;
    expect(events.update(players)).toEqual([
      { type: "landed", shooter: "a", firedAt: 120 },
      { type: "hurt", target: "b", damage: 25 },
    ]);
    expect(events.update(players)).toEqual([]); // unchanged: nothing new

    players.get("a")!.landedShot = 126;
    Object.assign(players.get("b")!, { hp: 0, deaths: 4, killedBy: "a" });
    expect(events.update(players)).toEqual([
      { type: "landed", shooter: "a", firedAt: 126 },
      { type: "hurt", target: "b", damage: 25 },
      { type: "kill", killer: "a", victim: "b" },
    ]);

    // Respawn (hp back up) and a new match (deaths back to 0) are not events.
    Object.assign(players.get("b")!, { hp: 100, deaths: 0 });
    expect(events.update(players)).toEqual([]);
  });

  it("reports each new shot once, and on first sight only the latest shot", () => {
    const players = new Map<string, Fields>([["a", { ...fresh(), hp: 50, shotTick: 7, shotX: 1, shotY: 2, shotAngle: 3 }]]);
    const events = new StateEvents();
    expect(events.update(players)).toEqual([{ type: "shot", shooter: "a", x: 1, y: 2, angle: 3, tick: 7 }]);
    expect(events.update(players)).toEqual([]);
    Object.assign(players.get("a")!, { shotTick: 13, shotX: 4 });
    expect(events.update(players)).toEqual([{ type: "shot", shooter: "a", x: 4, y: 2, angle: 3, tick: 13 }]);
  });

  it("forgets players who left, so one who comes back is first seen again", () => {
    const players = new Map<string, Fields>([["a", fresh()]]);
    const events = new StateEvents();
    events.update(players);
    players.delete("a");
    events.update(players);
    players.set("a", { ...fresh(), hp: 10, deaths: 5 });
    expect(events.update(players)).toEqual([]);
  });
});
