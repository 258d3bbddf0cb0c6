/** What travels between server and clients: state and input schemas, messages, codes, cleaned text. */
export * from "./schema.ts";
export * from "./protocol.ts";
export * from "./codes.ts";
export * from "./roomCode.ts";
export * from "./names.ts";
export * from "./people.ts";
export * from "./lobbyRooms.ts";
export * from "./inputPairs.ts";
