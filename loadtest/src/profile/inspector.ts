/**
 * A sampling CPU profile of another Node process over a chosen window, through its inspector
 * (the process runs with `--inspect=127.0.0.1:0`): `--cpu-prof` would profile the whole life of
 * the process, its start and the bots' joins included, where the benchmark wants the steady window.
 */
import { WebSocket } from "ws";

/** V8's CPU profile (the `.cpuprofile` format). */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

/** The inspector's websocket address from the "Debugger listening on ws://…" line a process printed. */
export function inspectorUrl(lines: readonly string[]): string | undefined {
  for (const l of lines) {
    const m = /Debugger listening on (ws:\/\/\S+)/.exec(l);
    if (m !== null) return m[1];
  }
  return undefined;
}

/** One inspector session: start() and stop() a sampling profile. */
export class InspectorProfiler {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
      if (msg.id === undefined) return;
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error !== undefined) p?.reject(new Error(msg.error.message));
      else p?.resolve(msg.result);
    });
  }

  static async connect(url: string): Promise<InspectorProfiler> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return new InspectorProfiler(ws);
  }

  private call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Starts sampling every `intervalUs` microseconds. */
  async start(intervalUs: number): Promise<void> {
    await this.call("Profiler.enable");
    await this.call("Profiler.setSamplingInterval", { interval: intervalUs });
    await this.call("Profiler.start");
  }

  async stop(): Promise<CpuProfile> {
    const r = (await this.call("Profiler.stop")) as { profile: CpuProfile };
    await this.call("Profiler.disable");
    return r.profile;
  }

  close(): void {
    this.ws.close();
  }
}
