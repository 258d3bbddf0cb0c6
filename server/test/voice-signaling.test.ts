/**
 * Voice signaling through the room, with real SDK clients: who is linked to
 * whom, and what a hostile client gets when it signals outside its links.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ClientMessage, CloseCodes, ROOM_ARENA, ServerMessage, VOICE_RANGE, VOICE_SDP_MAX, VOICE_SIGNAL_BURST,
  VOICE_SIGNAL_WINDOW_S,
  type NoticeOut, type SignalOut, type VoiceConfigOut, type VoicePeersOut,
} from "@arena/shared";
import {
  createPrivate, serverRoom, signIn, spectate, startTestServer, waitForLeave, waitForMessage, waitForState,
  type ArenaRoomClient, type RunningServer,
} from "@arena/testkit";
import type { ArenaRoom } from "../src/rooms/arena/ArenaRoom.ts";

const ICE = [{ urls: "stun:stun.example.test:3478" }];
let server: RunningServer;
const rooms: ArenaRoomClient[] = [];

beforeAll(async () => {
  // A long warm-up: nobody respawns while the tests place players.
  server = await startTestServer({ ICE_SERVERS: JSON.stringify(ICE) }, { match: { warmupSeconds: 600 } });
});
afterAll(async () => {
  await Promise.all(rooms.map((r) => (r.connection.isOpen ? r.leave() : undefined)));
  await server.close();
});

/** Joins the shared public room, keeping the voice config the join brought and every signal and notice after it. */
async function player(name: string): Promise<{ room: ArenaRoomClient; config: VoiceConfigOut; signals: SignalOut[]; notices: NoticeOut[] }> {
  const { client } = await signIn(server.url, name);
  const room = (await client.joinOrCreate(ROOM_ARENA, { name })) as ArenaRoomClient;
  rooms.push(room);
  // Registered in the same task as the join resolves: the config, sent from onJoin, arrives in a later one.
  const config = waitForMessage<VoiceConfigOut>(room, ServerMessage.VoiceConfig, 3000);
  const signals: SignalOut[] = [];
  const notices: NoticeOut[] = [];
  room.onMessage("*", () => {});
  room.onMessage(ServerMessage.Signal, (s: SignalOut) => signals.push(s));
  room.onMessage(ServerMessage.Notice, (n: NoticeOut) => notices.push(n));
  await waitForState(room, (s) => s.players?.get(room.sessionId) !== undefined);
  return { room, config: await config, signals, notices };
}

/** Puts a player at (x, y) on the server. */
function place(room: ArenaRoomClient, x: number, y: number): void {
  const p = serverRoom(room).state.players.get(room.sessionId)!;
  p.x = x;
  p.y = y;
}

/** Resolves when the server has sent `room` everything it queued before now (a ping goes back on the same socket). */
function flushed(room: ArenaRoomClient): Promise<void> {
  return new Promise((resolve) => room.ping(() => resolve()));
}

function peersUpdate(room: ArenaRoomClient, predicate: (p: VoicePeersOut) => boolean): Promise<VoicePeersOut> {
  return waitForMessage<VoicePeersOut>(room, ServerMessage.VoicePeers, 3000, predicate);
}

const offer = { type: "offer" as const, sdp: "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" };

