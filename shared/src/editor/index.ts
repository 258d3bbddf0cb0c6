/** `@arena/shared/editor`: the collaborative map editor's document, operations, and both ends of its sync. */
export * from "./limits.ts";
export * from "./document.ts";
export * from "./text.ts";
export * from "./ops.ts";
export * from "./authority.ts";
export * from "./client.ts";
export * from "./wire.ts";
export * from "./publish.ts";
