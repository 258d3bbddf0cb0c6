/** The whole world of a room as JSON, as the naive and Socket.io baselines send it. */
import type { ArenaState, GameEvent } from "@arena/shared";

export function worldJson(s: ArenaState, events: readonly GameEvent[]): Record<string, unknown> {
  const players: Record<string, unknown> = {};
  s.players.forEach((p, id) => {
    players[id] = { name: p.name, x: p.x, y: p.y, aim: p.aim, hp: p.hp, alive: p.alive, kills: p.kills, deaths: p.deaths, damage: p.damage, color: p.color, connected: p.connected };
  });
  const projectiles: Record<string, unknown> = {};
  s.projectiles.forEach((p, id) => {
    projectiles[id] = { owner: p.ownerId, x: p.x, y: p.y, angle: p.angle, tick: p.tick };
  });
  return { tick: s.tick, phase: s.phase, phaseEndsAt: s.phaseEndsAt, players, projectiles, events };
}
