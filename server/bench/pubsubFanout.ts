/**
 * `npx tsx server/bench/pubsubFanout.ts [--subscribers 10,50,170] [--rate 2000] [--seconds 8] [--slice-ms 1]`: what one Redis pays
 * to deliver a PUBLISH to each subscribed process, the unit the capacity plan multiplies by processes × messages
 * (every process subscribes to `$lobby` and to the leaderboard's change channel: docs/OPERATIONS.md). A redis-server
 * of its own; subscribers are raw sockets that discard what they get (so the reading side costs next to nothing and
 * Redis is never held up by a slow reader); one publisher sends --rate messages a second of a lobby notice's size.
 * Prints, per number of subscribers, Redis CPU a second and per delivery (used_cpu_sys + used_cpu_user, CPU time:
 * it does not depend on how busy the machine is, only on what Redis did).
 */
import { connect, type Socket } from "node:net";
import { loadavg } from "node:os";
import { Redis } from "ioredis";
import { startRedis } from "@arena/testkit/remote";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const cpu = (info: string): number =>
  ["used_cpu_sys", "used_cpu_user"].reduce((s, f) => s + Number(new RegExp(`^${f}:([\\d.]+)`, "m").exec(info)?.[1] ?? 0), 0);

async function measure(port: number, subscribers: number, rate: number, seconds: number, sliceMs: number): Promise<{ cpuPerSecond: number; deliveries: number; sent: number }> {
  const socks: Socket[] = [];
  for (let i = 0; i < subscribers; i++) {
    const s = connect(port, "127.0.0.1");
    s.on("data", () => undefined);
    s.write("SUBSCRIBE $lobby\r\n");
    socks.push(s);
  }
  const pub = new Redis({ port, host: "127.0.0.1" });
  // Every subscriber in before the count.
  while (Number((await pub.pubsub("NUMSUB", "$lobby"))[1]) < subscribers) await new Promise((r) => setTimeout(r, 20));
  const notice = JSON.stringify("sim042r1f,0");
  const before = cpu(await pub.info("cpu"));
  const t0 = performance.now();
  let sent = 0;
  // Paced in slices of --slice-ms, each slice's messages pipelined: with 1 ms, Redis sees a message or two per turn
  // of its event loop and writes to every subscriber each turn, as with publishes from many processes.
  while (performance.now() - t0 < seconds * 1000) {
    const due = Math.floor(((performance.now() - t0) / 1000) * rate) - sent;
    if (due > 0) {
      const p = pub.pipeline();
      for (let i = 0; i < due; i++) p.publish("$lobby", notice);
      await p.exec();
      sent += due;
    }
    await new Promise((r) => setTimeout(r, sliceMs));
  }
  const elapsed = (performance.now() - t0) / 1000;
  const used = cpu(await pub.info("cpu")) - before;
  pub.disconnect();
  for (const s of socks) s.destroy();
  return { cpuPerSecond: used / elapsed, deliveries: (sent * subscribers) / elapsed, sent: sent / elapsed };
}

const redis = await startRedis();
try {
  const rate = Number(arg("rate", "2000"));
  const seconds = Number(arg("seconds", "8"));
  process.stdout.write(`load average ${loadavg()[0]!.toFixed(1)}\n| subscribers | messages/s | deliveries/s | Redis CPU (one core = 100 %) | CPU per delivery |\n|---|---|---|---|---|\n`);
  for (const n of arg("subscribers", "10,50,170").split(",").map(Number)) {
    const r = await measure(redis.port, n, rate, seconds, Number(arg("slice-ms", "1")));
    process.stdout.write(`| ${n} | ${r.sent.toFixed(0)} | ${(r.deliveries / 1000).toFixed(0)}k | ${(r.cpuPerSecond * 100).toFixed(1)} % | ${((r.cpuPerSecond / r.deliveries) * 1e6).toFixed(2)} µs |\n`);
  }
  process.stdout.write(`load average ${loadavg()[0]!.toFixed(1)}\n`);
} finally {
  await redis.stop();
}
