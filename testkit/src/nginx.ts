/** nginx in the foreground with its own prefix and config, for the TLS and proxy tests. */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

/**
 * A fresh nginx prefix directory: its temp folders (writable by the worker user) and a self-signed
 * certificate for 127.0.0.1 and localhost (`cert.pem`, `key.pem`), for a TLS server block.
 */
export function nginxPrefix(name: string): string {
  requireBinary("openssl");
  const dir = mkdtempSync(join(tmpdir(), `arena-${name}-`));
  chmodSync(dir, 0o755); // nginx workers may run as another user
  for (const d of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) {
    mkdirSync(join(dir, d));
    chmodSync(join(dir, d), 0o777);
  }
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
    "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], { stdio: "ignore" });
  return dir;
}
