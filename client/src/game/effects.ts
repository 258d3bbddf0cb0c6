/**
 * Draws the game's feedback (feedback.ts decides it) with objects made once:
 * a fixed pool of particles (muzzle flashes, sparks, bursts, spawn rings) on
 * one world-space Graphics, a pool of Text objects for damage numbers, and one
 * screen-space Graphics for the hit indicators and the red edge. Starting an
 * effect reuses the oldest slot when the pool is full; drawing a frame
 * allocates nothing.
 */
import Phaser from "phaser";
import { PLAYER_RADIUS } from "@arena/shared";
import { settings } from "../ui/settings.ts";

/** What a pooled particle draws as. */
const Kind = {
  /** A short bright cone at a muzzle. */
  Muzzle: 0,
  /** A line particle flying out and fading (wall sparks, burst debris). */
  Spark: 1,
  /** A ring that grows and fades (hits, deaths). */
  Ring: 2,
  /** A ring that closes in on a player who just came alive. */
  Spawn: 3,
  /** An X over a target I hit. */
  Marker: 4,
} as const;
type Kind = (typeof Kind)[keyof typeof Kind];

interface Particle {
  live: boolean;
  kind: Kind;
  x: number;
  y: number;
  /** Direction (Muzzle, Spark) in radians. */
  angle: number;
  /** Speed (Spark, units/ms) or size (Ring, Spawn, Muzzle). */
  size: number;
  color: number;
  born: number;
  life: number;
}

interface Floater {
  text: Phaser.GameObjects.Text;
  born: number;
  x: number;
  y: number;
}

interface Indicator {
  angle: number;
  born: number;
}

const PARTICLES = 192;
const FLOATERS = 10;
const INDICATORS = 4;
const FLOAT_MS = 700;
const INDICATOR_MS = 1200;
/** How long the red edge flares after a hit taken, on top of the HP's steady level. */
const HURT_FLASH_MS = 300;
const SPARK = 0xffd27a;
const BURST = 0xff6b4a;
const MARKER = 0xffffff;
const EDGE = 0xe02a2a;
/** A hit taken shakes the camera this long and this hard (a fraction of the view), unless motion is reduced. */
const SHAKE_MS = 140;
const SHAKE_INTENSITY = 0.006;

export class Effects {
  private readonly world: Phaser.GameObjects.Graphics;
  private readonly screen: Phaser.GameObjects.Graphics;
  private readonly particles: Particle[] = [];
  private readonly floaters: Floater[] = [];
  private readonly indicators: Indicator[] = [];
  private next = 0;
  private nextFloater = 0;
  private nextIndicator = 0;
  private hurtAt = -Infinity;
  /** Steady red-edge level from HP (0..1), set by the scene. */
  private edge = 0;
  /** How many effects were started (tests read this through the scene). */
  started = 0;
  /** Hits taken shown, and camera shakes started for them (tests read these: reduced motion shakes nothing). */
  hitsTaken = 0;
  shakes = 0;

  constructor(private readonly scene: Phaser.Scene) {
    this.world = scene.add.graphics().setDepth(6);
    this.screen = scene.add.graphics().setDepth(20).setScrollFactor(0);
    for (let i = 0; i < PARTICLES; i++) this.particles.push({ live: false, kind: Kind.Ring, x: 0, y: 0, angle: 0, size: 0, color: 0, born: 0, life: 1 });
    for (let i = 0; i < FLOATERS; i++) {
      const text = scene.add.text(0, 0, "", { fontFamily: "system-ui, sans-serif", fontSize: "18px", fontStyle: "bold", color: "#ffe27a", stroke: "#000000", strokeThickness: 4 })
        .setOrigin(0.5, 1).setDepth(7).setVisible(false);
      this.floaters.push({ text, born: -Infinity, x: 0, y: 0 });
    }
    for (let i = 0; i < INDICATORS; i++) this.indicators.push({ angle: 0, born: -Infinity });
  }

