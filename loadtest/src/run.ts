/**
 * A bounded load run: starts bots at the ramp rate, lets them play until the
 * duration is over, makes every bot leave, and returns the summary. Nothing
 * it starts outlives it.
 */
import { CloseCodes } from "@arena/shared";
import { quantile } from "@arena/testkit/remote";
import { Bot, type RunContext } from "./bot.ts";
import { resolveOptions, type LoadOptions } from "./options.ts";
import { LoadStats, summarize, type LoadSummary } from "./stats.ts";

/** Most bots signing in and joining at the same time. */
const MAX_JOINS_IN_FLIGHT = 32;

export interface Progress {
  seconds: number;
  started: number;
  joined: number;
  inRoom: number;
  failed: number;
  messagesInPerSecond: number;
  bytesInPerSecond: number;
  messagesOutPerSecond: number;
  rttP50Ms: number;
}

export interface RunHooks {
  /** Called about once a second. */
  onProgress?: (p: Progress) => void;
  /**
   * Starts one bot and resolves once it joined; by default the run does this
   * itself. The @colyseus/loadtest screen passes its own connect loop here.
   */
  starter?: (start: (index: number) => Promise<void>) => Promise<void>;
}

export class LoadRun {
  readonly options: LoadOptions;
  readonly stats = new LoadStats();
  readonly bots: Bot[] = [];
  private readonly ctx: RunContext;
  private stopping = false;
  private endNow: (() => void) | undefined;

  constructor(options: Partial<LoadOptions>) {
    this.options = resolveOptions(options);
    this.ctx = {
      options: this.options,
      stats: this.stats,
      views: new Map(),
      groups: new Map(),
      deadline: performance.now() + this.options.durationSeconds * 1000,
    };
  }

  /** Starts bot `index` (0-based, below options.bots) and resolves once it joined. */
  startBot = async (index: number): Promise<void> => {
    if (this.stopping || index >= this.options.bots || this.bots[index] !== undefined) return;
    const bot = new Bot(index, this.ctx);
    this.bots[index] = bot;
    await bot.start();
  };

  /** Starts bots at the ramp rate, at most MAX_JOINS_IN_FLIGHT joining at once. */
  private async ramp(): Promise<void> {
    const interval = 1000 / this.options.rampPerSecond;
    const inFlight = new Set<Promise<void>>();
    const t0 = performance.now();
    for (let i = 0; i < this.options.bots && !this.stopping; i++) {
      const wait = t0 + i * interval - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      while (inFlight.size >= MAX_JOINS_IN_FLIGHT) await Promise.race(inFlight);
      const p = this.startBot(i).catch(() => { /* counted in stats */ }).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  }

  /** Ends the run before its duration is over (the benchmark stops after its window). */
  stop(): void {
    this.endNow?.();
  }

  progress(): Progress {
    const s = this.stats;
    const seconds = s.seconds();
    return {
      seconds: Math.round(seconds),
      started: this.bots.filter(Boolean).length,
      joined: s.botsJoined,
      inRoom: s.inRoom,
      failed: s.botsFailed,
      messagesInPerSecond: Math.round(s.messagesIn / seconds),
      bytesInPerSecond: Math.round(s.bytesIn / seconds),
      messagesOutPerSecond: Math.round(s.messagesOut / seconds),
      rttP50Ms: quantile(s.rttMs.values, 0.5),
    };
  }

  /** Runs for the configured duration and returns the summary. */
  async run(hooks: RunHooks = {}): Promise<LoadSummary> {
    const progressTimer = setInterval(() => hooks.onProgress?.(this.progress()), 1000);
    const remaining = Math.max(0, this.ctx.deadline - performance.now());
    let endTimer: NodeJS.Timeout | undefined;
    const ended = new Promise<void>((resolve) => {
      endTimer = setTimeout(resolve, remaining);
      this.endNow = resolve;
    });
    try {
      const started = hooks.starter ? hooks.starter(this.startBot) : this.ramp();
      await Promise.race([started.catch(() => {}), ended]);
      await ended;
    } finally {
      clearTimeout(endTimer);
      clearInterval(progressTimer);
      this.stopping = true;
    }
    const summary = summarize(this.options, this.stats, this.bots.filter(Boolean), CloseCodes.PROTOCOL_ERROR);
    await Promise.allSettled(this.bots.map((b) => b.stop()));
    return summary;
  }
}

/** Runs a load test with `options` and returns its summary (the CLI, the tests and the benchmark use this). */
export async function runLoad(options: Partial<LoadOptions>, hooks: RunHooks = {}): Promise<LoadSummary> {
  return new LoadRun(options).run(hooks);
}
