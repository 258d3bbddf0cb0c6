/**
 * The kill-cam's parts without a browser: the ring of drawn frames (what it
 * keeps, how a moment between two frames is found, whose a slot is), the plan
 * (shown within a second of the death, over before the respawn, the last
 * moments at their own speed) and the state machine (a death arms it, a skip
 * or a respawn ends it, the setting keeps it off).
 */
import { describe, expect, it } from "vitest";
import { ArenaState, Player, RESPAWN_DELAY_S } from "@arena/shared";
import { Flag, KILLCAM_FRAMES, KILLCAM_FRAME_MS, KILLCAM_SLOTS, KillCamBuffer } from "../src/game/killCamBuffer.ts";
import {
  KILLCAM_END_MARGIN_MS, KILLCAM_HISTORY_MS, KILLCAM_REALTIME_SHARE, KILLCAM_START_MS, KillCam, KillCamSetting, historyAt, planKillCam,
} from "../src/game/killCam.ts";

const FRAME = 1000 / 60;
const RESPAWN_MS = RESPAWN_DELAY_S * 1000;
const STEP_MS = 1000 / 30;
const RESPAWN_TICKS = RESPAWN_DELAY_S * 30;

function memoryStorage(): Pick<Storage, "getItem" | "setItem"> & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe("kill-cam buffer", () => {
  it("keeps the newest frames in a ring and finds a moment between two of them", () => {
    const b = new KillCamBuffer();
    for (let i = 0; i < KILLCAM_FRAMES + 10; i++) {
      b.begin(i * FRAME);
      b.player("a", "alice", 1, false, i, 2 * i, 0, 100, Flag.Alive);
      b.end();
    }
    expect(b.size).toBe(KILLCAM_FRAMES);
    expect(b.oldest).toBeCloseTo(10 * FRAME);
    const at = b.locate(100.5 * FRAME);
    expect(Math.floor(at)).toBe(90); // frame 100 is the 91st held
    expect(at - 90).toBeCloseTo(0.5);
    expect(b.x[b.frame(90) * KILLCAM_SLOTS + b.slotOfId("a")]).toBe(100);
    // Clamped at both ends.
    expect(b.locate(0)).toBe(0);
    expect(b.locate(1e9)).toBe(KILLCAM_FRAMES - 1);
  });

  it("records no frame closer than KILLCAM_FRAME_MS to the last, and nothing outside begin/end", () => {
    const b = new KillCamBuffer();
    expect(b.begin(0)).toBe(true);
    b.end();
    b.player("a", "alice", 1, false, 5, 5, 0, 100, Flag.Alive);
    expect(b.present(b.frame(0), 0)).toBe(false);
    expect(b.begin(KILLCAM_FRAME_MS / 2)).toBe(false);
    b.player("a", "alice", 1, false, 5, 5, 0, 100, Flag.Alive);
    expect(b.size).toBe(1);
    expect(b.slotOfId("a")).toBe(-1);
    expect(b.begin(KILLCAM_FRAME_MS)).toBe(true);
  });

  it("gives a slot to a newcomer only from a player gone longest, whose old frames it never shows as the newcomer's", () => {
    const b = new KillCamBuffer();
    b.begin(0);
    for (let s = 0; s < KILLCAM_SLOTS; s++) b.player(`p${s}`, `p${s}`, 0, false, s, s, 0, 100, Flag.Alive);
    b.end();
    b.begin(FRAME);
    for (let s = 1; s < KILLCAM_SLOTS; s++) b.player(`p${s}`, `p${s}`, 0, false, s, s, 0, 100, Flag.Alive);
    b.player("new", "newcomer", 0, false, 99, 99, 0, 100, Flag.Alive);
    b.end();
    const slot = b.slotOfId("new");
    expect(slot).toBe(0); // p0 was not seen in the second frame
    expect(b.slotOfId("p0")).toBe(-1);
    expect(b.present(b.frame(0), slot)).toBe(false); // p0's frame is not the newcomer's
    expect(b.present(b.frame(1), slot)).toBe(true);
  });

  it("caps the projectiles of a frame", () => {
    const b = new KillCamBuffer();
    b.begin(0);
    for (let i = 0; i < 100; i++) b.shot(i, i, 0, 10);
    b.end();
    expect(b.shotCount[b.frame(0)]).toBeLessThan(100);
  });
});

describe("kill-cam plan", () => {
  it("starts within a second of the death and ends before the respawn, the last moments at their own speed", () => {
    const plan = planKillCam(10_000, RESPAWN_MS, 0)!;
    expect(plan.startAt - 10_000).toBe(KILLCAM_START_MS);
    expect(KILLCAM_START_MS).toBeLessThan(1000);
    expect(plan.endAt).toBe(10_000 + RESPAWN_MS - KILLCAM_END_MARGIN_MS);
    expect(plan.to - plan.from).toBe(KILLCAM_HISTORY_MS);
    expect(historyAt(plan, plan.startAt)).toBe(plan.from);
    expect(historyAt(plan, plan.endAt)).toBe(plan.to);
    // The last share of the screen time maps 1:1 onto the moments before the death.
    const realtime = (plan.endAt - plan.startAt) * KILLCAM_REALTIME_SHARE;
    expect(historyAt(plan, plan.endAt - 100) - historyAt(plan, plan.endAt - 200)).toBeCloseTo(100);
    expect(historyAt(plan, plan.endAt - realtime)).toBeCloseTo(plan.to - realtime);
    let before = -Infinity;
    for (let t = plan.startAt; t <= plan.endAt; t += 10) {
      const h = historyAt(plan, t);
      expect(h).toBeGreaterThanOrEqual(before);
      before = h;
    }
  });

  it("is not made with too little recorded or too little time before the respawn", () => {
    expect(planKillCam(10_000, RESPAWN_MS, 9_800)).toBeUndefined();
    expect(planKillCam(10_000, 600, 0)).toBeUndefined();
    expect(planKillCam(10_000, RESPAWN_MS, 8_000)!.from).toBe(8_000);
  });
});

