/**
 * One side of the netcode harness (see netcode.ts): an in-process server with
 * lag compensation on or off, and Node SDK clients that run the browser's own
 * GameSession (prediction, interpolation, impairment). For each network
 * profile it measures prediction corrections while moving, the interpolation
 * delay, and hit registration for shots that hit on the shooter's screen.
 * Prints one JSON line with the results.
 */
import {
  PLAYER_RADIUS, PROJECTILE_RADIUS, PROJECTILE_SPEED, PlayerInput, ROOM_ARENA, angleBetween, segmentCircleTime,
  type ArenaState, type Player,
} from "@arena/shared";
import { serverRoom, signIn, startTestServer } from "@arena/testkit";
import { StateEvents } from "@arena/shared/view";
import { GameSession, type ArenaRoom } from "../src/net/session.ts";

export interface Profile {
  rttMs: number;
  jitterMs: number;
  lossPct: number;
}

export interface ProfileResult extends Profile {
  corrections: number[];
  interpDelayMs: number;
  shots: number;
  screenHits: number;
  serverHitsOfScreenHits: number;
}

const lagCompensation = process.argv[2] !== "off";
const profiles = JSON.parse(process.argv[3] ?? "[]") as Profile[];
/** Set by bench/netcode.ts, which holds the defaults. */
const MOVE_MS = Number(process.env.NETCODE_MOVE_MS);
const SHOOT_MS = Number(process.env.NETCODE_SHOOT_MS);
if (!(MOVE_MS > 0 && SHOOT_MS > 0)) throw new Error("run through npm run bench:netcode (NETCODE_MOVE_MS and NETCODE_SHOOT_MS unset)");

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function runProfile(url: string, profile: Profile): Promise<ProfileResult> {
  // A fresh room per profile: the shooter creates it, the target joins it.
  const { client: shooterClient } = await signIn(url, "shooter");
  const room = (await shooterClient.create(ROOM_ARENA, { name: "shooter" })) as ArenaRoom;
  const { client: targetClient } = await signIn(url, "target");
  const target = (await targetClient.joinById(room.roomId, { name: "target" })) as ArenaRoom;
  for (const r of [room, target]) r.onMessage("*", () => {});
  await new Promise<void>((resolve) => {
    const check = (): void => { if (room.state?.players?.get(room.sessionId) !== undefined) resolve(); };
    room.onStateChange(check);
    check();
  });
  const session = new GameSession(room, { lagMs: profile.rttMs, jitterMs: profile.jitterMs, lossPct: profile.lossPct });
  const state = serverRoom(room).state;
  while (state.phase !== "playing") await sleep(20);
  const me = state.players.get(room.sessionId)!;
  const them = state.players.get(target.sessionId)!;
  me.x = 200; me.y = 700;
  them.x = 500; them.y = 600;

  // The shooter's frame loop, as the browser runs it (60 Hz).
  let command = { mx: 0, my: 0, aim: 0, fire: false };
  const frames = setInterval(() => {
    session.setCommand(command);
    session.frame(performance.now());
  }, 1000 / 60);
  await sleep(1000 + profile.rttMs); // the teleport reaches the client and settles

  // 1. Steady movement: right and left in half-second legs; count corrections.
  const correctionsBefore = session.corrections.length;
  const moveStart = performance.now();
  while (performance.now() - moveStart < MOVE_MS) {
    const leg = Math.floor((performance.now() - moveStart) / 500) % 2;
    command = { mx: leg === 0 ? 127 : -127, my: 0, aim: 0, fire: false };
    await sleep(10);
  }
  command = { mx: 0, my: 0, aim: 0, fire: false };
  await sleep(500 + profile.rttMs);
  const corrections = session.corrections.slice(correctionsBefore);

  // 2. Shooting at a target strafing up and down at full speed, 300 units away.
  const targetInput = target.input({ type: PlayerInput });
  let dir = 1;
  const targetLoop = setInterval(() => {
    if (them.y > 820) dir = -1;
    if (them.y < 580) dir = 1;
    them.hp = 100; // keep the target alive: we measure hits, not kills
    them.protectedUntil = 0;
    if (!them.alive || Math.abs(them.x - 500) > 1) { them.alive = true; them.x = 500; them.y = 700; }
    targetInput.data.mx = 0;
    targetInput.data.my = 127 * dir;
    targetInput.send();
  }, 1000 / 30);

  interface Shot { aim: number; screenHit: boolean | undefined; serverTick: number | undefined; }
  const shots: Shot[] = [];
  const serverHits = new Set<number>();
  const stateEvents = new StateEvents();
  room.onStateChange((state) => {
    for (const e of stateEvents.update(state.players)) {
      // The server names the latest of my shots that hit (a shot lands at most once).
      if (e.type === "landed" && e.shooter === room.sessionId) serverHits.add(e.firedAt);
      if (e.type !== "shot" || e.shooter !== room.sessionId) continue;
      // The shot's angle is the aim to 16 bits (2π / 65 536): that pairs each server shot with the shot taken here.
      const shot = shots.find((s) => s.serverTick === undefined && Math.abs(angleBetween(s.aim, e.angle)) < 2e-4);
      if (shot) shot.serverTick = e.tick;
    }
  });

  const delays: number[] = [];
  const pos = { x: 0, y: 0 };
  const prev = { x: 0, y: 0, t: 0 };
  const shootStart = performance.now();
  let nextShot = shootStart + 300;
  let firedAtCount = 0;
  while (performance.now() - shootStart < SHOOT_MS) {
    await sleep(1000 / 60);
    delays.push(session.interpolationDelayMs);
    const now = performance.now();
    const shown = session.remotePosition(target.sessionId, pos);
    const mine = session.localPosition(now, { x: 0, y: 0 });
    if (shown === undefined || mine === undefined) continue;
    const vy = prev.t > 0 ? (shown.y - prev.y) / ((now - prev.t) / 1000) : 0;
    prev.x = shown.x; prev.y = shown.y; prev.t = now;
    if (command.fire && session.input.sentCount > firedAtCount) command = { ...command, fire: false };
    if (now < nextShot || command.fire) continue;
    nextShot = now + 300;
    // Lead the target as it is shown on this screen.
    const flight = Math.hypot(shown.x - mine.x, shown.y - mine.y) / PROJECTILE_SPEED;
    const aim = Math.atan2(shown.y + vy * flight - mine.y, shown.x - mine.x);
    // Hold the trigger until a step has carried it (steps are 30 Hz, frames 60 Hz).
    command = { mx: 0, my: 0, aim, fire: true };
    firedAtCount = session.input.sentCount;
    const shot: Shot = { aim, screenHit: undefined, serverTick: undefined };
    shots.push(shot);
    // Follow the shot on this screen: the projectile from the muzzle, the target where it is drawn.
    void followOnScreen(session, target.sessionId, mine.x, mine.y, aim, now).then((hit) => { shot.screenHit = hit; });
  }
  command = { mx: 0, my: 0, aim: 0, fire: false };
  await sleep(1500 + profile.rttMs * 2);
  clearInterval(targetLoop);
  clearInterval(frames);
  session.dispose();
  await Promise.allSettled([room.leave(), target.leave()]);

  const screenHits = shots.filter((s) => s.screenHit === true);
  return {
    ...profile,
    corrections,
    interpDelayMs: delays.reduce((a, b) => a + b, 0) / Math.max(1, delays.length),
    shots: shots.length,
    screenHits: screenHits.length,
    serverHitsOfScreenHits: screenHits.filter((s) => s.serverTick !== undefined && serverHits.has(s.serverTick)).length,
  };
}

