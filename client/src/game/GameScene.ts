/**
 * The Phaser scene: draws the arena, players (name, health bar, aim),
 * projectiles and hit/death effects from the netcode session, and turns the
 * keyboard and mouse into the staged input each frame. Phaser renders; the
 * session decides where things are.
 */
import Phaser from "phaser";
import {
  ARENA_MAP, MAX_HP, PLAYER_RADIUS, PROJECTILE_RADIUS, PROJECTILE_SPEED, createRules, projectilePosition, type ArenaMap, type ArenaState, type Player,
} from "@arena/shared";
import { ShotTracker, StateEvents, shotKey, type FiredShot, type FlyingShot } from "@arena/shared/view";
import { aimAt, moveFromKeys } from "../input/keys.ts";
import type { TouchCommand } from "../input/touch.ts";
import type { GameSession, Vec2 } from "../net/session.ts";
import { taggedName } from "../ui/botTag.ts";
import { ControlsHelp } from "../ui/controlsHelp.ts";
import { COLORS, playerColor } from "./palette.ts";
import { LABEL_OFFSET, LABEL_STYLE, drawBody, drawHealth } from "./playerLook.ts";
import { DeathView, showDeath } from "./deathView.ts";
import { drawArenaLook } from "./arenaLook.ts";
import { Minimap } from "./minimap.ts";
import { Effects } from "./effects.ts";
import { MuzzlePrediction, Spawns, dangerEdge, feedbackOf, indicatorAngle, type Point } from "./feedback.ts";
import { KillCam, KillCamSetting } from "./killCam.ts";
import { Flag } from "./killCamBuffer.ts";
import { KILLCAM_DEPTH, KillCamView } from "./killCamView.ts";
import { byTestId } from "../ui/dom.ts";

/** Name colors above the players: a bot's is dimmer, beside its tag. */
/** The look drawBody is given, filled in for each body (nothing is allocated per frame). */
const look = { color: 0, me: false, bot: false, connected: true };
const LABEL_COLOR = "#e6e9ef";
const BOT_LABEL_COLOR = "#9aa6b8";

interface PlayerView {
  body: Phaser.GameObjects.Graphics;
  label: Phaser.GameObjects.Text;
}

export interface SceneInputs {
  /** Codes of the game keys held now (empty while typing in chat). */
  held(): ReadonlySet<string>;
  /** Measured voice level (0..1) of a player heard here, or of this player's own microphone. */
  voiceLevel?(id: string): number;
  /** The touch sticks' command, when they are in use. */
  touch?(): TouchCommand | undefined;
}

/** Longest projectile trail drawn, in world units. */
const TRAIL = 46;

/** A voice level above this draws the speaking ring. */
const SPEAKING_LEVEL = 0.02;

/** localStorage, or nothing where the browser refuses it (some private modes throw on access). */
function browserStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

/** The session id of the player with the most kills, if any player is alive. */
function standingsLeader(state: ArenaState): string | undefined {
  let best: string | undefined;
  let kills = -1;
  state.players.forEach((p, id) => {
    if (p.alive && p.kills > kills) {
      kills = p.kills;
      best = id;
    }
  });
  return best;
}