describe("kill-cam state", () => {
  function setup(enabled = true) {
    const storage = memoryStorage();
    const setting = new KillCamSetting(storage);
    setting.enabled = enabled;
    const shown: string[] = [];
    const cam = new KillCam(setting, { show: (n) => shown.push(n), hide: () => shown.push("hidden") });
    const state = new ArenaState();
    state.phase = "playing";
    const me = new Player();
    me.alive = true;
    const killer = new Player();
    killer.name = "killer";
    killer.alive = true;
    state.players.set("me", me);
    state.players.set("k", killer);
    // Two seconds of frames with both players, a patch every third frame (20 a second, ticks at 30).
    let t = 0;
    for (let f = 0; t < 2000; t += FRAME, f++) {
      if (f % 3 === 0) {
        state.tick = Math.floor(t / STEP_MS);
        cam.patched(t, state, me, STEP_MS, RESPAWN_TICKS);
      }
      cam.buffer.begin(t);
      cam.buffer.player("me", "me", 0, false, 0, 0, 0, 100, Flag.Alive | Flag.Me);
      cam.buffer.player("k", "killer", 1, false, 100, 0, 0, 100, Flag.Alive);
      cam.buffer.end();
      expect(cam.update(t, state, me)).toBeUndefined();
    }
    /** The patch that carries the death, `ticks` after the last one. */
    const die = (killer: string, ticks = 2): void => {
      me.alive = false;
      me.killedBy = killer;
      state.tick += ticks;
      cam.patched(t, state, me, STEP_MS, RESPAWN_TICKS);
    };
    return { cam, state, me, shown, storage, setting, t, die };
  }

  it("shows the killer's side KILLCAM_START_MS after a death, until the skip", () => {
    const { cam, state, me, shown, t, die } = setup();
    die("k");
    expect(cam.update(t, state, me)).toBeUndefined();
    expect(cam.status().phase).toBe("waiting");
    expect(cam.update(t + KILLCAM_START_MS - 1, state, me)).toBeUndefined();
    const h = cam.update(t + KILLCAM_START_MS, state, me);
    expect(h).toBeCloseTo(t - 2000 + FRAME, -2); // the oldest frame held (less than 4 s recorded)
    expect(shown).toEqual(["killer"]);
    expect(cam.killer).toBe("k");
    // A skip (what the key, click or tap listeners set) ends it on the next frame.
    (cam as unknown as { skipAsked: boolean }).skipAsked = true;
    expect(cam.update(t + KILLCAM_START_MS + 20, state, me)).toBeUndefined();
    expect(cam.status()).toMatchObject({ phase: "idle", ended: "skipped" });
    expect(shown).toEqual(["killer", "hidden"]);
  });

  it("ends on its own before the respawn, and at once if the respawn comes first", () => {
    const { cam, state, me, t, die } = setup();
    die("k");
    cam.update(t, state, me);
    // The death came after the previous patch's tick (2 ticks back): the respawn is due a tick less than 2 s on.
    const plan = planKillCam(t, RESPAWN_MS - STEP_MS, cam.buffer.oldest)!;
    expect(cam.update(plan.endAt - 1, state, me)).toBeDefined();
    expect(cam.update(plan.endAt, state, me)).toBeUndefined();
    expect(cam.status().ended).toBe("done");

    const second = setup();
    second.die("k");
    second.cam.update(second.t, second.state, second.me);
    second.cam.update(second.t + KILLCAM_START_MS, second.state, second.me);
    second.me.alive = true;
    expect(second.cam.update(second.t + KILLCAM_START_MS + 20, second.state, second.me)).toBeUndefined();
    expect(second.cam.status().ended).toBe("respawned");
  });

  it("stays off with the setting off, which the browser remembers", () => {
    const { cam, state, me, shown, storage, t, die } = setup(false);
    die("k");
    cam.update(t, state, me);
    expect(cam.update(t + KILLCAM_START_MS, state, me)).toBeUndefined();
    expect(shown).toEqual([]);
    expect(new KillCamSetting(storage).enabled).toBe(false);
    expect(new KillCamSetting(memoryStorage()).enabled).toBe(true);
  });

  it("has nobody to follow when the killer is unknown or never drawn here", () => {
    const { cam, state, me, t, die } = setup();
    die("stranger");
    cam.update(t, state, me);
    expect(cam.status().phase).toBe("idle");
  });
});