/** True when the projectile, drawn from the muzzle at fire time, meets the target as drawn on this screen. */
async function followOnScreen(session: GameSession, targetId: string, x0: number, y0: number, aim: number, firedAt: number): Promise<boolean> {
  const lifetimeMs = session.rules.projectileLifetimeTicks * session.stepMs;
  const pos = { x: 0, y: 0 };
  let lastD = 0;
  for (;;) {
    await sleep(1000 / 60);
    const t = performance.now() - firedAt;
    const d = Math.min(t, lifetimeMs) / 1000 * PROJECTILE_SPEED;
    const shown = session.remotePosition(targetId, pos);
    if (shown !== undefined) {
      const sx = x0 + Math.cos(aim) * lastD;
      const sy = y0 + Math.sin(aim) * lastD;
      const hit = segmentCircleTime(sx, sy, Math.cos(aim) * (d - lastD), Math.sin(aim) * (d - lastD), shown.x, shown.y, PLAYER_RADIUS + PROJECTILE_RADIUS);
      if (hit >= 0) return true;
    }
    lastD = d;
    if (t >= lifetimeMs) return false;
  }
}

const server = await startTestServer({}, { lagCompensation, clientDir: false, match: { warmupSeconds: 0.2, matchSeconds: 3600, killLimit: 10_000 } });
const results: ProfileResult[] = [];
try {
  for (const p of profiles) results.push(await runProfile(server.url, p));
} finally {
  await server.close();
}
process.stdout.write(JSON.stringify({ lagCompensation, results }) + "\n");
process.exit(0);