export class GameScene extends Phaser.Scene {
  private session: GameSession | undefined;
  private inputs: SceneInputs | undefined;
  private projectiles!: Phaser.GameObjects.Graphics;
  private fx!: Effects;
  private created = false;
  private readonly views = new Map<string, PlayerView>();
  /** The scene's own reading of the patches, for the feedback (main.ts keeps its own for sounds and the feed). */
  private stateEvents = new StateEvents();
  private readonly onPatch = (): void => this.feedback();
  /** Times a death from the patch that carries it (killCam.ts). */
  private readonly onKillCamPatch = (): void => {
    const session = this.session;
    const state = session?.room.state;
    if (session === undefined || state?.players === undefined) return;
    this.killCam.patched(performance.now(), state, state.players.get(session.sessionId), session.stepMs, session.rules.respawnTicks);
  };
  private readonly spawns = new Spawns();
  private muzzle = new MuzzlePrediction(createRules().fireCooldownSteps * (1000 / createRules().tickRate));
  /** Where each flying shot was drawn last frame (pairs a landed shot with the player it hit). */
  private readonly shotDrawn = new Map<string, Point>();
  /** The first-visit controls card (gone on the first move, remembered in the browser). */
  private readonly help = new ControlsHelp(browserStorage(), () => navigator.maxTouchPoints > 0 || matchMedia("(pointer: coarse)").matches);
  private firing = false;
  private aim = 0;
  /** Where each player was drawn on the last frame, for tests and the HUD. */
  readonly drawn = new Map<string, Vec2>();
  private readonly scratch: Vec2 = { x: 0, y: 0 };
  /** The arena drawn (and the walls shots stop at): the built-in map until a room's map is given (useMap). */
  private arena: ArenaMap = ARENA_MAP;
  private shots = new ShotTracker(ARENA_MAP, createRules());
  private floor: Phaser.GameObjects.Graphics | undefined;
  private walls: Phaser.GameObjects.Graphics | undefined;
  private minimap!: Minimap;
  private death = new DeathView(createRules().respawnTicks);
  /** The last seconds as drawn here, replayed from the killer's side after a death (killCam.ts). */
  readonly killCam = new KillCam(new KillCamSetting(browserStorage()), {
    show: (killerName) => {
      byTestId("killcam-title").textContent = killerName === "" ? "Kill-cam" : `Kill-cam · ${killerName}'s view`;
      byTestId("killcam").hidden = false;
    },
    hide: () => {
      byTestId("killcam").hidden = true;
    },
  });
  private killCamView: KillCamView | undefined;
  private readonly killCamAt: Vec2 = { x: 0, y: 0 };

  constructor() {
    super("game");
  }

  attach(session: GameSession | undefined, inputs: SceneInputs | undefined): void {
    this.session?.room.onStateChange.remove(this.onPatch);
    this.session?.room.onStateChange.remove(this.onKillCamPatch);
    if (this.session !== undefined) this.help.leave();
    this.session = session;
    this.inputs = inputs;
    for (const v of this.views.values()) {
      v.body.destroy();
      v.label.destroy();
    }
    this.views.clear();
    this.drawn.clear();
    this.fx?.clear();
    this.spawns.clear();
    this.shotDrawn.clear();
    this.stateEvents = new StateEvents();
    this.killCam.reset();
    this.showKillCam(undefined);
    if (session !== undefined) {
      this.death = new DeathView(session.rules.respawnTicks);
      this.muzzle = new MuzzlePrediction(session.rules.fireCooldownSteps * session.stepMs);
      session.room.onStateChange(this.onPatch);
      session.room.onStateChange(this.onKillCamPatch);
    }
    showDeath(undefined);
  }

  /** Draws `map` (floor, walls, minimap, camera bounds) and flies shots against its walls: the room's map, once loaded. */
  useMap(map: ArenaMap): void {
    this.arena = map;
    this.shots = new ShotTracker(map, createRules());
    if (this.floor !== undefined) this.drawArena();
  }

  /** The map drawn now. */
  get map(): ArenaMap {
    return this.arena;
  }

  private drawArena(): void {
    const { width, height } = this.arena;
    drawArenaLook(this.floor!, this.walls!, this.arena);
    this.cameras.main.setBounds(-200, -200, width + 400, height + 400);
    this.minimap.show(this.arena, this.scale.width);
  }

  /** A hit (small) or a death (big) burst at a world position. */
  burst(x: number, y: number, big: boolean): void {
    if (!this.created) return;
    this.fx.burst(x, y, big);
  }

  /** The feedback a patch calls for, as this player sees it (feedback.ts decides; effects.ts draws). */
  private feedback(): void {
    const session = this.session;
    const state = session?.room.state;
    // A patch before the scene's create() has nothing to draw on (and its events are old news by then).
    if (session === undefined || state?.players === undefined || !this.created) return;
    const me = session.sessionId;
    const events = this.stateEvents.update(state.players);
    if (events.length === 0) return;
    const where = (id: string): Point | undefined => this.drawn.get(id);
    const shotAt = (shooter: string, tick: number): Point | undefined => this.shotDrawn.get(shotKey(shooter, tick));
    for (const f of feedbackOf(events, me, where, shotAt)) {
      switch (f.kind) {
        case "muzzle":
          this.fx.muzzle(f.x, f.y, f.angle);
          break;
        case "hitLanded": {
          const at = this.drawn.get(f.target);
          if (at !== undefined) this.fx.hitLanded(at.x, at.y, f.damage);
          break;
        }
        case "hitTaken": {
          const mine = this.drawn.get(me);
          const from = f.from === undefined ? undefined : this.drawn.get(f.from);
          this.fx.hitTaken(mine !== undefined && from !== undefined ? indicatorAngle(mine, from) : undefined);
          break;
        }
        case "hitSeen":
        case "death":
          // Bursts on the victims: main.ts starts them (burst()) with the kill feed and sounds.
          break;
      }
    }
  }

