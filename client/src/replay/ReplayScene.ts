/**
 * Draws a recording's state in the game's look (arenaLook.ts, playerLook.ts, the palette): the arena, the
 * living players with their names and health, and the projectiles in flight, flown from each player's
 * latest shot as the live scene flies them (StateEvents, ShotTracker). Positions are the state's own, as
 * of the last patch at or before the tick shown. The camera follows one player, or is free: dragged with
 * a mouse or a finger, starting at the arena's centre.
 */
import Phaser from "phaser";
import { PLAYER_RADIUS, PROJECTILE_RADIUS, createRules, projectilePosition, type ArenaMap, type Rules } from "@arena/shared";
import { ShotTracker, StateEvents } from "@arena/shared/view";
import { drawArenaLook } from "../game/arenaLook.ts";
import { COLORS, playerColor } from "../game/palette.ts";
import { LABEL_OFFSET, LABEL_STYLE, drawBody, drawHealth } from "../game/playerLook.ts";
import { taggedName } from "../ui/botTag.ts";
import type { Playback } from "./playback.ts";

interface Body {
  g: Phaser.GameObjects.Graphics;
  label: Phaser.GameObjects.Text;
}

/** The look drawBody is given, filled in for each body (nothing allocated per frame). */
const look = { color: 0, me: false, bot: false, connected: true };

export class ReplayScene extends Phaser.Scene {
  /** Session id followed by the camera; undefined: the free camera. */
  follow: string | undefined;
  /** Called after each frame is drawn (the controls show the tick and scoreboard). */
  onFrame: () => void = () => {};
  private readonly bodies = new Map<string, Body>();
  private projectiles!: Phaser.GameObjects.Graphics;
  private stateEvents = new StateEvents();
  private shots: ShotTracker;
  private readonly rules: Rules;
  private generation = -1;
  /** Frames drawn so far. */
  frames = 0;
  /** When the first frame was drawn (performance.now(): ms from the page's navigation), and its tick. */
  firstFrameAt = 0;
  firstTick = 0;

  constructor(private readonly playback: Playback, private readonly map: ArenaMap) {
    super("replay");
    this.rules = createRules(playback.tickRate);
    this.shots = new ShotTracker(map, this.rules);
  }

  create(): void {
    drawArenaLook(this.add.graphics(), this.add.graphics(), this.map);
    this.projectiles = this.add.graphics().setDepth(5);
    // No camera bounds (unlike the live scene): a followed player near a wall stays at the centre.
    const cam = this.cameras.main;
    cam.centerOn(this.map.width / 2, this.map.height / 2);
    // The free camera: dragging pans it (and leaves whoever was followed).
    this.input.on("pointermove", (p: Phaser.Input.Pointer) => {
      if (!p.isDown) return;
      this.follow = undefined;
      cam.scrollX -= (p.x - p.prevPosition.x) / cam.zoom;
      cam.scrollY -= (p.y - p.prevPosition.y) / cam.zoom;
    });
  }

  override update(_time: number, delta: number): void {
    const pb = this.playback;
    pb.run(delta);
    if (pb.generation !== this.generation) {
      // A seek or a new state object: the projectiles are rebuilt from the players' latest shots.
      this.generation = pb.generation;
      this.stateEvents = new StateEvents();
      this.shots = new ShotTracker(this.map, this.rules);
    }
    const state = pb.state;
    for (const e of this.stateEvents.update(state.players)) {
      if (e.type === "shot") this.shots.start(e, pb.tick);
      else if (e.type === "landed") this.shots.end(e.shooter, e.firedAt);
    }
    this.drawPlayers();
    this.drawProjectiles(pb.time);
    const followed = this.follow === undefined ? undefined : state.players.get(this.follow);
    if (followed !== undefined) this.cameras.main.centerOn(followed.x, followed.y);
    if (this.frames++ === 0) {
      this.firstFrameAt = performance.now();
      this.firstTick = pb.tick;
    }
    this.onFrame();
  }

  private drawPlayers(): void {
    const state = this.playback.state;
    const seen = new Set<string>();
    state.players.forEach((p, id) => {
      seen.add(id);
      let body = this.bodies.get(id);
      if (body === undefined) {
        body = { g: this.add.graphics().setDepth(3), label: this.add.text(0, 0, "", LABEL_STYLE).setOrigin(0.5, 1).setDepth(4) };
        this.bodies.set(id, body);
      }
      const { g, label } = body;
      g.clear().setVisible(p.alive);
      label.setVisible(p.alive);
      if (!p.alive) return;
      g.setPosition(p.x, p.y);
      look.color = playerColor(p.color);
      // The followed player is drawn as a player sees themself.
      look.me = id === this.follow;
      look.bot = p.bot;
      look.connected = p.connected;
      drawBody(g, look);
      if (state.tick < p.protectedUntil) g.lineStyle(2, 0xffffff, 0.6).strokeCircle(0, 0, PLAYER_RADIUS + 6);
      const cos = Math.cos(p.aim);
      const sin = Math.sin(p.aim);
      g.lineStyle(4, 0xffffff, 0.9).lineBetween(cos * 8, sin * 8, cos * (PLAYER_RADIUS + 10), sin * (PLAYER_RADIUS + 10));
      drawHealth(g, p.hp);
      label.setText(taggedName(p.name, id, p.bot)).setPosition(p.x, p.y - LABEL_OFFSET);
    });
    for (const [id, body] of this.bodies) {
      if (seen.has(id)) continue;
      body.g.destroy();
      body.label.destroy();
      this.bodies.delete(id);
    }
  }

  /** Projectiles at playback time `time` (fractional ticks), each aged from its firing tick. */
  private drawProjectiles(time: number): void {
    const g = this.projectiles.clear();
    const ageOf = (shot: { tick: number }): number => time - shot.tick;
    this.shots.prune(ageOf);
    for (const shot of this.shots.flying.values()) {
      const age = ageOf(shot);
      if (age < 0) continue;
      const at = projectilePosition(shot, age, this.rules.dt);
      g.fillStyle(COLORS.projectile, 1).fillCircle(at.x, at.y, PROJECTILE_RADIUS);
    }
  }
}
