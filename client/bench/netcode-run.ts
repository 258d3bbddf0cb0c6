/**
 * One side of the netcode harness (see netcode.ts): an in-process server with
 * lag compensation on or off, and Node SDK clients that run the browser's own
 * GameSession (prediction, interpolation, impairment). For each network
 * profile it measures prediction corrections while moving, the interpolation
 * delay, and hit registration for shots that hit on the shooter's screen.
 * Prints one JSON line with the results.
 */
import {
  ARENA_MAP, PLAYER_RADIUS, PROJECTILE_RADIUS, PROJECTILE_SPEED, PlayerInput, ROOM_ARENA, angleBetween, segmentCircleTime,
  type ArenaState, type Player,
} from "@arena/shared";
import { serverRoom, signIn, startTestServer } from "@arena/testkit";
import { StateEvents } from "@arena/shared/view";
import { GameSession, type ArenaRoom } from "../src/net/session.ts";
import { COVER_Y, SHOT_INTERVAL_MS } from "./cover.ts";

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
  /** Frames drawing the target, and those where it was drawn frozen or jumped over a body width: held at the newest state (before) and with stall smoothing (after). */
  frames: number;
  badFramesHeld: number;
  badFramesSmoothed: number;
  /**
   * Every hit the server registered: the rewind it was judged with, and how long the target had been
   * behind cover on its own screen when it was registered (NaN when it had not: JSON null).
   */
  hits: Array<{ rewindMs: number; behindCoverMs: number | null }>;
  /** Per on-screen hit: the rewind the server registered it with, or -1 when it did not. */
  screenHitRewinds: number[];
  /** Per on-screen hit, how the target was drawn when the shot was fired (see ShotDiagnosis). */
  screenHitDiagnoses: ShotDiagnosis[];
}

/** How the target was drawn at the moment of a shot, and how that compares with what the server rewinds to. */
export interface ShotDiagnosis {
  counted: boolean;
  /** How far the drawn moment was past the newest state received, ms (> 0: carried on or held through a stall). */
  pastNewestMs: number;
  /** The stall smoothing's offset (drawn − sampled), units. */
  smoothingOffset: number;
  /** Drawn position − the server's position of the target at the render time the shot was stamped with, units (signed along y, the target's axis). */
  drawnMinusRewound: number;
  /** The same, largest during the projectile's flight on this screen (the server's moment moves on with the step). */
  flightGap: number;
  /** Whether the server fired the shot at all, and whether it registered the hit (read on the server, not from the patches). */
  fired: boolean;
  landedOnServer: boolean;
  /** The rewind the shot was stamped for (server now − stamped render time) and the one the server used, ms. */
  stampedRewindMs: number;
  serverRewindMs: number;
  /** The rewind the stamp asked for where the server fired it (its step's time − the stamped render time), ms: above serverRewindMs, the bound cut it. */
  wantedRewindMs: number;
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
  const session = new GameSession(room, { lagMs: profile.rttMs, jitterMs: profile.jitterMs, lossPct: profile.lossPct }, ARENA_MAP);
  const state = serverRoom(room).state;
  while (state.phase !== "playing") await sleep(20);
  const me = state.players.get(room.sessionId)!;
  const them = state.players.get(target.sessionId)!;
  me.x = 200; me.y = 700;
  them.x = 500; them.y = 600;