  create(): void {
    this.floor = this.add.graphics();
    this.walls = this.add.graphics();
    this.projectiles = this.add.graphics().setDepth(5);
    this.fx = new Effects(this);
    this.created = true;
    this.minimap = new Minimap(this, this.arena);
    this.killCamView = new KillCamView(this);
    this.drawArena();
    this.scale.on(Phaser.Scale.Events.RESIZE, (size: Phaser.Structs.Size) => this.minimap.layout(size.width));
    this.input.on("pointerdown", (p: Phaser.Input.Pointer) => {
      if (p.leftButtonDown()) this.firing = true;
    });
    this.input.on("pointerup", () => {
      this.firing = false;
    });
    this.game.events.on(Phaser.Core.Events.BLUR, () => {
      this.firing = false;
    });
  }

  override update(time: number): void {
    const session = this.session;
    if (session === undefined) return;
    const state = session.room.state;
    if (state?.players === undefined) return;
    const me = state.players.get(session.sessionId);
    if (me === undefined) {
      // Spectating: everyone is drawn in the past; the camera follows the leader.
      session.frame(time);
      this.drawPlayers(session, state.players, time);
      this.drawProjectiles(session);
      this.fx.setEdge(0);
      this.fx.draw();
      const leader = standingsLeader(state);
      const at = leader !== undefined ? this.drawn.get(leader) : undefined;
      this.cameras.main.centerOn(at?.x ?? this.arena.width / 2, at?.y ?? this.arena.height / 2);
      this.minimap.update(undefined, 0);
      return;
    }

    // Input: sampled every frame, sent by the session once per fixed step.
    const local = session.localPosition(time, this.scratch) ?? { x: me.x, y: me.y };
    const pointer = this.input.activePointer;
    const world = this.cameras.main.getWorldPoint(pointer.x, pointer.y);
    this.aim = aimAt(local.x, local.y, world.x, world.y, this.aim);
    const held = this.inputs?.held() ?? new Set<string>();
    const pad = this.inputs?.touch?.();
    if (pad !== undefined) this.aim = pad.aim;
    const command = pad ?? { ...moveFromKeys(held), aim: this.aim, fire: this.firing };
    session.setCommand(command);
    this.help.frame(me.alive && state.phase !== "results", command.mx !== 0 || command.my !== 0);
    session.frame(time);

    // Recorded only while the kill-cam is on: off, it costs nothing.
    if (this.killCam.setting.enabled) this.killCam.buffer.begin(time);
    this.drawPlayers(session, state.players, time);
    // My muzzle flash at the press, not when the server's patch brings the shot back.
    if (this.muzzle.fires(time, command.fire, me.alive, state.phase === "playing")) {
      const at = this.drawn.get(session.sessionId);
      if (at !== undefined) this.fx.muzzle(at.x, at.y, this.aim);
    }
    this.drawProjectiles(session);
    this.killCam.buffer.end();
    this.fx.setEdge(dangerEdge(me.hp, MAX_HP, me.alive));
    this.fx.draw();
    const mine = this.drawn.get(session.sessionId);
    // Dead: the camera glides to whoever killed you until you respawn.
    const death = this.death.update(state, me);
    showDeath(death);
    const killerAt = death !== undefined ? this.drawn.get(death.killer) : undefined;
    const cam = this.cameras.main;
    if (killerAt !== undefined) cam.centerOn(cam.midPoint.x + (killerAt.x - cam.midPoint.x) * 0.1, cam.midPoint.y + (killerAt.y - cam.midPoint.y) * 0.1);
    else if (mine !== undefined) cam.centerOn(mine.x, mine.y);
    this.minimap.update(me.alive ? mine : undefined, playerColor(me.color));
    this.showKillCam(this.killCam.update(time, state, me));
  }

