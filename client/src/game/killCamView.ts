/**
 * Draws a kill-cam frame in the game's scene: the recorded players, with the
 * scene's own look (playerLook.ts: the killer marked as a player sees themself,
 * this player ringed red), and the
 * projectiles in flight, interpolated between the recorded frames around the
 * moment shown. It draws above the live scene, which the arena's floor and
 * walls, raised for the kill-cam, cover (GameScene.showKillCam). Its bodies and
 * labels are made on the first kill-cam and reused.
 */
import Phaser from "phaser";
import { PLAYER_RADIUS, PROJECTILE_RADIUS } from "@arena/shared";
import { taggedName } from "../ui/botTag.ts";
import { KILLCAM_FRAMING_Y } from "./killCam.ts";
import { Flag, KILLCAM_SHOTS, KILLCAM_SLOTS, type KillCamBuffer } from "./killCamBuffer.ts";
import { COLORS, playerColor } from "./palette.ts";
import { LABEL_OFFSET, LABEL_STYLE, drawBody, drawHealth } from "./playerLook.ts";

/** Depths: above every live layer (players 3–4, projectiles 5, effects 6–7), below the minimap and screen effects (20). */
export const KILLCAM_DEPTH = 10;
/** A recorded move longer than this between two frames is a teleport (a respawn): not interpolated. */
const TELEPORT_UNITS = 100;
const VICTIM_RING = 0xff6b57;

/** The look drawBody is given, reused for every body. */
interface MutableLook {
  color: number;
  me: boolean;
  bot: boolean;
  connected: boolean;
}

export class KillCamView {
  private readonly bodies: Phaser.GameObjects.Graphics[] = [];
  private readonly shots: Phaser.GameObjects.Graphics;
  private readonly labels: Phaser.GameObjects.Text[] = [];
  private readonly look: MutableLook = { color: 0, me: false, bot: false, connected: true };

  constructor(private readonly scene: Phaser.Scene) {
    this.shots = scene.add.graphics().setDepth(KILLCAM_DEPTH + 3).setVisible(false);
  }

  /**
   * Draws the recorded moment `t` (the scene's clock); `killer` is followed, `me` marked.
   * Returns the number of projectiles drawn; `camera` gets where to centre on the killer (unchanged if not recorded then).
   */
  draw(buffer: KillCamBuffer, t: number, killer: string, me: string, camera: { x: number; y: number }): number {
    if (this.labels.length === 0) {
      for (let s = 0; s < KILLCAM_SLOTS; s++) {
        this.bodies.push(this.scene.add.graphics().setDepth(KILLCAM_DEPTH + 1).setVisible(false));
        this.labels.push(this.scene.add.text(0, 0, "", LABEL_STYLE).setOrigin(0.5, 1).setDepth(KILLCAM_DEPTH + 2).setVisible(false));
      }
    }
    this.shots.setVisible(true).clear();
    const at = buffer.locate(t);
    if (at < 0) return 0;
    const i = Math.floor(at);
    const k = at - i;
    const fa = buffer.frame(i);
    const fb = buffer.frame(Math.min(i + 1, buffer.size - 1));
    const killerSlot = buffer.slotOfId(killer);
    const meSlot = buffer.slotOfId(me);
    for (let s = 0; s < KILLCAM_SLOTS; s++) {
      const label = this.labels[s]!;
      const g = this.bodies[s]!;
      const a = fa * KILLCAM_SLOTS + s;
      const flags = buffer.flags[a]!;
      if (!buffer.present(fa, s) || (flags & Flag.Alive) === 0) {
        label.setVisible(false);
        g.setVisible(false);
        continue;
      }
      let x = buffer.x[a]!;
      let y = buffer.y[a]!;
      let aim = buffer.aim[a]!;
      const b = fb * KILLCAM_SLOTS + s;
      if (buffer.present(fb, s) && (buffer.flags[b]! & Flag.Alive) !== 0) {
        const dx = buffer.x[b]! - x;
        const dy = buffer.y[b]! - y;
        if (dx * dx + dy * dy < TELEPORT_UNITS * TELEPORT_UNITS) {
          x += dx * k;
          y += dy * k;
          // The short way round.
          const turn = Math.atan2(Math.sin(buffer.aim[b]! - aim), Math.cos(buffer.aim[b]! - aim));
          aim += turn * k;
        }
      }
      if (s === killerSlot) {
        camera.x = x;
        camera.y = y - KILLCAM_FRAMING_Y;
      }
      // The scene's own look; the killer is drawn as a player sees themself (it is their view).
      const look = this.look;
      look.color = playerColor(buffer.colors[s]!);
      look.me = s === killerSlot;
      look.bot = buffer.bots[s] === 1;
      look.connected = (flags & Flag.Disconnected) === 0;
      g.clear().setPosition(x, y).setVisible(true);
      drawBody(g, look);
      if ((flags & Flag.Shielded) !== 0) g.lineStyle(2, 0xffffff, 0.6).strokeCircle(0, 0, PLAYER_RADIUS + 6);
      if (s === meSlot) g.lineStyle(3, VICTIM_RING, 0.95).strokeCircle(0, 0, PLAYER_RADIUS + 4);
      const cos = Math.cos(aim);
      const sin = Math.sin(aim);
      g.lineStyle(4, 0xffffff, 0.9).lineBetween(cos * 8, sin * 8, cos * (PLAYER_RADIUS + 10), sin * (PLAYER_RADIUS + 10));
      drawHealth(g, buffer.hp[a]!);
      const name = buffer.names[s]!;
      // setText redraws the label only when its text changes.
      label.setText(look.bot ? taggedName(name, "", true) : name).setPosition(x, y - LABEL_OFFSET).setVisible(true);
    }
    const n = Math.min(buffer.shotCount[fa]!, KILLCAM_SHOTS);
    const p = this.shots;
    for (let j = 0; j < n; j++) {
      const o = (fa * KILLCAM_SHOTS + j) * 4;
      const x = buffer.shots[o]!;
      const y = buffer.shots[o + 1]!;
      const cos = Math.cos(buffer.shots[o + 2]!);
      const sin = Math.sin(buffer.shots[o + 2]!);
      const trail = buffer.shots[o + 3]!;
      p.lineStyle(PROJECTILE_RADIUS * 1.6, COLORS.projectile, 0.25).lineBetween(x - cos * trail, y - sin * trail, x, y);
      p.lineStyle(PROJECTILE_RADIUS, COLORS.projectile, 0.6).lineBetween(x - cos * trail * 0.5, y - sin * trail * 0.5, x, y);
      p.fillStyle(COLORS.projectile, 1).fillCircle(x, y, PROJECTILE_RADIUS);
    }
    return n;
  }

  /** Takes the kill-cam off the scene. */
  hide(): void {
    this.shots.clear().setVisible(false);
    for (const g of this.bodies) g.clear().setVisible(false);
    for (const label of this.labels) label.setVisible(false);
  }
}
