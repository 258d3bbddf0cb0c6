/**
 * Proximity voice: who talks to whom, and how loud. The server decides the
 * links from authoritative positions (a few times a second) and relays
 * signaling only along them; clients set each peer's volume from distance.
 */

/** Players farther apart than this (world units) are not linked. */
export const VOICE_RANGE = 600;
/** Peer connections one player holds at most (a full mesh past this needs a media server). */
export const VOICE_MAX_PEERS = 4;
/**
 * A linked pair stays linked until it is this much (world units) beyond
 * {@link VOICE_RANGE}, and wins a seat against a newcomer unless the newcomer
 * is this much closer: pairs do not flap at the edge.
 */
export const VOICE_HYSTERESIS = 80;
/** How often the server recomputes the links. */
export const VOICE_SET_INTERVAL_MS = 250;
/** Full volume up to this distance; it then falls to nothing at {@link VOICE_RANGE}. */
export const VOICE_FULL_VOLUME_RANGE = 150;

/** A player in voice, where the server has it. */
export interface VoiceMember {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  /**
   * Connection lost, seat held for reconnection: keeps the links it has (its
   * audio is peer to peer and may well still flow) but gains no new one, so a
   * closed tab never takes a free place while its seat waits.
   */
  readonly away?: boolean;
}

export interface VoiceSelection {
  readonly range: number;
  readonly maxPeers: number;
  readonly hysteresis: number;
}

const DEFAULT_SELECTION: VoiceSelection = { range: VOICE_RANGE, maxPeers: VOICE_MAX_PEERS, hysteresis: VOICE_HYSTERESIS };

/** The key of the unordered pair {a, b}. */
export function linkKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/** The two ids of a link key. */
export function linkEnds(key: string): [string, string] {
  const i = key.indexOf("|");
  return [key.slice(0, i), key.slice(i + 1)];
}

/**
 * The voice links among `members`: each pair within range, nearest first,
 * taken while both ends have fewer than `maxPeers` links. Pairs already in
 * `current` count as `hysteresis` nearer and stay in range `hysteresis`
 * longer; a member that is `away` keeps only pairs already in `current`.
 * Symmetric and deterministic (ties break on the ids).
 */
export function selectVoiceLinks(members: readonly VoiceMember[], current: ReadonlySet<string>, o: VoiceSelection = DEFAULT_SELECTION): Set<string> {
  const candidates: Array<{ key: string; a: string; b: string; rank: number }> = [];
  for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    for (let j = i + 1; j < members.length; j++) {
      const n = members[j]!;
      const d = Math.hypot(m.x - n.x, m.y - n.y);
      const key = linkKey(m.id, n.id);
      const linked = current.has(key);
      if (!linked && (m.away === true || n.away === true)) continue;
      if (d > o.range + (linked ? o.hysteresis : 0)) continue;
      candidates.push({ key, a: m.id, b: n.id, rank: linked ? d - o.hysteresis : d });
    }
  }
  candidates.sort((p, q) => p.rank - q.rank || (p.key < q.key ? -1 : p.key > q.key ? 1 : 0));
  const degree = new Map<string, number>();
  const links = new Set<string>();
  for (const c of candidates) {
    const da = degree.get(c.a) ?? 0;
    const db = degree.get(c.b) ?? 0;
    if (da >= o.maxPeers || db >= o.maxPeers) continue;
    degree.set(c.a, da + 1);
    degree.set(c.b, db + 1);
    links.add(c.key);
  }
  return links;
}

/** The ids `id` is linked to in `links`. */
export function voicePeersOf(links: Iterable<string>, id: string): string[] {
  const peers: string[] = [];
  for (const key of links) {
    const [a, b] = linkEnds(key);
    if (a === id) peers.push(b);
    else if (b === id) peers.push(a);
  }
  return peers;
}

/** Playback gain (0..1) of a peer `distance` away: full up close, falling smoothly to silence at the range. */
export function voiceGain(distance: number): number {
  if (!(distance > VOICE_FULL_VOLUME_RANGE)) return 1;
  const k = Math.min(1, (distance - VOICE_FULL_VOLUME_RANGE) / (VOICE_RANGE - VOICE_FULL_VOLUME_RANGE));
  return (1 - k) * (1 - k);
}
