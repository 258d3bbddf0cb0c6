/**
 * Proximity voice for one room. Off until the player turns it on (the mic
 * button, or holding the push-to-talk key); then the browser asks for the
 * microphone, the room is told, and the room answers with this player's
 * peers — the nearest few within range, decided on the server from its own
 * positions. A peer connection opens for each and closes when the peer leaves
 * the set; the server relays their signaling and nothing else.
 */
import {
  ClientMessage, ServerMessage, voiceGain,
  type NoticeOut, type SignalBody, type SignalIn, type SignalOut, type VoiceConfigOut, type VoicePeersOut,
} from "@arena/shared";
import type { ArenaRoom, Vec2 } from "../net/session.ts";
import { LevelMeter } from "./LevelMeter.ts";
import { describeMicProblem, micProblem, type MicProblem } from "./micErrors.ts";
import { PeerLink, type PeerStats } from "./PeerLink.ts";

/** `open`: the mic transmits while voice is on; `ptt`: only while the push-to-talk key is held. */
export type VoiceMode = "off" | "open" | "ptt";

export interface VoiceEvents {
  /** Something changed that the controls show (mode, transmitting, peers). */
  changed(): void;
  /** A sentence for the player (microphone denied, missing or busy). */
  problem(message: string, kind: MicProblem): void;
}

export class VoiceChat {
  private modeNow: VoiceMode = "off";
  private talking = false;
  private starting: Promise<void> | undefined;
  private iceServers: RTCIceServer[] = [];
  private ctx: AudioContext | undefined;
  private mic: MediaStream | undefined;
  private localMeter: LevelMeter | undefined;
  private readonly links = new Map<string, PeerLink>();
  private readonly muted = new Set<string>();
  private lastStats: PeerStats[] = [];
  private disposed = false;
  /** Voice was turned off while the room connection was down: the room has yet to hear it. */
  private offUnsent = false;

  constructor(private readonly room: ArenaRoom, private readonly events: VoiceEvents) {
    room.onMessage(ServerMessage.VoiceConfig, (c: VoiceConfigOut) => {
      this.iceServers = c.iceServers;
    });
    room.onMessage(ServerMessage.VoicePeers, (p: VoicePeersOut) => this.setPeers(p));
    room.onMessage(ServerMessage.Signal, (s: SignalOut) => {
      const link = this.links.get(s.from);
      // A signal of a link that closed (or is not open here yet) is ignored, as the server ignores ours.
      if (link !== undefined && link.link === s.link) void link.receive(s);
    });
    room.onMessage(ServerMessage.Notice, (n: NoticeOut) => {
      if (n.code === "voice_rate_limited") console.warn("voice: signaling rate-limited by the server");
    });
    // Media flows peer to peer, but candidates may have changed with the network that dropped the room:
    // renegotiate with fresh ICE credentials, without the player doing anything.
    room.onReconnect(() => {
      // A change made while the connection was down did not arrive.
      if (this.modeNow !== "off" || this.offUnsent) room.send(ClientMessage.Voice, { on: this.modeNow !== "off" });
      this.offUnsent = false;
      for (const link of this.links.values()) link.restartIce();
    });
  }

  get mode(): VoiceMode {
    return this.modeNow;
  }

  /** True while the microphone's audio is being sent. */
  get transmitting(): boolean {
    return this.modeNow === "open" || (this.modeNow === "ptt" && this.talking);
  }

