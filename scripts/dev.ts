/** `npm run dev`: the game server (restarted on change) and Vite (hot reload) together; Ctrl-C stops both. */
import { spawn, type ChildProcess } from "node:child_process";

const children: ChildProcess[] = [
  spawn("npx", ["tsx", "watch", "server/src/main.ts"], { stdio: "inherit", env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "info" } }),
  spawn("npx", ["vite", "client", "--port", process.env.VITE_PORT ?? "5173"], { stdio: "inherit" }),
];
let stopping = false;
const stop = (code: number): void => {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill("SIGTERM");
  process.exitCode = code;
};
for (const c of children) c.on("exit", (code) => stop(code ?? 0));
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));
