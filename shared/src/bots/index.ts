export * from "./skill.ts";
export * from "./level.ts";
export * from "./random.ts";
export * from "./sight.ts";
export * from "./navGrid.ts";
export * from "./planner.ts";
export * from "./brain.ts";
export * from "./roster.ts";
