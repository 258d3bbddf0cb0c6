/** A replay link's id and moment: what the viewer fetches, and what it refuses to fetch. */
import { describe, expect, it } from "vitest";
import { parseReplayAddress, replayLink } from "../src/replay/address.ts";

describe("replay address", () => {
  it("reads the id from /replay/<id> (or ?replay=) and the moment from ?t= in seconds", () => {
    expect(parseReplayAddress("/replay/QERJ9hmP-o19MkBpOv20Cw", "")).toEqual({ id: "QERJ9hmP-o19MkBpOv20Cw", t: 0 });
    expect(parseReplayAddress("/replay/abc_DEF/", "?t=12.5")).toEqual({ id: "abc_DEF", t: 12.5 });
    expect(parseReplayAddress("/", "?replay=abc&t=3")).toEqual({ id: "abc", t: 3 });
  });

  it("fetches nothing for an id that cannot be one (a path, a query, garbage), and ignores a nonsense moment", () => {
    for (const [path, search] of [["/replay/", ""], ["/replay/..%2Fapi%2Fadmin", ""], ["/replay/a b", ""], ["/replay/a/b", ""], ["/", "?replay=a%3Fmine%3D1"], ["/replay/" + "x".repeat(65), ""]] as const) {
      expect(parseReplayAddress(path, search), `${path}${search}`).toBeUndefined();
    }
    expect(parseReplayAddress("/replay/abc", "?t=-4")?.t).toBe(0);
    expect(parseReplayAddress("/replay/abc", "?t=soon")?.t).toBe(0);
    expect(parseReplayAddress("/replay/abc", "?t=Infinity")?.t).toBe(0);
  });

  it("links to a replay, at a moment rounded to a tenth of a second", () => {
    expect(replayLink("abc")).toBe("/replay/abc");
    expect(replayLink("abc", 12.345)).toBe("/replay/abc?t=12.3");
    expect(replayLink("abc", 0)).toBe("/replay/abc");
  });
});
