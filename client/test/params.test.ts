import { describe, expect, it } from "vitest";
import { parseParams } from "../src/params.ts";

describe("URL parameters", () => {
  it("reads name, join, quick, debug and the impairment", () => {
    const p = parseParams("?name=Ada&join=abc123&quick=1&debug=1&lag=150&jitter=30&loss=2");
    expect(p).toMatchObject({ name: "Ada", join: "abc123", quick: true, debug: true });
    expect(p.impairment).toEqual({ lagMs: 150, jitterMs: 30, lossPct: 2 });
  });

  it("bounds nonsense values", () => {
    const p = parseParams("?lag=-5&jitter=abc&loss=99&server=javascript:alert(1)");
    expect(p.impairment).toEqual({ lagMs: 0, jitterMs: 0, lossPct: 50 });
    expect(p.server).toBeUndefined();
    expect(parseParams("?name=" + "x".repeat(500)).name).toHaveLength(64);
  });
});
