/**
 * Proximity voice in one arena room. The room decides who is linked to whom,
 * from its own positions a few times a second (`selectVoiceLinks`), tells each
 * player its peers, and relays WebRTC offers, answers and candidates only along
 * those links: the media itself goes peer to peer and never through here.
 * Spectators are not in voice.
 */
import {
  ClientMessage, ServerMessage, VOICE_SET_INTERVAL_MS, VOICE_SIGNAL_BURST, VOICE_SIGNAL_WINDOW_S,
  linkKey, selectVoiceLinks,
  type IceServer, type NoticeOut, type SignalOut, type VoiceConfigOut, type VoiceMember, type VoicePeer, type VoicePeersOut,
} from "@arena/shared";
import type { ArenaRoom } from "./ArenaRoom.ts";
import type { ProtocolError } from "./chat.ts";
import { ClientMessages, describeIssue } from "./messages.ts";
import { TokenBucket } from "../../limits/TokenBucket.ts";
import type { ArenaClient } from "./settings.ts";

type VoiceRoom = Pick<ArenaRoom, "state" | "clients" | "clock" | "onMessage">;

/** What relaying cost, for tests and `npm run bench:voice`. */
export interface VoiceStats {
  relayed: number;
  offers: number;
  answers: number;
  candidates: number;
  refused: number;
  /** Process CPU time spent in the signal handler, ms (CPU, not wall clock: a busy machine does not inflate it). */
  handlerCpuMs: number;
}

export class RoomVoice {
  /** Current links, by pair key, with the number each was opened under. */
  private links = new Map<string, number>();
  private nextLink = 1;
  /** The peer list each player was last told, as a comparable string. */
  private readonly told = new Map<string, string>();
  /** Each sender's signaling allowance, and when it was last told it went past it. */
  private readonly limits = new Map<string, { bucket: TokenBucket; warnedAt: number }>();
  readonly stats: VoiceStats = { relayed: 0, offers: 0, answers: 0, candidates: 0, refused: 0, handlerCpuMs: 0 };

  constructor(private readonly room: VoiceRoom, private readonly iceServers: readonly IceServer[], private readonly protocolError: ProtocolError) {}

  /** Registers the voice and signal handlers and the periodic recomputation of the links. */
  listen(): void {
    this.room.onMessage(ClientMessage.Voice, (client: ArenaClient, raw: unknown) => this.onVoice(client, raw));
    this.room.onMessage(ClientMessage.Signal, (client: ArenaClient, raw: unknown) => this.onSignal(client, raw));
    this.room.clock.setInterval(() => this.update(), VOICE_SET_INTERVAL_MS);
  }

  /** A player joined: the ICE servers its voice will use. */
  welcome(client: ArenaClient): void {
    if (client.userData?.spectator !== false) return;
    client.send(ServerMessage.VoiceConfig, { iceServers: [...this.iceServers] } satisfies VoiceConfigOut);
  }

  /** A player reconnected: it may have missed peer changes, so it is told its peers again. */
  resync(client: ArenaClient): void {
    if (!this.told.has(client.sessionId)) return;
    this.told.delete(client.sessionId);
    this.tell(client.sessionId);
  }

  /** A client left the room: its links close now (its peers are told at once). */
  forget(sessionId: string): void {
    this.limits.delete(sessionId);
    this.told.delete(sessionId);
    this.update();
  }

  /** The peers of `sessionId` and their link numbers. */
  peersOf(sessionId: string): VoicePeer[] {
    const peers: VoicePeer[] = [];
    for (const [key, link] of this.links) {
      const i = key.indexOf("|");
      const a = key.slice(0, i);
      const b = key.slice(i + 1);
      if (a === sessionId) peers.push({ id: b, link });
      else if (b === sessionId) peers.push({ id: a, link });
    }
    return peers.sort((p, q) => (p.id < q.id ? -1 : 1));
  }

