/** nginx in the foreground with its own prefix and config, for the TLS and proxy tests. */
import { exited, requireBinary, spawnTracked } from "./processes.ts";

export interface NginxProcess {
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts `nginx -p prefix -c conf`; ready once `healthUrl` answers through it (polled: nginx logs nothing when ready). */
export async function startNginx(prefix: string, confPath: string, port: number, healthUrl: string): Promise<NginxProcess> {
  const bin = requireBinary("nginx");
  const proc = spawnTracked(bin, ["-p", prefix, "-c", confPath]);
  const errors: string[] = [];
  proc.stderr!.on("data", (c: Buffer) => errors.push(c.toString()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`nginx exited (${proc.exitCode}): ${errors.join("")}`);
    try {
      const res = await fetch(healthUrl);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`nginx not ready: ${errors.join("")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    stop: async () => {
      proc.kill("SIGQUIT");
      await exited(proc);
    },
  };
}