  /**
   * The kill-cam's moment `t` drawn over the live scene, the camera on the killer; or (undefined) the live
   * scene. The arena's floor and walls are raised above the live layers meanwhile: they hide them.
   */
  private showKillCam(t: number | undefined): void {
    const view = this.killCamView;
    if (view === undefined) return;
    if (t === undefined) {
      if (this.floor?.depth !== 0) {
        this.floor?.setDepth(0);
        this.walls?.setDepth(0);
        view.hide();
      }
      return;
    }
    if (this.session === undefined) return;
    this.floor?.setDepth(KILLCAM_DEPTH);
    this.walls?.setDepth(KILLCAM_DEPTH);
    this.killCam.drewShots(view.draw(this.killCam.buffer, t, this.killCam.killer, this.session.sessionId, this.killCamAt));
    this.cameras.main.centerOn(this.killCamAt.x, this.killCamAt.y);
  }

  /** The name drawn above a player (with its bot tag), for tests. */
  labelOf(id: string): string | undefined {
    return this.views.get(id)?.label.text;
  }

  private drawPlayers(session: GameSession, players: ArenaState["players"], time: number): void {
    const seen = new Set<string>();
    players.forEach((p: Player, id: string) => {
      seen.add(id);
      let view = this.views.get(id);
      if (view === undefined) {
        view = {
          body: this.add.graphics().setDepth(3),
          label: this.add.text(0, 0, "", LABEL_STYLE).setOrigin(0.5, 1).setDepth(4),
        };
        this.views.set(id, view);
      }
      const isMe = id === session.sessionId;
      const pos = isMe ? session.localPosition(time, { x: 0, y: 0 }) : session.remotePosition(id, { x: 0, y: 0 });
      const at = pos ?? { x: p.x, y: p.y };
      this.drawn.set(id, at);
      this.killCam.buffer.player(id, p.name, p.color, p.bot, at.x, at.y, isMe ? this.aim : p.aim, p.hp,
        (p.alive ? Flag.Alive : 0) | (isMe ? Flag.Me : 0) | (session.room.state.tick < p.protectedUntil ? Flag.Shielded : 0) | (p.connected ? 0 : Flag.Disconnected));
      const g = view.body;
      g.clear();
      view.label.setVisible(p.alive);
      if (this.spawns.cameAlive(id, p.alive)) this.fx.spawnIn(at.x, at.y);
      if (!p.alive) return;
      const color = playerColor(p.color);
      const shielded = session.room.state.tick < p.protectedUntil;
      g.setPosition(at.x, at.y);
      // Shape tells people (circles) from bots (hexagons), a ring and a marker tell you (playerLook.ts).
      look.color = color;
      look.me = isMe;
      look.bot = p.bot;
      look.connected = p.connected;
      drawBody(g, look);
      if (shielded) g.lineStyle(2, 0xffffff, 0.5 + 0.4 * Math.sin(time / 80)).strokeCircle(0, 0, PLAYER_RADIUS + 6);
      if (p.voice) this.drawVoice(g, this.inputs?.voiceLevel?.(id) ?? 0);
      const aim = isMe ? this.aim : p.aim;
      g.lineStyle(4, 0xffffff, 0.9).lineBetween(Math.cos(aim) * 8, Math.sin(aim) * 8, Math.cos(aim) * (PLAYER_RADIUS + 10), Math.sin(aim) * (PLAYER_RADIUS + 10));
      drawHealth(g, p.hp);
      view.label.setText(taggedName(p.name, id, p.bot)).setColor(p.bot ? BOT_LABEL_COLOR : LABEL_COLOR).setPosition(at.x, at.y - LABEL_OFFSET);
    });
    for (const [id, view] of this.views) {
      if (seen.has(id)) continue;
      view.body.destroy();
      view.label.destroy();
      this.views.delete(id);
      this.drawn.delete(id);
      this.spawns.forget(id);
    }
  }

  /** The mic mark (voice on) above-right of the body, and a speaking ring that swells with the level. */
  private drawVoice(g: Phaser.GameObjects.Graphics, level: number): void {
    const mx = PLAYER_RADIUS - 2;
    const my = -PLAYER_RADIUS - 4;
    g.fillStyle(COLORS.mic, 1).fillRoundedRect(mx - 2.5, my - 5, 5, 8, 2.5);
    g.lineStyle(1.5, COLORS.mic, 1).beginPath().arc(mx, my, 4.5, 0, Math.PI).strokePath();
    g.lineBetween(mx, my + 4.5, mx, my + 7);
    if (level < SPEAKING_LEVEL) return;
    const k = Math.min(1, level * 8);
    g.lineStyle(3, COLORS.speaking, 0.4 + 0.6 * k).strokeCircle(0, 0, PLAYER_RADIUS + 5 + 4 * k);
  }

