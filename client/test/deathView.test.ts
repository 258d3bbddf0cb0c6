import { describe, expect, it } from "vitest";
import { ArenaState, Player, createRules } from "@arena/shared";
import { DeathView, describeDeath } from "../src/game/deathView.ts";

describe("DeathView", () => {
  it("names the killer and counts down to the respawn from the tick the death was seen", () => {
    const rules = createRules();
    const state = new ArenaState();
    state.tickRate = rules.tickRate;
    state.phase = "playing";
    const me = new Player();
    const killer = new Player();
    killer.name = "bob";
    state.players.set("me", me);
    state.players.set("k", killer);
    const view = new DeathView(rules.respawnTicks);
    me.alive = true;
    expect(view.update(state, me)).toBeUndefined();
    me.alive = false;
    me.killedBy = "k";
    state.tick = 100;
    expect(describeDeath(view.update(state, me)!)).toBe("Killed by bob · respawn in 2");
    state.tick = 100 + rules.respawnTicks - 1;
    expect(describeDeath(view.update(state, me)!)).toBe("Killed by bob · respawn in 1");
    state.tick = 100 + rules.respawnTicks;
    expect(describeDeath(view.update(state, me)!)).toBe("Killed by bob · respawning…");
    me.alive = true;
    expect(view.update(state, me)).toBeUndefined();
  });
});
