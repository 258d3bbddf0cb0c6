/**
 * Records the frames a real SDK client sends while it joins a room, sends
 * inputs (reliable and unreliable), chat, typing and a request, pings and
 * leaves: the valid frames the fuzzer then flips and truncates.
 */
import { type Room } from "@colyseus/sdk";
import { JoinClient } from "@arena/shared/sdk";
import { ClientMessage, PlayerInput, type ArenaState } from "@arena/shared";
import type { RecordedFrame } from "./frames.ts";

type Send = (this: unknown, data: Uint8Array) => void;

/**
 * Joins `roomId` with `token` and returns every frame the SDK put on the
 * socket, labelled. The join acknowledgement goes out before `joinById`
 * resolves, so the SDK connection class's `send` is wrapped for the whole
 * recording; only `bystander` (whose connection is excluded) sends meanwhile.
 */
export async function recordSdkFrames(url: string, token: string, roomId: string, bystander: Room): Promise<RecordedFrame[]> {
  const frames: RecordedFrame[] = [];
  let label = "join";
  const prototype = Object.getPrototypeOf(bystander.connection) as { send: Send; sendUnreliable: Send };
  const original = { send: prototype.send, sendUnreliable: prototype.sendUnreliable };
  for (const method of ["send", "sendUnreliable"] as const) {
    prototype[method] = function (this: unknown, data: Uint8Array): void {
      if (this !== bystander.connection) frames.push({ label, bytes: data.slice() });
      original[method].call(this, data);
    };
  }
  const client = new JoinClient(url);
  client.auth.token = token;
  let room: Room<any, ArenaState> | undefined;
  try {
    room = (await client.joinById(roomId)) as Room<any, ArenaState>;
    room.onMessage("*", () => {});
    await nextPatch(room);

    label = "input";
    const input = room.input({ type: PlayerInput });
    for (const [mx, my, aim, fire] of [[127, 0, 0, false], [-127, 64, 3.1, true], [0, -127, -1.5, true]] as const) {
      Object.assign(input.data, { mx, my, aim, fire });
      input.send();
      await nextPatch(room);
    }
    label = "chat";
    room.send(ClientMessage.Chat, { text: "gg, well played" });
    label = "typing";
    room.send(ClientMessage.Typing, { typing: true });
    room.send(ClientMessage.Typing, { typing: false });
    label = "request";
    await room.request(ClientMessage.Typing, { typing: false }).catch(() => undefined);
    label = "ping";
    await new Promise<void>((resolve) => room!.ping(() => resolve()));
    label = "leave";
    await room.leave(true);

    // A room has one input handle (the first call's mode wins): unreliable inputs need a second seat.
    // The server refuses them (server/src/frameLimit.ts) and closes this connection.
    label = "join";
    const second = (await client.joinById(roomId)) as Room<any, ArenaState>;
    room = second;
    second.onMessage("*", () => {});
    const left = new Promise<void>((resolve) => second.onLeave(() => resolve()));
    await nextPatch(second);
    label = "input-unreliable";
    const unreliable = second.input({ type: PlayerInput, mode: "unreliable" });
    for (const [mx, aim] of [[50, 0.5], [-50, 2.5], [0, -2]] as const) {
      Object.assign(unreliable.data, { mx, my: 0, aim, fire: true });
      unreliable.send();
    }
    await Promise.race([left, new Promise((r) => setTimeout(r, 3000))]);
  } finally {
    Object.assign(prototype, original);
    if (room?.connection.isOpen) await room.leave(true).catch(() => undefined);
  }
  return frames;
}

function nextPatch(room: Room<any, ArenaState>): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`recorder: no state patch within 5 s (${room.roomId}, open: ${room.connection.isOpen})`)), 5000);
    let done = false;
    const onChange = (): void => {
      if (done) return;
      done = true; // removed once: the SDK's remove() of an absent handler drops another one
      clearTimeout(timer);
      queueMicrotask(() => room.onStateChange.remove(onChange));
      resolve();
    };
    room.onStateChange(onChange);
  });
}
