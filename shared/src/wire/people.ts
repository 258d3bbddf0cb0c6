/** People online, their notifications and invites: what the server and the pages exchange about persons (not sessions). */

/** Where a person is: the most engaged of their connections (a match beats spectating beats editing beats the lobby). */
export type PersonStatus = "lobby" | "match" | "spectating" | "editing";

/**
 * Why a person is in your list (the list is scoped to you, not everyone online): in a room with you now, played
 * with you, invited by or invited you, or blocked by you.
 */
export type PersonRelation = "room" | "played" | "invited" | "blocked";

/** One person in the online list. Two tabs of one person are one entry. */
export interface PersonOnline {
  userId: string;
  name: string;
  status: PersonStatus;
  /** The public room they play or watch in; absent in the lobby, the editor and private rooms. */
  roomId?: string;
  /** True when that room takes another player now (public, not full, not ending). */
  joinable?: boolean;
  /** Set in your scoped list (lobby, GET /api/people): why this person is in it. */
  relation?: PersonRelation;
}

/** Most people one person's scoped list holds (lobby and GET /api/people alike): the people read for it are bounded too. */
export const PEOPLE_SCOPE_MAX = 50;

/**
 * How many people are online, in all and by status, on every process: kept by each process as its people come and
 * go and summed once a second by one process (the status feed), never by reading everyone. A person connected to two
 * processes at once counts on each.
 */
export interface PeopleCounts {
  online: number;
  lobby: number;
  match: number;
  spectating: number;
  editing: number;
}

/** The online list's order: by name, then user id (two people of one name keep one order); its pages follow it. */
export function comparePeople(a: Pick<PersonOnline, "name" | "userId">, b: Pick<PersonOnline, "name" | "userId">): number {
  return a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId);
}

/** Most people one `GET /api/people` page holds; a larger `limit` is cut to it. */
export const PEOPLE_PAGE_MAX = 100;
/** People in a page when the request names no `limit`. */
export const PEOPLE_PAGE_DEFAULT = 50;

/** One page of `GET /api/people?limit=&after=`: people in name order, and the cursor of the next page while there is one. */
export interface PeoplePage {
  people: PersonOnline[];
  /** People online now on every process (PeopleCounts.online), from the cluster's counters; not the length of the list. */
  total: number;
  /** Pass as `after` for the page that follows; absent on the last page. */
  next?: string;
  /** Everyone online, counted by status (GET /api/people sends it). */
  counts?: PeopleCounts;
}

/** Messages the lobby, arena and editor rooms send about people (server to client only). */
export const PeopleMessage = {
  /**
   * PersonOnline[]: your scoped list (people in your room, played with, invited, blocked; online; at most
   * PEOPLE_SCOPE_MAX), sent on join and whenever it changes (lobby only).
   */
  People: "people",
  /** PeopleCounts: everyone online, counted; sent on join and whenever it changes (lobby only). */
  Counts: "people_counts",
  /** A Notification, live. */
  Notification: "notification",
  /** An Inbox: the kept notifications and the unread count, sent on join to the lobby. */
  Inbox: "inbox",
} as const;

export interface PersonRef {
  userId: string;
  name: string;
}

/** A room invite; `roomId` also works as the code of a private room. */
export interface InviteNote {
  kind: "invite";
  inviteId: string;
  from: PersonRef;
  roomId: string;
  /** Milliseconds since the epoch; after it, or once the room is gone, Join answers 410. */
  expiresAt: number;
}

export interface InviteAnswerNote {
  kind: "invite_answer";
  inviteId: string;
  by: PersonRef;
  accepted: boolean;
}

export interface PassedNote {
  kind: "passed";
  by: PersonRef;
  board: "allTime" | "daily";
  /** Your rank after being passed. */
  rank: number;
}

export interface ServerRestartingNote {
  kind: "server_restarting";
  message: string;
}

export type NoteBody = InviteNote | InviteAnswerNote | PassedNote | ServerRestartingNote;
export type NotificationKind = NoteBody["kind"];

/** A kept notification: `id` counts up per person (the SSE event id), `at` is when it was sent (ms). */
export type Notification = NoteBody & { id: number; at: number };

export interface Inbox {
  /** Newest first, at most NOTIFICATIONS_KEPT. */
  items: Notification[];
  unread: number;
  /** Highest id read (mark-as-read moves it up). */
  readUpTo: number;
}

/** Notifications kept per person. */
export const NOTIFICATIONS_KEPT = 50;

/** Error codes of the people routes (`{ error, message }` bodies). */
export const PeopleErrors = {
  AUTH_FAILED: "auth_failed",
  INVALID_REQUEST: "invalid_request",
  /** 403: the invitee blocked the inviter. */
  BLOCKED: "blocked",
  /** 409: an invite between the same two people is still pending. */
  PENDING: "invite_pending",
  /** 404: no such invite, room or person. */
  NOT_FOUND: "not_found",
  /** 410: the invite expired or its room is gone. */
  EXPIRED: "invite_expired",
  /** 429: too many invites from this person. */
  RATE_LIMITED: "rate_limited",
} as const;

/** One second of the whole cluster, as the status stream sends it. */
export interface StatusSample {
  /** Seconds since the epoch. */
  t: number;
  people: number;
  rooms: number;
  matches: number;
  joinsPerSecond: number;
  /** Worst step-time p99 of any process over the last second, in milliseconds. */
  stepP99Ms: number;
  /** Websocket bytes per second out of and into all processes. */
  bytesOutPerSecond: number;
  bytesInPerSecond: number;
  processes: number;
}
