/**
 * `@arena/shared/replay`: the replay recording format (format.ts, described in docs/REPLAYS.md), its
 * framing (framing.ts), the state hash keyframes carry (stateHash.ts), playback (reader.ts) and the HTTP
 * routes' refusal codes (http.ts), for the server's recorder, tests and the browser's viewer alike.
 */
export * from "./format.ts";
export * from "./http.ts";
export * from "./framing.ts";
export * from "./stateHash.ts";
export * from "./reader.ts";
