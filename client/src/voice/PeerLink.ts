/**
 * One voice peer: an RTCPeerConnection negotiated with the *perfect
 * negotiation* pattern (MDN), so both sides may offer at any time — when the
 * link opens, on an ICE restart — and a collision never deadlocks: the polite
 * side (the lower session id) rolls its own offer back, the impolite side
 * ignores the other's. The first offer comes from the impolite side only: the
 * polite side adds its microphone when that offer arrives. (Measured: when both
 * sides make the very first offer at once, Chromium rolls the polite side's
 * back but then gathers no candidates for its answer, and the pair never
 * connects; collisions of later offers — ICE restarts — resolve as designed.)
 *
 * Its audio plays through an <audio> element whose volume is the gain set from
 * distance; Web Audio reads its level for the speaking ring. Not a Web Audio
 * GainNode behind a muted element: Chromium measures a received stream's audio
 * level (`inbound-rtp` audioLevel, totalAudioEnergy) after the element's
 * volume, so a muted element reports silence for audio that is playing — and
 * the element must consume the stream anyway, or Web Audio hears nothing.
 */
import type { SignalBody } from "@arena/shared";
import { LevelMeter } from "./LevelMeter.ts";

export interface PeerStats {
  id: string;
  state: RTCPeerConnectionState;
  rttMs: number | undefined;
  packetsLost: number;
  /** Audio bits per second, both directions, since the previous reading. */
  kbps: number;
  bytesReceived: number;
  totalAudioEnergy: number;
}

export class PeerLink {
  readonly pc: RTCPeerConnection;
  private makingOffer = false;
  private ignoreOffer = false;
  private settingRemoteAnswerPending = false;
  private readonly meter: LevelMeter;
  private volume = 1;
  private audio: HTMLAudioElement | undefined;
  private source: MediaStreamAudioSourceNode | undefined;
  private lastBytes = 0;
  private lastAt = 0;
  private closed = false;
  /** The microphone track, until it is added to the connection. */
  private pendingTrack: { track: MediaStreamTrack; stream: MediaStream } | undefined;

  constructor(
    readonly id: string,
    readonly link: number,
    readonly polite: boolean,
    iceServers: RTCIceServer[],
    track: MediaStreamTrack,
    stream: MediaStream,
    private readonly ctx: AudioContext,
    private readonly send: (body: SignalBody) => void,
    private readonly onState: () => void,
  ) {
    this.meter = new LevelMeter(ctx);
    this.pc = new RTCPeerConnection({ iceServers });
    this.pc.onnegotiationneeded = () => void this.offer();
    this.pc.onicecandidate = ({ candidate }) => {
      if (candidate !== null && candidate.candidate !== "") this.send({ candidate: candidate.toJSON() as SignalBody["candidate"] & object });
    };
    this.pc.oniceconnectionstatechange = () => {
      if (this.pc.iceConnectionState === "failed") this.pc.restartIce();
    };
    this.pc.onconnectionstatechange = () => this.onState();
    this.pc.ontrack = ({ track: remote, streams }) => this.play(streams[0] ?? new MediaStream([remote]));
    if (polite) this.pendingTrack = { track, stream };
    else this.pc.addTrack(track, stream);
  }

  /** Renegotiates with fresh ICE credentials (after the room connection came back). */
  restartIce(): void {
    if (!this.closed) this.pc.restartIce();
  }

