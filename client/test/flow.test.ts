import { describe, expect, it } from "vitest";
import { CloseCode } from "@colyseus/sdk";
import { CloseCodes } from "@arena/shared";
import { describeClose, initialFlow, reduce, type FlowEvent, type FlowState } from "../src/ui/flow.ts";

const run = (state: FlowState, ...events: FlowEvent[]) => events.reduce(reduce, state);

describe("screen flow", () => {
  it("starts at the name screen, or goes straight to connecting with ?name and ?quick or ?join", () => {
    expect(initialFlow({ name: "", quick: true, join: "" }).screen).toBe("name");
    expect(initialFlow({ name: "Ada", quick: false, join: "" }).screen).toBe("lobby");
    expect(initialFlow({ name: "Ada", quick: true, join: "" })).toMatchObject({ screen: "connecting", joining: { kind: "quick" } });
    expect(initialFlow({ name: "Ada", quick: false, join: "r1" })).toMatchObject({ screen: "connecting", joining: { kind: "code", code: "r1" } });
  });

  it("walks name → lobby → connecting → game → results → game → lobby", () => {
    const s = run(initialFlow({ name: "", quick: false, join: "" }),
      { type: "submitName", name: "  Ada " },
      { type: "join", request: { kind: "quick" } },
      { type: "joined" },
      { type: "matchEnded" });
    expect(s).toMatchObject({ screen: "results", name: "Ada" });
    expect(run(s, { type: "matchStarted" }).screen).toBe("game");
    expect(run(s, { type: "leave" }).screen).toBe("lobby");
  });

  it("Play again goes from the results to joining the group's next room, and from nowhere else", () => {
    const game = run(initialFlow({ name: "Ada", quick: true, join: "" }), { type: "joined" });
    const results = reduce(game, { type: "matchEnded" });
    expect(reduce(results, { type: "playAgain", roomId: "next1" })).toMatchObject({ screen: "connecting", joining: { kind: "code", code: "next1" } });
    expect(reduce(game, { type: "playAgain", roomId: "next1" })).toBe(game);
  });

  it("takes every kind of join request from the lobby", () => {
    const lobby = initialFlow({ name: "Ada", quick: false, join: "" });
    for (const request of [{ kind: "create" }, { kind: "spectate", roomId: "r1" }, { kind: "code", code: "K7M2QX" }] as const) {
      expect(reduce(lobby, { type: "join", request })).toMatchObject({ screen: "connecting", joining: request });
    }
  });

  it("shows refusals and lost connections, and returns to the lobby on dismiss", () => {
    const connecting = initialFlow({ name: "Ada", quick: true, join: "" });
    const refused = reduce(connecting, { type: "refused", message: "full" });
    expect(refused).toMatchObject({ screen: "error", message: "full" });
    expect(reduce(refused, { type: "dismiss" }).screen).toBe("lobby");
    const lost = run(connecting, { type: "joined" }, { type: "dropped" });
    expect(lost).toMatchObject({ screen: "game", reconnecting: true });
    expect(reduce(lost, { type: "reconnected" }).reconnecting).toBe(false);
    expect(reduce(lost, { type: "lost", message: "gone" })).toMatchObject({ screen: "error", reconnecting: false });
  });

  it("ignores events that make no sense on the current screen", () => {
    const lobby = initialFlow({ name: "Ada", quick: false, join: "" });
    for (const e of [{ type: "joined" }, { type: "matchEnded" }, { type: "dropped" }, { type: "submitName", name: " " }] as FlowEvent[]) {
      expect(reduce(lobby, e)).toBe(lobby);
    }
  });

  it("explains close codes in words", () => {
    expect(describeClose(CloseCodes.PROTOCOL_ERROR, "chat: bad")).toMatch(/protocol error: chat: bad/);
    expect(describeClose(CloseCode.ABNORMAL_CLOSURE)).toMatch(new RegExp(`code ${CloseCode.ABNORMAL_CLOSURE}`));
    expect(describeClose(CloseCodes.SIGNED_IN_ELSEWHERE)).toMatch(/signed in elsewhere/);
  });
});