  private spawn(kind: Kind, x: number, y: number, angle: number, size: number, color: number, life: number): void {
    const p = this.particles[this.next]!;
    this.next = (this.next + 1) % PARTICLES;
    p.live = true;
    p.kind = kind;
    p.x = x;
    p.y = y;
    p.angle = angle;
    p.size = size;
    p.color = color;
    p.born = this.scene.time.now;
    p.life = life;
    this.started += 1;
  }

  /** A muzzle flash at the end of a barrel (x, y is the player's centre, as shots start). */
  muzzle(x: number, y: number, angle: number): void {
    this.spawn(Kind.Muzzle, x + Math.cos(angle) * (PLAYER_RADIUS + 8), y + Math.sin(angle) * (PLAYER_RADIUS + 8), angle, 14, 0xfff6c8, 80);
  }

  /** Sparks off a wall where a projectile stopped, thrown back the way it came. */
  sparks(x: number, y: number, angle: number): void {
    // Reduced motion: fewer particles (2 sparks instead of 6), the same places and colours.
    const n = settings.reducedMotion ? 2 : 6;
    for (let i = 0; i < n; i++) this.spawn(Kind.Spark, x, y, angle + Math.PI + (i - (n - 1) / 2) * 0.35, 0.12 + 0.04 * (i % 3), SPARK, 220);
  }

  /** A hit seen on someone (small) or a death (big: a ring and debris). */
  burst(x: number, y: number, big: boolean): void {
    this.spawn(Kind.Ring, x, y, 0, big ? 50 : 16, big ? BURST : SPARK, big ? 600 : 250);
    if (!big) return;
    const n = settings.reducedMotion ? 4 : 12;
    for (let i = 0; i < n; i++) this.spawn(Kind.Spark, x, y, (i / n) * Math.PI * 2, 0.18 + 0.06 * (i % 3), BURST, 500);
  }

  /** A ring closing in on a player who just came alive. */
  spawnIn(x: number, y: number): void {
    this.spawn(Kind.Spawn, x, y, 0, PLAYER_RADIUS * 3, 0x9fe8ff, 450);
  }

  /** A hit I landed: an X over the target and the damage floating up from it. */
  hitLanded(x: number, y: number, damage: number): void {
    this.spawn(Kind.Marker, x, y, 0, 10, MARKER, 220);
    const f = this.floaters[this.nextFloater]!;
    this.nextFloater = (this.nextFloater + 1) % FLOATERS;
    f.born = this.scene.time.now;
    f.x = x + ((this.nextFloater % 3) - 1) * 10;
    f.y = y - PLAYER_RADIUS - 16;
    f.text.setText(String(damage)).setPosition(f.x, f.y).setAlpha(1).setVisible(true);
  }

  /** A hit I took: the edge flares, and an indicator points toward `angle` (undefined: unknown shooter). */
  hitTaken(angle: number | undefined): void {
    this.hurtAt = this.scene.time.now;
    this.hitsTaken += 1;
    if (!settings.reducedMotion) {
      this.shakes += 1;
      this.scene.cameras.main.shake(SHAKE_MS, SHAKE_INTENSITY);
    }
    if (angle === undefined) return;
    const ind = this.indicators[this.nextIndicator]!;
    this.nextIndicator = (this.nextIndicator + 1) % INDICATORS;
    ind.angle = angle;
    ind.born = this.hurtAt;
  }

  /** The steady red-edge level (dangerEdge of the HP). */
  setEdge(level: number): void {
    this.edge = level;
  }

  /** The damage numbers shown now, for tests. */
  floatingNumbers(): string[] {
    const now = this.scene.time.now;
    const out: string[] = [];
    for (const f of this.floaters) if (now - f.born < FLOAT_MS) out.push(f.text.text);
    return out;
  }

  /** The red edge's strength now (steady level plus the hit flare), for tests. */
  edgeLevel(): number {
    const flare = Math.max(0, 1 - (this.scene.time.now - this.hurtAt) / HURT_FLASH_MS);
    return Math.min(1, this.edge + 0.45 * flare);
  }