  /** Recomputes the links from the players' positions and tells each player whose peers changed. */
  update(): void {
    const members: VoiceMember[] = [];
    this.room.state.players.forEach((p, id) => {
      if (p.voice) members.push({ id, x: p.x, y: p.y, away: !p.connected });
    });
    const selected = selectVoiceLinks(members, new Set(this.links.keys()));
    const next = new Map<string, number>();
    for (const key of selected) next.set(key, this.links.get(key) ?? this.nextLink++);
    this.links = next;
    for (const m of members) this.tell(m.id);
    // Players who turned voice off are told they have no peers (once).
    for (const id of this.told.keys()) if (this.room.state.players.get(id)?.voice !== true) this.tell(id);
  }

  private tell(id: string): void {
    const peers = this.peersOf(id);
    const said = peers.map((p) => `${p.id}:${p.link}`).join(",");
    if (this.told.get(id) === said) return;
    const client = this.room.clients.getById(id);
    if (client === undefined) return; // dropped: told again on reconnection
    if (peers.length === 0 && this.room.state.players.get(id)?.voice !== true) this.told.delete(id);
    else this.told.set(id, said);
    client.send(ServerMessage.VoicePeers, { peers } satisfies VoicePeersOut);
  }

  private onVoice(client: ArenaClient, raw: unknown): void {
    const parsed = ClientMessages.voice.safeParse(raw);
    if (!parsed.success) return this.protocolError(client, ClientMessage.Voice, `voice: ${describeIssue(parsed.error)}`);
    if (client.userData?.spectator !== false) return notice(client, { code: "spectator_read_only", message: "spectators are not in voice" });
    const player = this.room.state.players.get(client.sessionId);
    if (player === undefined || player.voice === parsed.data.on) return;
    // Each toggle re-links the room and tells the peers: it counts against the signaling limit.
    if (!this.allow(client)) return;
    player.voice = parsed.data.on;
    this.update();
  }

  private onSignal(client: ArenaClient, raw: unknown): void {
    const before = process.cpuUsage();
    try {
      this.relay(client, raw);
    } finally {
      const used = process.cpuUsage(before);
      this.stats.handlerCpuMs += (used.user + used.system) / 1000;
    }
  }

  /**
   * Takes one from the sender's signaling allowance; past it, the message is dropped, and the sender is told at most
   * once per window. (Once per streak of refusals would tell a sender that keeps flooding again each time a token
   * comes back, six times a second, and would make "told once" depend on how fast the flood arrives.)
   */
  private allow(client: ArenaClient): boolean {
    const now = Date.now();
    let limit = this.limits.get(client.sessionId);
    if (limit === undefined) this.limits.set(client.sessionId, (limit = { bucket: new TokenBucket(VOICE_SIGNAL_BURST, VOICE_SIGNAL_WINDOW_S * 1000, now), warnedAt: -Infinity }));
    if (limit.bucket.take(now)) return true;
    this.stats.refused++;
    if (now - limit.warnedAt >= VOICE_SIGNAL_WINDOW_S * 1000) {
      limit.warnedAt = now;
      notice(client, { code: "voice_rate_limited", message: `at most ${VOICE_SIGNAL_BURST} voice messages per ${VOICE_SIGNAL_WINDOW_S} s` });
    }
    return false;
  }

  private relay(client: ArenaClient, raw: unknown): void {
    const parsed = ClientMessages.signal.safeParse(raw);
    if (!parsed.success) return this.protocolError(client, ClientMessage.Signal, `signal: ${describeIssue(parsed.error)}`);
    const from = client.sessionId;
    if (!this.allow(client)) return;
    const { to, link } = parsed.data;
    const target = to === from ? undefined : this.room.clients.getById(to);
    // The link number must be the current one: signals of a connection that closed never reach its successor.
    if (target === undefined || client.userData?.spectator !== false || this.links.get(linkKey(from, to)) !== link) {
      this.stats.refused++;
      return notice(client, { code: "voice_not_peer", message: "not a voice peer (any more)" });
    }
    const data = parsed.data;
    const out: SignalOut = "description" in data ? { from, link, description: data.description } : { from, link, candidate: data.candidate };
    target.send(ServerMessage.Signal, out);
    this.stats.relayed++;
    if (out.description === undefined) this.stats.candidates++;
    else if (out.description.type === "offer") this.stats.offers++;
    else this.stats.answers++;
  }
}

function notice(client: ArenaClient, out: NoticeOut): void {
  client.send(ServerMessage.Notice, out);
}
