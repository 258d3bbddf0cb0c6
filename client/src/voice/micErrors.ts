/** Plain sentences for why the microphone could not be used; the game goes on without voice either way. */

export type MicProblem = "denied" | "missing" | "busy" | "insecure" | "unknown";

/** Classifies a `getUserMedia` rejection by its DOMException name. */
export function micProblem(error: unknown): MicProblem {
  const name = (error as { name?: unknown } | null)?.name;
  switch (name) {
    case "NotAllowedError":
    case "SecurityError":
      return "denied";
    case "NotFoundError":
    case "OverconstrainedError":
      return "missing";
    case "NotReadableError":
    case "AbortError":
      return "busy";
    default:
      return "unknown";
  }
}

export function describeMicProblem(problem: MicProblem): string {
  switch (problem) {
    case "denied":
      return "Microphone access was denied, so voice stays off. Allow the microphone for this site to talk; you can keep playing meanwhile.";
    case "missing":
      return "No microphone was found, so voice stays off. Plug one in and press the mic button again.";
    case "busy":
      return "The microphone is busy (another application may be using it), so voice stays off. Close it and try again.";
    case "insecure":
      return "Voice needs a secure page (https, or localhost).";
    case "unknown":
      return "The microphone could not be started, so voice stays off.";
  }
}
