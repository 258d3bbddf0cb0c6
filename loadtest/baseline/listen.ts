/** The HTTP side both baseline servers share: a guest sign-in stub, a health check, and the "listening" log line the benchmark waits for. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sendTimer } from "./sendTimer.ts";

export async function listen(name: string): Promise<Server> {
  const server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    // /health also says what the send loop is set to and did, by its own count (the benchmark reads it per window).
    res.end(JSON.stringify(req.url === "/health" ? { status: "ok", baseline: name, send: sendTimer.read() } : { error: "not_found" }));
  });
  const port = Number(process.env.PORT ?? 0);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level: "info", msg: "listening", baseline: name, port: address.port }) + "\n");
  const stop = (): void => {
    server.close();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  return server;
}
