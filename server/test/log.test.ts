/** Log lines: one JSON object each, with time, level name, msg, the fields and the room/session bindings. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../src/log.ts";

/** Captures what the logger writes to stdout and stderr, as parsed lines. */
function capture(): { out: Record<string, unknown>[]; err: Record<string, unknown>[] } {
  const out: Record<string, unknown>[] = [];
  const err: Record<string, unknown>[] = [];
  const into = (lines: Record<string, unknown>[]) => (chunk: string | Uint8Array): boolean => {
    for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(into(out));
  vi.spyOn(process.stderr, "write").mockImplementation(into(err));
  return { out, err };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("logs", () => {
  it("write time, level name, msg and fields, info and below on stdout, warn and error on stderr", () => {
    const { out, err } = capture();
    const log = createLogger("debug", { processId: "p1" });
    log.debug("checking");
    log.info("listening", { port: 2567 });
    log.warn("slow step", { ms: 40 });
    log.error("room failed");
    vi.restoreAllMocks();

    expect(out).toEqual([
      { time: expect.any(String), level: "debug", msg: "checking", processId: "p1" },
      { time: expect.any(String), level: "info", msg: "listening", processId: "p1", port: 2567 },
    ]);
    expect(err).toEqual([
      { time: expect.any(String), level: "warn", msg: "slow step", processId: "p1", ms: 40 },
      { time: expect.any(String), level: "error", msg: "room failed", processId: "p1" },
    ]);
    expect(new Date(out[0]!.time as string).toISOString()).toBe(out[0]!.time);
  });

  it("name the room and the session on every line of a child logger", () => {
    const { out } = capture();
    const room = createLogger("info").child({ room: "r1" });
    room.info("match started", { players: 2 });
    room.child({ session: "s1" }).info("joined");
    vi.restoreAllMocks();

    expect(out).toEqual([
      { time: expect.any(String), level: "info", msg: "match started", room: "r1", players: 2 },
      { time: expect.any(String), level: "info", msg: "joined", room: "r1", session: "s1" },
    ]);
  });

  it("keep an error's name, message and stack in whatever field it is passed", () => {
    const { err } = capture();
    createLogger("info").error("shutdown failed", { error: new TypeError("boom") });
    vi.restoreAllMocks();

    expect(err[0]).toMatchObject({ msg: "shutdown failed", error: { name: "TypeError", message: "boom", stack: expect.stringContaining("boom") } });
  });

  it("drop lines below the level, and everything when silent", () => {
    const { out, err } = capture();
    const warn = createLogger("warn");
    warn.info("hidden");
    warn.warn("shown");
    const silent = createLogger("silent");
    silent.error("hidden");
    silent.child({ room: "r1" }).error("hidden");
    vi.restoreAllMocks();

    expect(out).toEqual([]);
    expect(err.map((l) => l.msg)).toEqual(["shown"]);
  });
});
