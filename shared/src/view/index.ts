/** `@arena/shared/view`: what a client derives from replicated state to draw it (events from patches, shots in flight). */
export * from "./shots.ts";
export * from "./stateEvents.ts";
