/** The deterministic simulation: map, geometry, movement, spawning, combat, match phases, the world step; who is linked for proximity voice. */
export * from "./map.ts";
export * from "./geometry.ts";
export * from "./events.ts";
export * from "./movement.ts";
export * from "./spawn.ts";
export * from "./combat.ts";
export * from "./match.ts";
export * from "./world.ts";
export * from "./voice.ts";
