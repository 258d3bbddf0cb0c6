/**
 * A throwaway Redis Cluster on loopback ports: `redis-server --cluster-enabled yes` per node (no persistence),
 * joined by `redis-cli --cluster create`, ready once every node says `cluster_state:ok` (and, with replicas,
 * every replica has synced). Killed by the test.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { exited, requireBinary, spawnTracked, waitForLine } from "./processes.ts";

export interface ClusterNodeProcess {
  readonly port: number;
  readonly pid: number;
}

export interface RedisClusterProcess {
  readonly nodes: readonly ClusterNodeProcess[];
  /** Every node as `127.0.0.1:port,...`: the value of REDIS_CLUSTER_NODES. */
  readonly seeds: string;
  /** The port of the master that serves `key`'s slot now. */
  masterOf(key: string): Promise<number>;
  /** SIGKILLs the node on `port` (a crash: its replica, if any, is promoted after the node timeout). */
  kill(port: number): Promise<void>;
  /** Resolves once every running node says `cluster_state:ok` and serves `key`'s slot from a master other than `notPort`. */
  waitForFailover(key: string, notPort: number, timeoutMs?: number): Promise<number>;
  /** Kills every node and removes their files. */
  stop(): Promise<void>;
}

export interface RedisClusterOptions {
  /** Masters (the slots are split among them): 3 by default, the fewest `redis-cli --cluster create` accepts. */
  readonly masters?: number;
  /** Replicas per master: 0 by default; 1 to survive a master's death. */
  readonly replicas?: number;
  /** How long a node may be unreachable before the others fail it over (cluster-node-timeout; Redis' default is 15 s). */
  readonly nodeTimeoutMs?: number;
}

/** Poll period of the cluster's state (Redis announces it on no channel a client can subscribe to). */
const POLL_MS = 100;

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const got = await probe();
      if (got !== undefined) return got;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`redis cluster: ${what} not reached within ${timeoutMs} ms${last ? ` (${(last as Error).message})` : ""}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Whether `port` can be bound on loopback right now. */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/**
 * A free port whose cluster bus port (port + 10000, fixed by Redis) is free too: drawn below the usual
 * ephemeral range (32768+), where the OS hands out no ports of its own, so neither is taken meanwhile.
 */
async function clusterPort(taken: ReadonlySet<number>): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port) || taken.has(port + 10_000) || taken.has(port - 10_000)) continue;
    if ((await bindable(port)) && (await bindable(port + 10_000))) return port;
  }
  throw new Error("redis cluster: no free port pair (port, port + 10000) found");
}

/** One command to one node on its own short-lived connection. */
async function ask<T>(port: number, run: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  r.on("error", () => undefined);
  try {
    await r.connect();
    return await run(r);
  } finally {
    r.disconnect();
  }
}

export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterProcess> {
  const server = requireBinary("redis-server");
  const cli = requireBinary("redis-cli");
  const masters = options.masters ?? 3;
  const replicas = options.replicas ?? 0;
  const dir = mkdtempSync(join(tmpdir(), "arena-redis-cluster-"));
  const procs = new Map<number, ChildProcess>();
  const ports: number[] = [];
  // Taken one at a time: each node is listening before the next port is picked.
  for (let i = 0; i < masters * (1 + replicas); i++) {
    const port = await clusterPort(new Set(ports));
    const proc = spawnTracked(server, [
      "--port", String(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`,
      "--dir", dir, "--cluster-node-timeout", String(options.nodeTimeoutMs ?? 1000), "--save", "", "--appendonly", "no", "--daemonize", "no",
    ]);
    await waitForLine(proc, (l) => l.includes("Ready to accept connections"), `redis-server cluster node ${port}`);
    procs.set(port, proc);
    ports.push(port);
  }
  const stop = async (): Promise<void> => {
    for (const proc of procs.values()) proc.kill("SIGKILL");
    await Promise.all([...procs.values()].map((p) => exited(p)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const create = spawnTracked(cli, ["--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", String(replicas), "--cluster-yes"]);
    let output = "";
    create.stdout!.on("data", (c: Buffer) => (output += c.toString()));
    create.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    if ((await exited(create)) !== 0) throw new Error(`redis-cli --cluster create failed:\n${output}`);
    const running = (): number[] => ports.filter((p) => procs.get(p)!.exitCode === null && procs.get(p)!.signalCode === null);
    const allOk = async (): Promise<true | undefined> => {
      const states = await Promise.all(running().map((p) => ask(p, (r) => r.cluster("INFO") as Promise<string>)));
      return states.every((s) => s.includes("cluster_state:ok")) ? true : undefined;
    };
    await until("cluster_state:ok on every node", 20_000, allOk);
    if (replicas > 0) {
      await until("every replica synced", 20_000, async () => {
        const infos = await Promise.all(ports.map((p) => ask(p, (r) => r.info("replication"))));
        const replicaInfos = infos.filter((i) => i.includes("role:slave"));
        return replicaInfos.length === masters * replicas && replicaInfos.every((i) => i.includes("master_link_status:up")) ? true : undefined;
      });
    }
    const masterOf = async (key: string): Promise<number> => {
      const [p] = running();
      return ask(p!, async (r) => {
        const slot = (await r.cluster("KEYSLOT", key)) as number;
        const ranges = await r.cluster("SLOTS");
        const range = ranges.find(([from, to]) => slot >= from && slot <= to);
        const master = range?.[2];
        if (master === undefined) throw new Error(`slot ${slot} is served by no node`);
        return master[1];
      });
    };
    return {
      nodes: ports.map((port) => ({ port, pid: procs.get(port)!.pid! })),
      seeds: ports.map((p) => `127.0.0.1:${p}`).join(","),
      masterOf,
      kill: async (port) => {
        const proc = procs.get(port);
        if (proc === undefined) throw new Error(`no cluster node on port ${port}`);
        proc.kill("SIGKILL");
        await exited(proc);
      },
      waitForFailover: (key, notPort, timeoutMs = 20_000) =>
        until(`a new master for ${key}`, timeoutMs, async () => {
          if ((await allOk()) === undefined) return undefined;
          const port = await masterOf(key);
          return port !== notPort ? port : undefined;
        }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