describe("voice signaling", () => {
  let alice: Awaited<ReturnType<typeof player>>;
  let bob: Awaited<ReturnType<typeof player>>;
  let far: Awaited<ReturnType<typeof player>>;
  let aliceLink = 0;

  it("sends every player the ICE servers from ICE_SERVERS on join", async () => {
    alice = await player("alice");
    expect(alice.config).toEqual({ iceServers: ICE });
  });

  it("links two nearby players with voice on, and relays an offer along the link with its sender", async () => {
    bob = await player("bob");
    place(alice.room, 500, 500);
    place(bob.room, 500 + VOICE_RANGE / 2, 500);
    const aliceTold = peersUpdate(alice.room, (p) => p.peers.length === 1);
    const bobTold = peersUpdate(bob.room, (p) => p.peers.length === 1);
    alice.room.send(ClientMessage.Voice, { on: true });
    bob.room.send(ClientMessage.Voice, { on: true });
    const [a, b] = [await aliceTold, await bobTold];
    expect(a.peers[0]!.id).toBe(bob.room.sessionId);
    expect(b.peers[0]).toEqual({ id: alice.room.sessionId, link: a.peers[0]!.link });
    aliceLink = a.peers[0]!.link;
    await waitForState(bob.room, (s) => s.players.get(alice.room.sessionId)?.voice === true);

    const got = waitForMessage<SignalOut>(bob.room, ServerMessage.Signal);
    alice.room.send(ClientMessage.Signal, { to: bob.room.sessionId, link: aliceLink, description: offer });
    expect(await got).toEqual({ from: alice.room.sessionId, link: aliceLink, description: offer });
    const candidate = { candidate: "candidate:1 1 udp 2122260223 192.0.2.2 50000 typ host", sdpMid: "0", sdpMLineIndex: 0 };
    const got2 = waitForMessage<SignalOut>(alice.room, ServerMessage.Signal);
    bob.room.send(ClientMessage.Signal, { to: alice.room.sessionId, link: aliceLink, candidate });
    expect(await got2).toEqual({ from: bob.room.sessionId, link: aliceLink, candidate });
  });

  it("refuses an offer to a far player: a notice to the sender, nothing relayed", async () => {
    far = await player("far");
    place(far.room, 500 + VOICE_RANGE * 2, 500 + VOICE_RANGE);
    const farTold = peersUpdate(far.room, () => true);
    far.room.send(ClientMessage.Voice, { on: true });
    expect((await farTold).peers).toEqual([]);
    const refused = waitForMessage<NoticeOut>(alice.room, ServerMessage.Notice, 3000, (n) => n.code === "voice_not_peer");
    for (const link of [aliceLink, aliceLink + 1, 1]) alice.room.send(ClientMessage.Signal, { to: far.room.sessionId, link, description: offer });
    await refused;
    await flushed(far.room);
    expect(far.signals).toEqual([]);
  });

  it("refuses an offer to a player of another room, and to oneself", async () => {
    const other = await createPrivate(server.url, "elsewhere");
    rooms.push(other);
    const otherSignals: SignalOut[] = [];
    other.onMessage(ServerMessage.Signal, (s: SignalOut) => otherSignals.push(s));
    other.onMessage("*", () => {});
    const before = alice.notices.length;
    alice.room.send(ClientMessage.Signal, { to: other.sessionId, link: aliceLink, description: offer });
    alice.room.send(ClientMessage.Signal, { to: alice.room.sessionId, link: aliceLink, description: offer });
    await waitForMessage<NoticeOut>(alice.room, ServerMessage.Notice, 3000, (n) => n.code === "voice_not_peer");
    await flushed(alice.room);
    expect(alice.notices.slice(before).filter((n) => n.code === "voice_not_peer")).toHaveLength(2);
    await flushed(other);
    expect(otherSignals).toEqual([]);
    expect(alice.signals.filter((s) => s.from === alice.room.sessionId)).toEqual([]);
  });

  it("refuses signals on an old link after the pair moved apart and back, and tells both of the new link", async () => {
    const apart = Promise.all([peersUpdate(alice.room, (p) => p.peers.length === 0), peersUpdate(bob.room, (p) => p.peers.length === 0)]);
    place(bob.room, 500, 500 + VOICE_RANGE + 200);
    await apart;
    const back = Promise.all([peersUpdate(alice.room, (p) => p.peers.length === 1), peersUpdate(bob.room, (p) => p.peers.length === 1)]);
    place(bob.room, 500 + VOICE_RANGE / 2, 500);
    const [a, b] = await back;
    expect(a.peers[0]!.link).toBe(b.peers[0]!.link);
    expect(a.peers[0]!.link).not.toBe(aliceLink);
    const bobSignals = bob.signals.length;
    const refused = waitForMessage<NoticeOut>(alice.room, ServerMessage.Notice, 3000, (n) => n.code === "voice_not_peer");
    alice.room.send(ClientMessage.Signal, { to: bob.room.sessionId, link: aliceLink, description: offer });
    await refused;
    await flushed(bob.room);
    expect(bob.signals.length).toBe(bobSignals);
    aliceLink = a.peers[0]!.link;
  });

  it("rate-limits a candidate flood: at most the burst is relayed, the sender is told once and stays, others play on", async () => {
    const candidate = { candidate: "candidate:1 1 udp 2122260223 192.0.2.2 50000 typ host", sdpMid: "0", sdpMLineIndex: 0 };
    const bobBefore = bob.signals.length;
    const noticesBefore = alice.notices.length;
    // Under Colyseus' per-second message cap, well over the signaling burst.
    const floodStart = Date.now();
    for (let i = 0; i < VOICE_SIGNAL_BURST + 20; i++) alice.room.send(ClientMessage.Signal, { to: bob.room.sessionId, link: aliceLink, candidate });
    await waitForMessage<NoticeOut>(alice.room, ServerMessage.Notice, 3000, (n) => n.code === "voice_rate_limited");
    await flushed(alice.room);
    await flushed(bob.room);
    // The allowance refills while a slowed server takes the flood in: what came back during the flood's span may pass.
    const refilled = Math.ceil(((Date.now() - floodStart) / (VOICE_SIGNAL_WINDOW_S * 1000)) * VOICE_SIGNAL_BURST);
    const relayed = bob.signals.length - bobBefore;
    expect(relayed).toBeGreaterThan(0);
    expect(relayed).toBeLessThanOrEqual(VOICE_SIGNAL_BURST + refilled);
    expect(relayed).toBeLessThan(VOICE_SIGNAL_BURST + 20);
    expect(alice.notices.slice(noticesBefore).filter((n) => n.code === "voice_rate_limited")).toHaveLength(1);
    // Flooding on once a token has come back (at least 7 steps: 233 ms, a token per 167 ms): one more is relayed, the
    // rest dropped, and the sender is not told again within the window.
    const tick = alice.room.state.tick;
    await waitForState(alice.room, (s) => s.tick > tick + 7);
    for (let i = 0; i < 10; i++) alice.room.send(ClientMessage.Signal, { to: bob.room.sessionId, link: aliceLink, candidate });
    await flushed(alice.room);
    await flushed(bob.room);
    expect(bob.signals.length - bobBefore).toBeGreaterThan(relayed);
    expect(alice.notices.slice(noticesBefore).filter((n) => n.code === "voice_rate_limited")).toHaveLength(1);
    expect(alice.room.connection.isOpen).toBe(true);
    // The bystander still gets patches.
    const farTick = far.room.state.tick;
    await waitForState(far.room, (s) => s.tick > farTick + 3);
  });

  it("closes the connection of a client that sends an oversized SDP (4400); its peer plays on", async () => {
    const mallory = await player("mallory");
    place(mallory.room, 500, 560);
    const linked = peersUpdate(mallory.room, (p) => p.peers.length > 0);
    mallory.room.send(ClientMessage.Voice, { on: true });
    const peer = (await linked).peers.find((p) => p.id === alice.room.sessionId) ?? (await linked).peers[0]!;
    const target = rooms.find((r) => r.sessionId === peer.id)!;
    const targetSignals: SignalOut[] = [];
    target.onMessage(ServerMessage.Signal, (s: SignalOut) => targetSignals.push(s));
    const closed = waitForLeave(mallory.room);
    mallory.room.send(ClientMessage.Signal, { to: peer.id, link: peer.link, description: { type: "offer", sdp: "a".repeat(VOICE_SDP_MAX + 1) } });
    expect(await closed).toBe(CloseCodes.PROTOCOL_ERROR);
    await flushed(target);
    expect(targetSignals.filter((s) => s.from === mallory.room.sessionId)).toEqual([]);
    const tick = target.state.tick;
    await waitForState(target, (s) => s.tick > tick + 3 && !s.players.has(mallory.room.sessionId));
  });

  it("rate-limits voice toggling: the room re-links for at most the burst, the toggler is told, its neighbours play on", async () => {
    const toggler = await player("toggler");
    place(toggler.room, 450, 500);
    const limited = waitForMessage<NoticeOut>(toggler.room, ServerMessage.Notice, 3000, (n) => n.code === "voice_rate_limited");
    let told = 0;
    const off = alice.room.onMessage(ServerMessage.VoicePeers, () => told++);
    for (let i = 0; i < VOICE_SIGNAL_BURST + 20; i++) toggler.room.send(ClientMessage.Voice, { on: i % 2 === 0 });
    await limited;
    await flushed(toggler.room);
    await flushed(alice.room);
    off();
    expect(told).toBeLessThanOrEqual(VOICE_SIGNAL_BURST);
    expect(toggler.room.connection.isOpen).toBe(true);
    const tick = alice.room.state.tick;
    await waitForState(alice.room, (s) => s.tick > tick + 3);
    await toggler.room.leave();
  });

  it("closes the connection of a client that sends a malformed signal or voice message (4400)", async () => {
    for (const bad of [
      { to: alice.room.sessionId, link: aliceLink },
      { to: alice.room.sessionId, link: aliceLink, description: offer, candidate: { candidate: "" } },
      { to: alice.room.sessionId, link: aliceLink, description: { type: "pranswer", sdp: "x" } },
      { to: 7, link: aliceLink, description: offer },
      "garbage",
    ]) {
      const { room } = await player("garbler");
      const closed = waitForLeave(room);
      room.send(ClientMessage.Signal, bad);
      expect(await closed).toBe(CloseCodes.PROTOCOL_ERROR);
    }
    for (const bad of [{ on: "yes" }, { on: true, extra: 1 }, null]) {
      const { room } = await player("garbler");
      const closed = waitForLeave(room);
      room.send(ClientMessage.Voice, bad);
      expect(await closed).toBe(CloseCodes.PROTOCOL_ERROR);
    }
    expect(alice.room.connection.isOpen).toBe(true);
  });

  it("keeps spectators out of voice: its signal to a linked player is refused, nothing relayed", async () => {
    const watcher = await spectate(server.url, "watcher", alice.room.roomId);
    rooms.push(watcher);
    watcher.onMessage("*", () => {});
    const stats = (serverRoom(alice.room) as unknown as ArenaRoom).voiceStats;
    // Counters of this room since it opened: earlier tests relayed and refused; this one is read as a difference.
    const before = { relayed: stats.relayed, refused: stats.refused, aliceSignals: alice.signals.length };
    const told = waitForMessage<NoticeOut>(watcher, ServerMessage.Notice, 3000, (n) => n.code === "spectator_read_only");
    watcher.send(ClientMessage.Voice, { on: true });
    await told;
    const refused = waitForMessage<NoticeOut>(watcher, ServerMessage.Notice, 3000, (n) => n.code === "voice_not_peer");
    // A link number Alice has used: a relay that trusted the number alone would pass this on.
    watcher.send(ClientMessage.Signal, { to: alice.room.sessionId, link: aliceLink, description: offer });
    await refused;
    await flushed(alice.room);
    expect(stats.relayed - before.relayed).toBe(0);
    expect(stats.refused - before.refused).toBe(1);
    expect(alice.signals.length - before.aliceSignals).toBe(0);
  });

  it("tells a peer at once when a linked player leaves", async () => {
    const gone = peersUpdate(alice.room, (p) => !p.peers.some((x) => x.id === bob.room.sessionId));
    await bob.room.leave();
    await gone;
  });
});
