/** Frame tapping: see each websocket frame of an SDK room, both ways, before the SDK decodes it. */
import type { Room } from "@colyseus/sdk";
import { PROTOCOL_CODE_MASK } from "@colyseus/shared-types";

/** The Colyseus protocol code of a frame (its first byte without the modifier bits); compare with `Protocol`. */
export function frameCode(bytes: Uint8Array): number {
  return (bytes[0] ?? 0) & PROTOCOL_CODE_MASK;
}

export interface FrameTap {
  /** A frame from the server, before decoding; returning false drops it undecoded (e.g. patches nobody reads). */
  in?(bytes: Uint8Array, code: number): boolean | void;
  /** A frame the client sends, as it goes out. */
  out?(bytes: Uint8Array): void;
}

/**
 * Taps the room's current connection; returns a function that removes the tap.
 * Call it once the join resolved: the server sends the first full state only
 * after the client acknowledged the join, so no state frame is missed.
 */
export function tapFrames(room: Room, tap: FrameTap): () => void {
  const connection = room.connection;
  const deliver = connection.events.onmessage;
  const send = connection.send;
  if (tap.in !== undefined) {
    const onIn = tap.in;
    connection.events.onmessage = (event: MessageEvent) => {
      const bytes = new Uint8Array(event.data as ArrayBuffer);
      if (onIn(bytes, frameCode(bytes)) === false) return;
      deliver?.(event);
    };
  }
  if (tap.out !== undefined) {
    const onOut = tap.out;
    connection.send = (data: Buffer | Uint8Array): void => {
      onOut(data);
      send.call(connection, data);
    };
  }
  return () => {
    connection.events.onmessage = deliver;
    connection.send = send;
  };
}
