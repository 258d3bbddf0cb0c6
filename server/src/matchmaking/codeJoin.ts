/**
 * Joining a private room by its code, and watching any room, from any
 * process. Colyseus' joinById refuses locked rooms without saying why, and a
 * spectator must get in when player seats are full, so these reserve the seat
 * here and answer with a clear error: unknown code, full, locked (results).
 * The client consumes the reservation with `client.consumeSeatReservation()`.
 */
import { generateId, matchMaker } from "@colyseus/core";
import { CodeJoinErrors, ROOM_ARENA, normalizeRoomCode, type ArenaRoomMetadata } from "@arena/shared";
import { matchMakerReady } from "../colyseusInternals.ts";

type ISeatReservation = Awaited<ReturnType<typeof matchMaker.reserveSeatFor>>;

export class CodeJoinError extends Error {
  override name = "CodeJoinError";
  constructor(readonly status: number, readonly error: string, message: string) {
    super(message);
  }
}

export interface SeatRequest {
  /** Invite code (private rooms) or, with `byRoomId`, a public roomId. */
  readonly target: string;
  readonly byRoomId: boolean;
  readonly spectate: boolean;
  /** Join options for onJoin (the name). */
  readonly options: { name?: string };
}

async function findRoom(req: SeatRequest) {
  const roomId = req.byRoomId ? req.target : normalizeRoomCode(req.target);
  if (roomId === undefined) {
    throw new CodeJoinError(400, CodeJoinErrors.INVALID_REQUEST, "a code is 6 characters from 23456789ABCDEFGHJKMNPQRSTUVWXYZ");
  }
  const room = await matchMaker.getRoomById(roomId);
  if (room === undefined || room.name !== ROOM_ARENA || (!req.byRoomId && !room.private)) {
    throw req.byRoomId
      ? new CodeJoinError(404, CodeJoinErrors.UNKNOWN_CODE, `no room ${roomId}`)
      : new CodeJoinError(404, CodeJoinErrors.UNKNOWN_CODE, `no room has the code ${roomId}; it may have ended`);
  }
  return room;
}

/** Reserves a player or spectator seat; throws a CodeJoinError the HTTP layer turns into a status and JSON. */
export async function reserveSeat(req: SeatRequest): Promise<ISeatReservation> {
  if (!matchMakerReady()) {
    throw new CodeJoinError(503, CodeJoinErrors.UNAVAILABLE, "this server is shutting down; try again");
  }
  const room = await findRoom(req);
  const meta = room.metadata as Partial<ArenaRoomMetadata> | undefined;
  if (req.spectate) {
    const sessionId = generateId();
    let ok: unknown;
    try {
      ok = await matchMaker.remoteRoomCall(room.roomId, "reserveSpectatorSeat", [sessionId, req.options]);
    } catch {
      ok = false;
    }
    if (ok !== true) throw new CodeJoinError(409, CodeJoinErrors.ROOM_FULL, "no spectator seats left in this room");
    return matchMaker.buildSeatReservation(room, sessionId);
  }
  if (room.locked) {
    if (meta?.phase === "results") throw new CodeJoinError(423, CodeJoinErrors.ROOM_LOCKED, "the match is ending; try again in a few seconds");
    throw new CodeJoinError(409, CodeJoinErrors.ROOM_FULL, "every player seat is taken; you can spectate");
  }
  try {
    return await matchMaker.reserveSeatFor(room, req.options);
  } catch {
    // The room filled (or locked) between the lookup and the reservation.
    throw new CodeJoinError(409, CodeJoinErrors.ROOM_FULL, "every player seat is taken; you can spectate");
  }
}
