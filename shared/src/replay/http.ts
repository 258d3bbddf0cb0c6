/** The replay routes' refusals (docs/PROTOCOL.md, "Replays"): `{ error, message }` with these codes. */
export const ReplayErrors = {
  /** 400: a query parameter is not what the route takes. */
  INVALID_REQUEST: "invalid_request",
  /** 404: no such replay (never recorded, pruned by retention, or an id that is not one). */
  NOT_FOUND: "not_found",
  /** 409: the match is still being recorded; its replay is served once it ends. */
  RECORDING: "recording",
  /** 401: a private room's replay, or `?mine`, without a valid guest token. */
  AUTH_FAILED: "auth_failed",
  /** 403: a private room's replay asked for by someone who did not play in it. */
  FORBIDDEN: "forbidden",
} as const;
export type ReplayHttpError = (typeof ReplayErrors)[keyof typeof ReplayErrors];

/** Most replays one list request answers. */
export const REPLAY_LIST_MAX = 50;
/** Replays a list answers when `limit` is not given. */
export const REPLAY_LIST_DEFAULT = 20;