  /** Turns voice on in `mode` (asking for the microphone the first time); resolves once it is on or refused. */
  async enable(mode: "open" | "ptt"): Promise<void> {
    if (this.modeNow !== "off") {
      this.modeNow = mode;
      this.applyTransmit();
      return;
    }
    this.starting ??= this.start(mode).finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** Turns voice off: connections close, the microphone is released, the room is told. */
  disable(): void {
    if (this.modeNow === "off") return;
    this.modeNow = "off";
    this.talking = false;
    for (const link of this.links.values()) link.close();
    this.links.clear();
    for (const t of this.mic?.getTracks() ?? []) t.stop();
    this.mic = undefined;
    this.localMeter?.disconnect();
    this.localMeter = undefined;
    if (this.room.connection.isOpen) this.room.send(ClientMessage.Voice, { on: false });
    else this.offUnsent = true;
    this.events.changed();
  }

  /** Push-to-talk: the key went down or up. Pressing it with voice off turns voice on in push-to-talk mode. */
  pushToTalk(down: boolean): void {
    this.talking = down;
    if (down && this.modeNow === "off") void this.enable("ptt");
    this.applyTransmit();
    this.events.changed();
  }

  setMuted(id: string, muted: boolean): void {
    if (muted) this.muted.add(id);
    else this.muted.delete(id);
    this.events.changed();
  }

  isMuted(id: string): boolean {
    return this.muted.has(id);
  }

  /** Session ids of the current peers. */
  peerIds(): string[] {
    return [...this.links.keys()];
  }

  peer(id: string): PeerLink | undefined {
    return this.links.get(id);
  }

  /** Audio level (0..1) of a player heard here, or of this player's own microphone while it transmits. */
  levelOf(id: string): number {
    if (id === this.room.sessionId) return this.transmitting ? (this.localMeter?.level() ?? 0) : 0;
    if (this.muted.has(id)) return 0;
    return this.links.get(id)?.level() ?? 0;
  }

  /** Sets each peer's volume from its distance to this player (where both are drawn), and mutes. */
  updateGains(me: Vec2 | undefined, positionOf: (id: string) => Vec2 | undefined): void {
    for (const [id, link] of this.links) {
      const at = positionOf(id);
      const distance = me !== undefined && at !== undefined ? Math.hypot(at.x - me.x, at.y - me.y) : 0;
      link.setGain(this.muted.has(id) ? 0 : voiceGain(distance));
    }
  }

  /** Reads every peer's statistics (state, round trip, losses, bitrate) for the debug overlay. */
  async pollStats(): Promise<PeerStats[]> {
    this.lastStats = await Promise.all([...this.links.values()].map((l) => l.stats()));
    return this.lastStats;
  }

  /** The statistics of the last poll. */
  get stats(): readonly PeerStats[] {
    return this.lastStats;
  }

  dispose(): void {
    this.disposed = true;
    this.disable();
    void this.ctx?.close();
    this.ctx = undefined;
  }

  private async start(mode: "open" | "ptt"): Promise<void> {
    // Spectators have no player, and are not in voice: the microphone is not even asked for.
    if (this.room.state?.players?.get(this.room.sessionId) === undefined) return;
    if (navigator.mediaDevices?.getUserMedia === undefined) {
      this.events.problem(describeMicProblem("insecure"), "insecure");
      return;
    }
    // Created within the click or key press: an AudioContext made later may start suspended.
    this.ctx ??= new AudioContext();
    void this.ctx.resume();
    let mic: MediaStream;
    try {
      mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true }, video: false });
    } catch (e) {
      const kind = micProblem(e);
      this.events.problem(describeMicProblem(kind), kind);
      return;
    }
    if (this.disposed || this.ctx === undefined || !this.room.connection.isOpen) {
      for (const t of mic.getTracks()) t.stop();
      return;
    }
    this.mic = mic;
    this.localMeter = new LevelMeter(this.ctx);
    this.localMeter.listen(this.ctx.createMediaStreamSource(mic));
    this.modeNow = mode;
    this.applyTransmit();
    this.room.send(ClientMessage.Voice, { on: true });
    this.events.changed();
  }

  private applyTransmit(): void {
    const on = this.transmitting;
    for (const t of this.mic?.getAudioTracks() ?? []) t.enabled = on;
  }

  /** Opens links the server added, closes those it removed (or renumbered). */
  private setPeers(update: VoicePeersOut): void {
    const wanted = new Map(update.peers.map((p) => [p.id, p.link]));
    for (const [id, link] of this.links) {
      if (wanted.get(id) === link.link) continue;
      link.close();
      this.links.delete(id);
    }
    const mic = this.mic;
    const track = mic?.getAudioTracks()[0];
    if (this.modeNow === "off" || mic === undefined || track === undefined || this.ctx === undefined) return this.events.changed();
    const me = this.room.sessionId;
    for (const [id, number] of wanted) {
      if (this.links.has(id)) continue;
      const send = (body: SignalBody): void => {
        if (this.room.connection.isOpen) this.room.send(ClientMessage.Signal, { to: id, link: number, ...body } as SignalIn);
      };
      // The lower session id is the polite side: it yields when both offer at once.
      this.links.set(id, new PeerLink(id, number, me < id, this.iceServers, track, mic, this.ctx, send, () => this.events.changed()));
    }
    this.events.changed();
  }
}