  /** Draws one frame. */
  draw(): void {
    const now = this.scene.time.now;
    const g = this.world.clear();
    for (const p of this.particles) {
      if (!p.live) continue;
      const k = (now - p.born) / p.life;
      if (k >= 1) {
        p.live = false;
        continue;
      }
      const fade = 1 - k;
      const cos = Math.cos(p.angle);
      const sin = Math.sin(p.angle);
      switch (p.kind) {
        case Kind.Muzzle:
          g.fillStyle(p.color, fade).fillTriangle(
            p.x - sin * 5, p.y + cos * 5, p.x + sin * 5, p.y - cos * 5, p.x + cos * p.size, p.y + sin * p.size);
          g.fillStyle(0xffffff, fade).fillCircle(p.x, p.y, 4);
          break;
        case Kind.Spark: {
          const d = p.size * (now - p.born);
          g.lineStyle(2, p.color, fade).lineBetween(p.x + cos * d, p.y + sin * d, p.x + cos * (d + 6), p.y + sin * (d + 6));
          break;
        }
        case Kind.Ring:
          g.lineStyle(p.size > 20 ? 4 : 2, p.color, fade).strokeCircle(p.x, p.y, p.size * (0.3 + k));
          break;
        case Kind.Spawn:
          g.lineStyle(3, p.color, fade).strokeCircle(p.x, p.y, PLAYER_RADIUS + (p.size - PLAYER_RADIUS) * fade);
          g.fillStyle(p.color, 0.35 * fade).fillCircle(p.x, p.y, PLAYER_RADIUS);
          break;
        case Kind.Marker: {
          const s = p.size * (1 + 0.3 * k);
          g.lineStyle(3, p.color, fade).lineBetween(p.x - s, p.y - s, p.x - s / 3, p.y - s / 3).lineBetween(p.x + s, p.y - s, p.x + s / 3, p.y - s / 3)
            .lineBetween(p.x - s, p.y + s, p.x - s / 3, p.y + s / 3).lineBetween(p.x + s, p.y + s, p.x + s / 3, p.y + s / 3);
          break;
        }
      }
    }
    for (const f of this.floaters) {
      if (!f.text.visible) continue;
      const k = (now - f.born) / FLOAT_MS;
      if (k >= 1) {
        f.text.setVisible(false);
        continue;
      }
      f.text.setPosition(f.x, f.y - 28 * k).setAlpha(1 - k * k);
    }
    this.drawScreen(now);
  }

  private drawScreen(now: number): void {
    const g = this.screen.clear();
    const w = this.scene.scale.width;
    const h = this.scene.scale.height;
    const level = this.edgeLevel();
    if (level > 0.01) {
      // Bands from the border inwards, fading: a vignette drawn with a few rectangles, no texture.
      const band = Math.max(6, Math.min(w, h) * 0.02);
      for (let i = 0; i < 5; i++) {
        g.lineStyle(band, EDGE, level * (1 - i / 5) * 0.7).strokeRect(band * (i + 0.5), band * (i + 0.5), w - band * (2 * i + 1), h - band * (2 * i + 1));
      }
    }
    const r = Math.min(w, h) * 0.22;
    for (const ind of this.indicators) {
      const k = (now - ind.born) / INDICATOR_MS;
      if (k >= 1 || k < 0) continue;
      const a = ind.angle;
      const cx = w / 2 + Math.cos(a) * r;
      const cy = h / 2 + Math.sin(a) * r;
      const s = 16;
      // A wedge pointing outwards, toward the shooter.
      g.fillStyle(EDGE, 0.9 * (1 - k)).fillTriangle(
        cx + Math.cos(a) * s, cy + Math.sin(a) * s,
        cx + Math.cos(a + 2.4) * s, cy + Math.sin(a + 2.4) * s,
        cx + Math.cos(a - 2.4) * s, cy + Math.sin(a - 2.4) * s);
      g.lineStyle(4, EDGE, 0.6 * (1 - k)).beginPath().arc(w / 2, h / 2, r - 10, a - 0.3, a + 0.3).strokePath();
    }
  }

  /** Drops every running effect (a new room). */
  clear(): void {
    for (const p of this.particles) p.live = false;
    for (const f of this.floaters) {
      f.born = -Infinity;
      f.text.setVisible(false);
    }
    for (const ind of this.indicators) ind.born = -Infinity;
    this.hurtAt = -Infinity;
    this.edge = 0;
  }
}
