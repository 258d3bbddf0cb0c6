import { describe, expect, it } from "vitest";
import { describeMicProblem, micProblem } from "../src/voice/micErrors.ts";

describe("microphone problems", () => {
  it.each([
    ["NotAllowedError", "denied"],
    ["SecurityError", "denied"],
    ["NotFoundError", "missing"],
    ["OverconstrainedError", "missing"],
    ["NotReadableError", "busy"],
    ["AbortError", "busy"],
    ["TypeError", "unknown"],
  ] as const)("%s reads as %s, with a sentence that says voice stays off", (name, kind) => {
    const problem = micProblem(Object.assign(new Error("x"), { name }));
    expect(problem).toBe(kind);
    expect(describeMicProblem(problem)).toMatch(kind === "unknown" ? /could not be started/ : /voice stays off/);
  });

  it("treats a rejection that is not an error as unknown", () => {
    expect(micProblem(undefined)).toBe("unknown");
    expect(micProblem("denied")).toBe("unknown");
  });
});
