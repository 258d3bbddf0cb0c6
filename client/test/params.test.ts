import { describe, expect, it } from "vitest";
import { parseParams } from "../src/params.ts";

describe("URL parameters", () => {
  it("reads name, join, quick, debug and the impairment", () => {
    const p = parseParams("?name=Ada&join=abc123&quick=1&debug=1&lag=150&jitter=30&loss=2");
    expect(p).toMatchObject({ name: "Ada", join: "abc123", quick: true, debug: true });
    expect(p.impairment).toEqual({ lagMs: 150, jitterMs: 30, lossPct: 2 });
  });

  it("bounds nonsense values", () => {
    const p = parseParams("?lag=-5&jitter=abc&loss=99");
    expect(p.impairment).toEqual({ lagMs: 0, jitterMs: 0, lossPct: 50 });
    expect(parseParams("?name=" + "x".repeat(500)).name).toHaveLength(64);
  });

  it("has no parameter that names another server (a crafted link cannot redirect the sign-in)", () => {
    const p = parseParams("?name=Ada&server=https://evil.example&api=https://evil.example&origin=https://evil.example");
    expect(JSON.stringify(p)).not.toContain("evil");
  });
});
