/**
 * The Phaser scene: draws the arena, players (name, health bar, aim),
 * projectiles and hit/death effects from the netcode session, and turns the
 * keyboard and mouse into the staged input each frame. Phaser renders; the
 * session decides where things are.
 */
import Phaser from "phaser";
import {
  ARENA_MAP, MAX_HP, PLAYER_RADIUS, PROJECTILE_RADIUS, PROJECTILE_SPEED, createRules, projectilePosition, type ArenaMap, type ArenaState, type InputCommand,
  type Player,
} from "@arena/shared";
import { ShotTracker, StateEvents, shotKey, type FiredShot, type FlyingShot } from "@arena/shared/view";
import { aimAt, moveFromKeys } from "../input/keys.ts";
import type { TouchCommand } from "../input/touch.ts";
import type { GameSession, Vec2 } from "../net/session.ts";
import { taggedName } from "../ui/botTag.ts";
import { ControlsHelp } from "../ui/controlsHelp.ts";
import { COLORS, playerColor } from "./palette.ts";
import { LABEL_OFFSET, LABEL_STYLE, drawHealth } from "./playerLook.ts";
import { DeathView, glideShare, showDeath } from "./deathView.ts";
import { BODY_ORIGIN_X, BODY_ORIGIN_Y, DISCONNECTED_ALPHA, TRAIL, arenaImage, bodyTexture, shotTextures } from "./bakedLook.ts";
import { Minimap } from "./minimap.ts";
import { Effects } from "./effects.ts";
import { MuzzlePrediction, Spawns, dangerEdge, feedbackOf, indicatorAngle, type Point } from "./feedback.ts";
import { KillCam, KillCamSetting } from "./killCam.ts";
import { Flag } from "./killCamBuffer.ts";
import { KILLCAM_DEPTH, KillCamView } from "./killCamView.ts";
import { byTestId } from "../ui/dom.ts";

/** Name colors above the players: a bot's is dimmer, beside its tag. */
/** The look a body's texture is baked with, filled in for each new look (nothing is allocated per frame). */
const look = { color: 0, me: false, bot: false, connected: true };
const LABEL_COLOR = "#e6e9ef";
const BOT_LABEL_COLOR = "#9aa6b8";

interface PlayerView {
  /** The body's shape, from a baked texture (bakedLook.ts); `bodyLook` packs the look it shows (colour, bot, me). */
  shape: Phaser.GameObjects.Image;
  bodyLook: number;
  /** What changes every frame over the body: the aim, the health bar, the spawn shield, the voice marks. */
  body: Phaser.GameObjects.Graphics;
  label: Phaser.GameObjects.Text;
  /** What the label shows now: a Text re-renders its canvas and uploads a texture on any setText/setColor, so those run only on a change. */
  name: string | undefined;
  bot: boolean;
}

export interface SceneInputs {
  /** Codes of the game keys held now (empty while typing in chat). */
  held(): ReadonlySet<string>;
  /** Measured voice level (0..1) of a player heard here, or of this player's own microphone. */
  voiceLevel?(id: string): number;
  /** The touch sticks' command, when they are in use. */
  touch?(): TouchCommand | undefined;
}