  /**
   * Projectiles are built here from each player's latest shot and flown with
   * the shared path; they fly on the same timeline as the players they are
   * drawn with (the present for my shots, the past for others'), and end at
   * their wall, their lifetime, the server naming them as landed, or a drawn player in the way.
   */
  private drawProjectiles(session: GameSession): void {
    const g = this.projectiles;
    g.clear();
    g.fillStyle(COLORS.projectile, 1);
    const state = session.room.state;
    const stepMs = session.stepMs;
    const presentAge = (tick: number): number => (session.room.clock.serverNow() - session.tickTime(tick)) / stepMs;
    const pastAge = (tick: number): number => (session.renderTime() - session.tickTime(tick)) / stepMs;
    const ageOf = (shot: FlyingShot): number => (shot.shooter === session.sessionId ? presentAge(shot.tick) : pastAge(shot.tick));
    // Sparks where a projectile reaches its wall (it is pruned just after).
    const lifetime = session.rules.projectileLifetimeTicks;
    for (const shot of this.shots.flying.values()) {
      if (shot.endsAt >= lifetime || ageOf(shot) <= shot.endsAt) continue;
      const stop = projectilePosition(shot, shot.endsAt, session.rules.dt);
      this.fx.sparks(stop.x, stop.y, shot.angle);
    }
    this.shots.prune(ageOf);
    for (const key of this.shotDrawn.keys()) if (!this.shots.flying.has(key)) this.shotDrawn.delete(key);
    // Living players where they are drawn this frame: a projectile that reaches one ends there.
    const blockers: Array<{ id: string; at: Vec2 }> = [];
    this.drawn.forEach((at, id) => {
      if (state.players.get(id)?.alive === true) blockers.push({ id, at });
    });
    const reach2 = (PLAYER_RADIUS + PROJECTILE_RADIUS) ** 2;
    for (const [key, shot] of this.shots.flying) {
      const age = ageOf(shot);
      if (age < 0) continue; // not fired yet on this timeline
      const at = projectilePosition(shot, age, session.rules.dt);
      if (blockers.some((b) => b.id !== shot.shooter && (b.at.x - at.x) ** 2 + (b.at.y - at.y) ** 2 < reach2)) {
        this.shots.flying.delete(key);
        continue;
      }
      // The trail: a fading streak behind the projectile, as long as the path it has flown (at most TRAIL).
      const trail = Math.min(TRAIL, Math.max(0, age) * PROJECTILE_SPEED * session.rules.dt);
      const cos = Math.cos(shot.angle);
      const sin = Math.sin(shot.angle);
      g.lineStyle(PROJECTILE_RADIUS * 1.6, COLORS.projectile, 0.25).lineBetween(at.x - cos * trail, at.y - sin * trail, at.x, at.y);
      g.lineStyle(PROJECTILE_RADIUS, COLORS.projectile, 0.6).lineBetween(at.x - cos * trail * 0.5, at.y - sin * trail * 0.5, at.x, at.y);
      g.fillCircle(at.x, at.y, PROJECTILE_RADIUS);
      this.killCam.buffer.shot(at.x, at.y, shot.angle, trail);
      const last = this.shotDrawn.get(key);
      if (last === undefined) this.shotDrawn.set(key, { x: at.x, y: at.y });
      else {
        last.x = at.x;
        last.y = at.y;
      }
    }
  }

  /** Starts flying a shot a patch brought (a "shot" state event); `tick` is the state's tick. */
  startShot(shot: FiredShot, tick: number): void {
    this.shots.start(shot, tick);
  }

  /** The projectiles this scene flies (benchmarks add their own to it). */
  get shotTracker(): ShotTracker {
    return this.shots;
  }

  /** The server named this shot as landed (`landedShot`): it ends here whatever the drawing thought. */
  endShot(shooter: string, firedAt: number): void {
    this.shots.end(shooter, firedAt);
  }}
