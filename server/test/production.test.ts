/**
 * The production start: `server/build.ts` compiles the server and shared/ into one JavaScript file that
 * plain Node runs (no tsx, no TypeScript at run time), and that process serves the API and the client.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const SERVER_DIR = fileURLToPath(new URL("..", import.meta.url));
let proc: ChildProcess | undefined;

afterAll(() => {
  proc?.kill("SIGKILL");
});

/** Resolves with the port of the "listening" line, or rejects with what the process said if it exits first. */
function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const said: string[] = [];
    child.stderr!.on("data", (chunk: Buffer) => said.push(chunk.toString()));
    child.once("exit", (code) => reject(new Error(`server exited (${code}): ${said.join("")}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === "listening" && entry.port !== undefined) resolve(entry.port);
    });
  });
}

describe("production start", () => {
  it("runs the compiled server on plain Node: /health answers and / serves the client", async () => {
    const build = spawnSync(process.execPath, ["--import", "tsx", "build.ts"], { cwd: SERVER_DIR, encoding: "utf8" });
    expect(build.status, build.stderr).toBe(0);

    // No --import tsx: a TypeScript file left in the bundle's imports would fail here.
    proc = spawn(process.execPath, ["dist/main.js"], {
      cwd: SERVER_DIR,
      env: { PATH: process.env.PATH, PORT: "0", HOST: "127.0.0.1", AUTH_SECRET: "production-test-secret-0123456789-abc" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const port = await listeningPort(proc);

    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(await page.text()).toContain("<title>Arena</title>");
    const guest = await fetch(`http://127.0.0.1:${port}/api/auth/guest`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "prod" }),
    });
    expect(guest.status).toBe(200);
  });
});
