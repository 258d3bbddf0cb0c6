import { Decoder, Encoder } from "@colyseus/schema";
import { describe, expect, it } from "vitest";
import {
  ARENA_MAP, ArenaState, Player, createRules, fireProjectile, freeColor, projectilePosition, spawnPlayer, type Projectile,
} from "../src/index.ts";
import { ShotTracker, StateEvents, shotKey, type FlyingShot } from "../src/view/index.ts";

const rules = createRules(30);

/** A server state with one player, and a client copy kept in sync through the real encoder and decoder. */
function replicated(): { server: ArenaState; shooter: Player; client: ArenaState; sync(): void } {
  const server = new ArenaState();
  const shooter = new Player();
  server.players.set("a", shooter);
  spawnPlayer(server, "a", shooter, ARENA_MAP, rules);
  const encoder = new Encoder(server);
  const client = new ArenaState();
  const decoder = new Decoder(client);
  decoder.decode(encoder.encodeAll());
  return {
    server, shooter, client,
    sync: () => {
      decoder.decode(encoder.encode());
      encoder.discardChanges();
    },
  };
}

/** The shots a client's state events report since the last call, started on `tracker` at `tick`. */
function startShots(events: StateEvents, tracker: ShotTracker, client: ArenaState, tick: number): FlyingShot[] {
  const started: FlyingShot[] = [];
  for (const e of events.update(client.players)) {
    const flying = e.type === "shot" ? tracker.start(e, tick) : undefined;
    if (flying !== undefined) started.push(flying);
  }
  return started;
}

describe("shots on the wire", () => {
  it("a client flies exactly the path the server flies, from the shooter's shot fields", () => {
    const { server, shooter, client, sync } = replicated();
    shooter.x = 300.53125; shooter.y = 700.25; // on the 1/32 grid, as every position is
    server.tick = 40;
    const id = fireProjectile(server, "a", shooter, 0.123456789, 0, ARENA_MAP, rules);
    const flown: Projectile = server.projectiles.get(id)!;
    sync();
    const tracker = new ShotTracker(ARENA_MAP, rules);
    const events = new StateEvents();
    const added = startShots(events, tracker, client, client.tick);
    expect(added).toHaveLength(1);
    const shot = added[0]!;
    expect({ x: shot.x, y: shot.y, angle: shot.angle, tick: shot.tick }).toEqual({ x: flown.x, y: flown.y, angle: flown.angle, tick: 40 });
    for (let age = 0; age <= rules.projectileLifetimeTicks; age++) {
      expect(projectilePosition(shot, age, rules.dt)).toEqual(projectilePosition(flown, age, rules.dt));
    }
    // The angle travelled as 16 bits: within 2π / 65 536 of the aim.
    expect(Math.abs(Math.sin(shot.angle - 0.123456789))).toBeLessThan((2 * Math.PI) / 65536);
    // The same shot is not started twice.
    sync();
    expect(startShots(events, tracker, client, client.tick)).toHaveLength(0);
    expect(tracker.flying.has(shotKey("a", 40))).toBe(true);
  });

  it("ends a drawn projectile at its wall, at a hit, and ignores a shot already over when first seen", () => {
    const { server, shooter, client, sync } = replicated();
    const tracker = new ShotTracker(ARENA_MAP, rules);
    const events = new StateEvents();
    // Fired right at the center cross from close by: it ends at the wall, long before its lifetime.
    shooter.x = 700; shooter.y = 700;
    server.tick = 10;
    fireProjectile(server, "a", shooter, 0, 0, ARENA_MAP, rules);
    sync();
    const [toWall] = startShots(events, tracker, client, 10);
    expect(toWall!.endsAt).toBeLessThan(rules.projectileLifetimeTicks);
    tracker.prune((s) => (s.tick === 10 ? toWall!.endsAt + 0.01 : 0));
    expect(tracker.flying.size).toBe(0);

    server.tick = 20;
    shooter.x = 300; shooter.y = 700;
    fireProjectile(server, "a", shooter, Math.PI / 2, 0, ARENA_MAP, rules);
    sync();
    expect(startShots(events, tracker, client, 20)).toHaveLength(1);
    tracker.end("a", 20);
    expect(tracker.flying.size).toBe(0);

    // A late joiner's first state shows the last shot; if it is over by then, nothing is drawn.
    server.tick = 30;
    fireProjectile(server, "a", shooter, Math.PI, 0, ARENA_MAP, rules);
    sync();
    expect(startShots(new StateEvents(), new ShotTracker(ARENA_MAP, rules), client, 30 + rules.projectileLifetimeTicks + 1)).toHaveLength(0);
    // ...and if it is still in flight, it is.
    expect(startShots(new StateEvents(), new ShotTracker(ARENA_MAP, rules), client, 31)).toHaveLength(1);
  });
});

describe("player colors", () => {
  it("gives each player the lowest free color and reuses a color once its player leaves", () => {
    const state = new ArenaState();
    for (const id of ["a", "b", "c"]) {
      const p = new Player();
      p.color = freeColor(state);
      state.players.set(id, p);
    }
    expect([...state.players.values()].map((p) => p.color)).toEqual([0, 1, 2]);
    state.players.delete("b");
    expect(freeColor(state)).toBe(1);
  });
});