  /** Applies a description or candidate from the peer. */
  async receive(body: SignalBody): Promise<void> {
    const pc = this.pc;
    if (this.closed) return;
    try {
      if (body.description !== undefined) {
        const description = body.description;
        const readyForOffer = !this.makingOffer && (pc.signalingState === "stable" || this.settingRemoteAnswerPending);
        const collision = description.type === "offer" && !readyForOffer;
        this.ignoreOffer = !this.polite && collision;
        if (this.ignoreOffer) return;
        this.settingRemoteAnswerPending = description.type === "answer";
        await pc.setRemoteDescription(description); // rolls back our own offer first when polite
        this.settingRemoteAnswerPending = false;
        if (description.type === "offer") {
          const pending = this.pendingTrack;
          this.pendingTrack = undefined;
          // Reuses the transceiver the offer created, so the answer sends too: no second round.
          if (pending !== undefined) pc.addTrack(pending.track, pending.stream);
          await pc.setLocalDescription();
          this.sendDescription();
        }
      } else if (body.candidate !== undefined) {
        try {
          await pc.addIceCandidate(body.candidate);
        } catch (e) {
          if (!this.ignoreOffer) throw e;
        }
      }
    } catch (e) {
      if (!this.closed) console.warn(`voice: signal from ${this.id} failed`, e);
    }
  }

  /** Playback volume, 0..1 (distance and mute). */
  setGain(value: number): void {
    this.volume = Math.min(1, Math.max(0, value));
    if (this.audio !== undefined) this.audio.volume = this.volume;
  }

  /** The peer's audio level now, 0..1. */
  level(): number {
    return this.meter.level();
  }

  async stats(): Promise<PeerStats> {
    const report = await this.pc.getStats();
    let rttMs: number | undefined;
    let packetsLost = 0;
    let bytesReceived = 0;
    let bytesSent = 0;
    let totalAudioEnergy = 0;
    let pairId: string | undefined;
    report.forEach((s: RTCStats & Record<string, unknown>) => {
      if (s.type === "transport" && typeof s.selectedCandidatePairId === "string") pairId = s.selectedCandidatePairId;
    });
    report.forEach((s: RTCStats & Record<string, unknown>) => {
      if (s.type === "candidate-pair" && (s.id === pairId || (pairId === undefined && s.nominated === true)) && typeof s.currentRoundTripTime === "number") {
        rttMs = s.currentRoundTripTime * 1000;
      }
      if (s.type === "inbound-rtp" && s.kind === "audio") {
        packetsLost += Number(s.packetsLost ?? 0);
        bytesReceived += Number(s.bytesReceived ?? 0);
        totalAudioEnergy += Number(s.totalAudioEnergy ?? 0);
      }
      if (s.type === "outbound-rtp" && s.kind === "audio") bytesSent += Number(s.bytesSent ?? 0);
    });
    const now = performance.now();
    const bytes = bytesReceived + bytesSent;
    const kbps = this.lastAt > 0 && now > this.lastAt ? ((bytes - this.lastBytes) * 8) / (now - this.lastAt) : 0;
    this.lastBytes = bytes;
    this.lastAt = now;
    return { id: this.id, state: this.pc.connectionState, rttMs, packetsLost, kbps, bytesReceived, totalAudioEnergy };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pc.close();
    this.source?.disconnect();
    this.meter.disconnect();
    if (this.audio !== undefined) {
      this.audio.srcObject = null;
      this.audio.remove();
    }
  }

  private async offer(): Promise<void> {
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      this.sendDescription();
    } catch (e) {
      if (!this.closed) console.warn(`voice: offer to ${this.id} failed`, e);
    } finally {
      this.makingOffer = false;
    }
  }

  private sendDescription(): void {
    const d = this.pc.localDescription;
    if (d !== null && (d.type === "offer" || d.type === "answer")) this.send({ description: { type: d.type, sdp: d.sdp } });
  }

  private play(stream: MediaStream): void {
    if (this.closed || this.source !== undefined) return;
    const audio = new Audio();
    audio.volume = this.volume;
    audio.srcObject = stream;
    // The mic button or push-to-talk key press gave the page the user activation autoplay needs.
    void audio.play().catch((e: unknown) => console.warn(`voice: playback of ${this.id} refused`, e));
    this.audio = audio;
    this.source = this.ctx.createMediaStreamSource(stream);
    this.meter.listen(this.source);
  }
}
