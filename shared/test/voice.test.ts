import { describe, expect, it } from "vitest";
import {
  VOICE_FULL_VOLUME_RANGE, VOICE_HYSTERESIS, VOICE_MAX_PEERS, VOICE_RANGE,
  linkKey, selectVoiceLinks, voiceGain, voicePeersOf, type VoiceMember,
} from "../src/index.ts";

const none: ReadonlySet<string> = new Set();
const at = (id: string, x: number, y = 0): VoiceMember => ({ id, x, y });

describe("voice links", () => {
  it("link two players within range, and not two beyond it", () => {
    expect([...selectVoiceLinks([at("a", 0), at("b", VOICE_RANGE)], none)]).toEqual([linkKey("a", "b")]);
    expect(selectVoiceLinks([at("a", 0), at("b", VOICE_RANGE + 1)], none).size).toBe(0);
  });

  it("give a player in a ring of five its VOICE_MAX_PEERS nearest", () => {
    // "me" at the centre; five others 72° apart, each farther from the others than from me.
    const others = [0, 1, 2, 3, 4].map((i) => at(`p${i}`, 1000 + Math.cos((i * 2 * Math.PI) / 5) * (200 + 10 * i), 1000 + Math.sin((i * 2 * Math.PI) / 5) * (200 + 10 * i)));
    const links = selectVoiceLinks([at("me", 1000, 1000), ...others], none);
    expect(voicePeersOf(links, "me").sort()).toEqual(["p0", "p1", "p2", "p3"].slice(0, VOICE_MAX_PEERS));
  });

  it("never give anyone more than VOICE_MAX_PEERS links in a crowd", () => {
    const crowd = Array.from({ length: 16 }, (_, i) => at(`p${i}`, (i % 4) * 40, Math.floor(i / 4) * 40));
    const links = selectVoiceLinks(crowd, none);
    for (const m of crowd) {
      expect(voicePeersOf(links, m.id).length).toBeLessThanOrEqual(VOICE_MAX_PEERS);
      expect(voicePeersOf(links, m.id).length).toBeGreaterThan(0);
    }
  });

  it("are symmetric: every link names both ends as peers", () => {
    const members = Array.from({ length: 12 }, (_, i) => at(`p${i}`, (i * 137) % 500, (i * 311) % 400));
    const links = selectVoiceLinks(members, none);
    for (const m of members) {
      for (const p of voicePeersOf(links, m.id)) expect(voicePeersOf(links, p)).toContain(m.id);
    }
  });

  it("keep five players near each other all linked (each hears the other four)", () => {
    const members = [at("a", 0), at("b", 50), at("c", 100), at("d", 0, 50), at("e", 50, 50)];
    const links = selectVoiceLinks(members, none);
    expect(links.size).toBe(10);
  });

  it("hold a link until it is VOICE_HYSTERESIS beyond the range, and open none there", () => {
    const key = linkKey("a", "b");
    const edge = VOICE_RANGE + VOICE_HYSTERESIS / 2;
    expect(selectVoiceLinks([at("a", 0), at("b", edge)], new Set([key])).has(key)).toBe(true);
    expect(selectVoiceLinks([at("a", 0), at("b", edge)], none).has(key)).toBe(false);
    expect(selectVoiceLinks([at("a", 0), at("b", VOICE_RANGE + VOICE_HYSTERESIS + 1)], new Set([key])).has(key)).toBe(false);
  });

  it("keep a linked peer against a newcomer that is not VOICE_HYSTERESIS closer, and give way to one that is", () => {
    // "me" is full with four peers; "far" is the farthest of them.
    const base = [at("me", 0), at("p0", 100), at("p1", -100), at("p2", 0, 100), at("far", 0, -300)];
    const current = selectVoiceLinks(base, none);
    expect(voicePeersOf(current, "me")).toContain("far");
    const slightlyCloser = selectVoiceLinks([...base, at("new", 0, 300 - VOICE_HYSTERESIS / 2)], current);
    expect(voicePeersOf(slightlyCloser, "me").sort()).toEqual(["far", "p0", "p1", "p2"]);
    const muchCloser = selectVoiceLinks([...base, at("new", 0, 300 - VOICE_HYSTERESIS - 20)], current);
    expect(voicePeersOf(muchCloser, "me").sort()).toEqual(["new", "p0", "p1", "p2"]);
  });

  it("let a player whose connection dropped keep its links but gain none", () => {
    const key = linkKey("a", "b");
    const away = { ...at("b", 100), away: true };
    expect(selectVoiceLinks([at("a", 0), away], new Set([key])).has(key)).toBe(true);
    expect(selectVoiceLinks([at("a", 0), away], none).size).toBe(0);
    // Its free place is not held against the others either.
    expect([...selectVoiceLinks([at("a", 0), away, at("c", 200)], none)]).toEqual([linkKey("a", "c")]);
  });

  it("do not flap for a pair pacing back and forth across the range edge", () => {
    let links: Set<string> = selectVoiceLinks([at("a", 0), at("b", VOICE_RANGE - 10)], none);
    for (let i = 0; i < 20; i++) {
      const d = VOICE_RANGE + (i % 2 === 0 ? 30 : -10);
      links = selectVoiceLinks([at("a", 0), at("b", d)], links);
      expect(links.size).toBe(1);
    }
  });
});

describe("voice gain", () => {
  it("is full up close, falls with distance, and is silent at the range", () => {
    expect(voiceGain(0)).toBe(1);
    expect(voiceGain(VOICE_FULL_VOLUME_RANGE)).toBe(1);
    const mid = voiceGain((VOICE_FULL_VOLUME_RANGE + VOICE_RANGE) / 2);
    expect(mid).toBeGreaterThan(0);
    expect(mid).toBeLessThan(1);
    expect(voiceGain(VOICE_RANGE - 50)).toBeLessThan(mid);
    expect(voiceGain(VOICE_RANGE)).toBe(0);
    expect(voiceGain(VOICE_RANGE + VOICE_HYSTERESIS)).toBe(0);
  });
});