  // The shooter's frame loop, as the browser runs it (60 Hz).
  let command = { mx: 0, my: 0, aim: 0, fire: false };
  const frameLoop = setInterval(() => {
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

  interface Shot {
    aim: number; screenHit: boolean | undefined; serverTick: number | undefined;
    drawnY: number; stampedAt: number; pastNewestMs: number; smoothingOffset: number; stampedRewindMs: number;
    flight: Array<{ dt: number; y: number }>;
  }
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

  // Drawn frozen (not moving while the target always runs) or jumping over a body width, per frame.
  const held = { x: NaN, y: NaN, bad: 0 };
  const smoothed = { x: NaN, y: NaN, bad: 0 };
  let frames = 0;
  const trackDrawn = (at: { x: number; y: number } | undefined, track: { x: number; y: number; bad: number }): void => {
    if (at === undefined) return;
    const d = Math.hypot(at.x - track.x, at.y - track.y);
    if (d < 0.01 || d > 2 * PLAYER_RADIUS) track.bad++;
    track.x = at.x;
    track.y = at.y;
  };
  // The victim's side, watched on the server: where it was (to read where the rewind put it), when it
  // went behind cover, each of my projectiles' rewind, and each hit the server registers.
  let coverSince = NaN;
  let lastLanded = me.landedShot;
  const track: Array<{ t: number; y: number }> = [];
  /** The target's y on the server's clock (the axis render times are stamped on), one entry per step. */
  const serverTrack: Array<{ t: number; y: number }> = [];
  const serverClock = serverRoom(room).clock;
  const rewindOf = new Map<number, number>();
  const firedAtServer = new Map<number, number>();
  /** Per registered hit (by the tick it was fired on): its rewind, and how long the victim had been behind cover (NaN: it had not). */
  const hitsByTick = new Map<number, { rewindMs: number; behindCoverMs: number }>();
  const yAt = (t: number): number => {
    for (let i = track.length - 1; i >= 0; i--) if (track[i]!.t <= t) return track[i]!.y;
    return track[0]?.y ?? them.y;
  };
  const victimWatch = setInterval(() => {
    const now = performance.now();
    track.push({ t: now, y: them.y });
    const st = serverClock.elapsedTime;
    if (serverTrack.length === 0 || serverTrack[serverTrack.length - 1]!.t < st) serverTrack.push({ t: st, y: them.y });
    if (track.length > 3000) track.splice(0, 1000);
    if (them.y >= COVER_Y) { if (Number.isNaN(coverSince)) coverSince = now; } else coverSince = NaN;
    state.projectiles.forEach((p) => {
      if (p.ownerId !== room.sessionId || rewindOf.has(p.tick)) return;
      rewindOf.set(p.tick, p.rewindMs);
      firedAtServer.set(p.tick, serverClock.elapsedTime);
    });
    if (me.landedShot === lastLanded) return;
    lastLanded = me.landedShot;
    const rewindMs = rewindOf.get(me.landedShot) ?? 0;
    // Behind cover: the hit test's rewound target was in the open, the victim itself already in cover (a
    // hit in cover both then and now would have met the wall in a world that has one, rewind or not).
    const wasOpen = yAt(now - rewindMs) < COVER_Y;
    hitsByTick.set(me.landedShot, { rewindMs, behindCoverMs: wasOpen && !Number.isNaN(coverSince) ? now - coverSince : NaN });
  }, 1);

  const delays: number[] = [];
  const pos = { x: 0, y: 0 };
  const prev = { x: 0, y: 0, t: 0 };
  const shootStart = performance.now();
  let nextShot = shootStart + SHOT_INTERVAL_MS;
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
    trackDrawn(session.remotePositionHeld(target.sessionId, { x: 0, y: 0 }), held);
    trackDrawn(shown, smoothed);
    frames++;
    if (now < nextShot || command.fire || shown.y >= COVER_Y) continue;
    nextShot = now + SHOT_INTERVAL_MS;
    // Lead the target as it is shown on this screen.
    const flight = Math.hypot(shown.x - mine.x, shown.y - mine.y) / PROJECTILE_SPEED;
    const aim = Math.atan2(shown.y + vy * flight - mine.y, shown.x - mine.x);
    // Hold the trigger until a step has carried it (steps are 30 Hz, frames 60 Hz).
    command = { mx: 0, my: 0, aim, fire: true };
    firedAtCount = session.input.sentCount;
    const drawState = session.remoteDrawState(target.sessionId);
    const shot: Shot = {
      aim, screenHit: undefined, serverTick: undefined, drawnY: shown.y, stampedAt: session.stampedRenderTime(),
      pastNewestMs: drawState?.pastNewestMs ?? 0, smoothingOffset: drawState?.smoothingOffset ?? 0,
      stampedRewindMs: serverClock.elapsedTime - session.stampedRenderTime(), flight: [],
    };
    shots.push(shot);
    // Follow the shot on this screen: the projectile from the muzzle, the target where it is drawn.
    void followOnScreen(session, target.sessionId, mine.x, mine.y, aim, now, shot.flight).then((hit) => { shot.screenHit = hit; });
  }
  command = { mx: 0, my: 0, aim: 0, fire: false };
  await sleep(1500 + profile.rttMs * 2);
  clearInterval(targetLoop);
  clearInterval(frameLoop);
  clearInterval(victimWatch);
  session.dispose();
  await Promise.allSettled([room.leave(), target.leave()]);

  const screenHits = shots.filter((s) => s.screenHit === true);
  const serverYAt = (t: number): number => {
    const i = serverTrack.findIndex((e) => e.t >= t);
    if (i <= 0) return serverTrack[Math.max(0, i)]?.y ?? NaN;
    const a = serverTrack[i - 1]!;
    const b = serverTrack[i]!;
    return a.y + (b.y - a.y) * ((t - a.t) / (b.t - a.t));
  };
  const counted = (s: Shot): boolean => s.serverTick !== undefined && serverHits.has(s.serverTick);
  return {
    ...profile,
    corrections,
    interpDelayMs: delays.reduce((a, b) => a + b, 0) / Math.max(1, delays.length),
    shots: shots.length,
    screenHits: screenHits.length,
    serverHitsOfScreenHits: screenHits.filter((s) => s.serverTick !== undefined && serverHits.has(s.serverTick)).length,
    frames,
    badFramesHeld: held.bad,
    badFramesSmoothed: smoothed.bad,
    hits: [...hitsByTick.values()].map((h) => ({ rewindMs: Math.round(h.rewindMs), behindCoverMs: Math.round(h.behindCoverMs) })),
    screenHitRewinds: screenHits.map((s) => (counted(s) ? Math.round(hitsByTick.get(s.serverTick!)?.rewindMs ?? 0) : -1)),
    screenHitDiagnoses: screenHits.map((s) => ({
      counted: counted(s), pastNewestMs: Math.round(s.pastNewestMs), smoothingOffset: Math.round(s.smoothingOffset),
      drawnMinusRewound: Math.round(s.drawnY - serverYAt(s.stampedAt)),
      flightGap: Math.round(Math.max(0, ...s.flight.map((f) => Math.abs(f.y - serverYAt(s.stampedAt + f.dt))))),
      fired: s.serverTick !== undefined,
      landedOnServer: s.serverTick !== undefined && hitsByTick.has(s.serverTick),
      stampedRewindMs: Math.round(s.stampedRewindMs),
      serverRewindMs: s.serverTick === undefined ? -1 : Math.round(rewindOf.get(s.serverTick) ?? -1),
      wantedRewindMs: s.serverTick === undefined ? -1 : Math.round((firedAtServer.get(s.serverTick) ?? NaN) - s.stampedAt),
    })),
  };
}

/** True when the projectile, drawn from the muzzle at fire time, meets the target as drawn on this screen. */
async function followOnScreen(
  session: GameSession, targetId: string, x0: number, y0: number, aim: number, firedAt: number, drawn: Array<{ dt: number; y: number }>,
): Promise<boolean> {
  const lifetimeMs = session.rules.projectileLifetimeTicks * session.stepMs;
  const pos = { x: 0, y: 0 };
  let lastD = 0;
  for (;;) {
    await sleep(1000 / 60);
    const t = performance.now() - firedAt;
    const d = Math.min(t, lifetimeMs) / 1000 * PROJECTILE_SPEED;
    const shown = session.remotePosition(targetId, pos);
    if (shown !== undefined) {
      drawn.push({ dt: t, y: shown.y });
      const sx = x0 + Math.cos(aim) * lastD;
      const sy = y0 + Math.sin(aim) * lastD;
      const hit = segmentCircleTime(sx, sy, Math.cos(aim) * (d - lastD), Math.sin(aim) * (d - lastD), shown.x, shown.y, PLAYER_RADIUS + PROJECTILE_RADIUS);
      // Behind cover on this screen, the projectile would have met the wall instead.
      if (hit >= 0) return shown.y < COVER_Y;
    }
    lastD = d;
    if (t >= lifetimeMs) return false;
  }
}

// INPUT_PAIRS=on prices the server's input pairs (docs/PROTOCOL.md): the session sends its inputs two to a frame.
const server = await startTestServer(process.env.INPUT_PAIRS !== undefined ? { INPUT_PAIRS: process.env.INPUT_PAIRS } : {}, { lagCompensation, clientDir: false, match: { warmupSeconds: 0.2, matchSeconds: 3600, killLimit: 10_000 } });
const results: ProfileResult[] = [];
try {
  for (const p of profiles) results.push(await runProfile(server.url, p));
} finally {
  await server.close();
}
process.stdout.write(JSON.stringify({ lagCompensation, results }) + "\n");
process.exit(0);
