/**
 * `@arena/shared`: the rules and the step function (sim/), what travels between server and clients
 * (wire/), and the server-side bot brains (bots/). Client-only view helpers are in `@arena/shared/view`.
 */
export * from "./constants.ts";
export * from "./sim/index.ts";
export * from "./wire/index.ts";
export * from "./bots/index.ts";