/** No keys held (no keyboard attached yet). */
const NO_KEYS: ReadonlySet<string> = new Set();

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
  /** A projectile's trail and head Images, pooled: the first `shotsShown` are in use this frame. */
  private readonly shotImages: Array<{ trail: Phaser.GameObjects.Image; head: Phaser.GameObjects.Image }> = [];
  private shotsShown = 0;
  /** Living players' ids and drawn positions this frame (a projectile that reaches one ends), reused each frame. */
  private readonly blockerIds: string[] = [];
  private readonly blockerAt: Vec2[] = [];
  private readonly seen = new Set<string>();
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
  /** The frame's pointer in world units and keyboard command, reused every frame (nothing allocated per frame). */
  private readonly pointerWorld = new Phaser.Math.Vector2();
  private readonly keysCommand: InputCommand = { mx: 0, my: 0, aim: 0, fire: false };
  private readonly shotAt: Vec2 = { x: 0, y: 0 };
  /** The arena drawn (and the walls shots stop at): the built-in map until a room's map is given (useMap). */
  private arena: ArenaMap = ARENA_MAP;
  private shots = new ShotTracker(ARENA_MAP, createRules());
  /** The floor and walls, baked into one texture per map. */
  private ground: Phaser.GameObjects.Image | undefined;
  private minimap!: Minimap;
  private death = new DeathView(createRules().respawnTicks);
  /** When the previous frame ran (its `time`), for the length of the next. */
  private lastUpdateAt: number | undefined;
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
      v.shape.destroy();
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
    if (this.ground !== undefined) this.drawArena();
  }

  /** The map drawn now. */
  get map(): ArenaMap {
    return this.arena;
  }

  private drawArena(): void {
    const { width, height } = this.arena;
    this.ground = arenaImage(this, this.arena, this.ground);
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
    // The frame's real length: Phaser's own delta is smoothed over recent frames, and one over 200 ms (its minimum
    // rate) is taken for an earlier, shorter one.
    const frameMs = this.lastUpdateAt === undefined ? 0 : time - this.lastUpdateAt;
    this.lastUpdateAt = time;
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
    const world = this.cameras.main.getWorldPoint(pointer.x, pointer.y, this.pointerWorld);
    this.aim = aimAt(local.x, local.y, world.x, world.y, this.aim);
    const held = this.inputs?.held() ?? NO_KEYS;
    const pad = this.inputs?.touch?.();
    if (pad !== undefined) this.aim = pad.aim;
    if (pad === undefined) {
      moveFromKeys(held, this.keysCommand);
      this.keysCommand.aim = this.aim;
      this.keysCommand.fire = this.firing;
    }
    const command: InputCommand = pad ?? this.keysCommand;
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
    if (killerAt !== undefined) {
      const share = glideShare(frameMs);
      cam.centerOn(cam.midPoint.x + (killerAt.x - cam.midPoint.x) * share, cam.midPoint.y + (killerAt.y - cam.midPoint.y) * share);
    } else if (mine !== undefined) cam.centerOn(mine.x, mine.y);
    this.minimap.update(me.alive ? mine : undefined, playerColor(me.color));
    this.showKillCam(this.killCam.update(time, state, me));
  }

  /**
   * The kill-cam's moment `t` drawn over the live scene, the camera on the killer; or (undefined) the live
   * scene. The arena's floor and walls (one Image) are raised above the live layers meanwhile: they hide them.
   */
  private showKillCam(t: number | undefined): void {
    const view = this.killCamView;
    if (view === undefined) return;
    if (t === undefined) {
      if (this.ground?.depth !== 0) {
        this.ground?.setDepth(0);
        view.hide();
      }
      return;
    }
    if (this.session === undefined) return;
    this.ground?.setDepth(KILLCAM_DEPTH);
    this.killCam.drewShots(view.draw(this.killCam.buffer, t, this.killCam.killer, this.session.sessionId, this.killCamAt));
    this.cameras.main.centerOn(this.killCamAt.x, this.killCamAt.y);
  }

  /** The name drawn above a player (with its bot tag), for tests. */
  labelOf(id: string): string | undefined {
    return this.views.get(id)?.label.text;
  }

  private drawPlayers(session: GameSession, players: ArenaState["players"], time: number): void {
    const seen = this.seen;
    seen.clear();
    players.forEach((p: Player, id: string) => {
      seen.add(id);
      let view = this.views.get(id);
      if (view === undefined) {
        view = {
          shape: this.add.image(0, 0, "__DEFAULT").setOrigin(BODY_ORIGIN_X, BODY_ORIGIN_Y).setDepth(3),
          bodyLook: -1,
          body: this.add.graphics().setDepth(3),
          label: this.add.text(0, 0, "", LABEL_STYLE).setOrigin(0.5, 1).setDepth(4),
          name: undefined,
          bot: false,
        };
        this.views.set(id, view);
      }
      const isMe = id === session.sessionId;
      // Each player's drawn position is one object, written again every frame.
      let at = this.drawn.get(id);
      if (at === undefined) this.drawn.set(id, (at = { x: p.x, y: p.y }));
      const pos = isMe ? session.localPosition(time, at) : session.remotePosition(id, at);
      if (pos === undefined) {
        at.x = p.x;
        at.y = p.y;
      }
      this.killCam.buffer.player(id, p.name, p.color, p.bot, at.x, at.y, isMe ? this.aim : p.aim, p.hp,
        (p.alive ? Flag.Alive : 0) | (isMe ? Flag.Me : 0) | (session.room.state.tick < p.protectedUntil ? Flag.Shielded : 0) | (p.connected ? 0 : Flag.Disconnected));
      const g = view.body;
      g.clear();
      view.label.setVisible(p.alive);
      view.shape.setVisible(p.alive);
      if (this.spawns.cameAlive(id, p.alive)) this.fx.spawnIn(at.x, at.y);
      if (!p.alive) return;
      const color = playerColor(p.color);
      const shielded = session.room.state.tick < p.protectedUntil;
      g.setPosition(at.x, at.y);
      // Shape tells people (circles) from bots (hexagons), a ring and a marker tell you (playerLook.ts), baked
      // once per look; the palette setting changes the colour, and so the texture, at once.
      const bodyLook = color * 4 + (p.bot ? 2 : 0) + (isMe ? 1 : 0);
      if (bodyLook !== view.bodyLook) {
        view.bodyLook = bodyLook;
        look.color = color;
        look.me = isMe;
        look.bot = p.bot;
        view.shape.setTexture(bodyTexture(this, look));
      }
      view.shape.setPosition(at.x, at.y).setAlpha(p.connected ? 1 : DISCONNECTED_ALPHA);
      if (shielded) g.lineStyle(2, 0xffffff, 0.5 + 0.4 * Math.sin(time / 80)).strokeCircle(0, 0, PLAYER_RADIUS + 6);
      if (p.voice) this.drawVoice(g, this.inputs?.voiceLevel?.(id) ?? 0);
      const aim = isMe ? this.aim : p.aim;
      g.lineStyle(4, 0xffffff, 0.9).lineBetween(Math.cos(aim) * 8, Math.sin(aim) * 8, Math.cos(aim) * (PLAYER_RADIUS + 10), Math.sin(aim) * (PLAYER_RADIUS + 10));
      drawHealth(g, p.hp);
      if (view.name !== p.name || view.bot !== p.bot) {
        view.name = p.name;
        view.bot = p.bot;
        view.label.setColor(p.bot ? BOT_LABEL_COLOR : LABEL_COLOR).setText(taggedName(p.name, id, p.bot));
      }
      view.label.setPosition(at.x, at.y - LABEL_OFFSET);
    });
    for (const [id, view] of this.views) {
      if (seen.has(id)) continue;
      view.shape.destroy();
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
    const state = session.room.state;
    // Sparks where a projectile reaches its wall (it is pruned just after).
    const lifetime = session.rules.projectileLifetimeTicks;
    for (const shot of this.shots.flying.values()) {
      if (shot.endsAt >= lifetime || this.ageOf(shot) <= shot.endsAt) continue;
      const stop = projectilePosition(shot, shot.endsAt, session.rules.dt);
      this.fx.sparks(stop.x, stop.y, shot.angle);
    }
    this.shots.prune(this.ageOf);
    for (const key of this.shotDrawn.keys()) if (!this.shots.flying.has(key)) this.shotDrawn.delete(key);
    // Living players where they are drawn this frame: a projectile that reaches one ends there.
    const ids = this.blockerIds;
    const ats = this.blockerAt;
    ids.length = 0;
    ats.length = 0;
    for (const [id, at] of this.drawn) {
      if (state.players.get(id)?.alive !== true) continue;
      ids.push(id);
      ats.push(at);
    }
    const reach2 = (PLAYER_RADIUS + PROJECTILE_RADIUS) ** 2;
    const dt = session.rules.dt;
    let shown = 0;
    for (const [key, shot] of this.shots.flying) {
      const age = this.ageOf(shot);
      if (age < 0) continue; // not fired yet on this timeline
      const { x, y } = projectilePosition(shot, age, dt, this.shotAt);
      let blocked = false;
      for (let i = 0; i < ids.length && !blocked; i++) blocked = ids[i] !== shot.shooter && (ats[i]!.x - x) ** 2 + (ats[i]!.y - y) ** 2 < reach2;
      if (blocked) {
        this.shots.flying.delete(key);
        continue;
      }
      // The trail: a fading streak behind the projectile, as long as the path it has flown (at most TRAIL).
      const trail = Math.min(TRAIL, Math.max(0, age) * PROJECTILE_SPEED * dt);
      const images = this.shotImage(shown++);
      images.trail.setPosition(x, y).setRotation(shot.angle).setScale(trail / TRAIL, 1).setVisible(true);
      images.head.setPosition(x, y).setVisible(true);
      this.killCam.buffer.shot(x, y, shot.angle, trail);
      const last = this.shotDrawn.get(key);
      if (last === undefined) this.shotDrawn.set(key, { x, y });
      else {
        last.x = x;
        last.y = y;
      }
    }
    for (let i = shown; i < this.shotsShown; i++) {
      this.shotImages[i]!.trail.setVisible(false);
      this.shotImages[i]!.head.setVisible(false);
    }
    this.shotsShown = shown;
  }

  /** How many steps old `shot` is on the timeline it is drawn on: the present for my shots, the past for others'. */
  private readonly ageOf = (shot: FlyingShot): number => {
    const session = this.session!;
    const now = shot.shooter === session.sessionId ? session.room.clock.serverNow() : session.renderTime();
    return (now - session.tickTime(shot.tick)) / session.stepMs;
  };

  /** The `i`th pooled projectile Images (made on first use, kept for the scene's life). */
  private shotImage(i: number): { trail: Phaser.GameObjects.Image; head: Phaser.GameObjects.Image } {
    let images = this.shotImages[i];
    if (images === undefined) {
      const { trail, head } = shotTextures(this);
      images = {
        trail: this.add.image(0, 0, trail).setOrigin(1, 0.5).setDepth(5),
        head: this.add.image(0, 0, head).setDepth(5),
      };
      this.shotImages.push(images);
    }
    return images;
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
