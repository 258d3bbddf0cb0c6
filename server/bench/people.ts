/**
 * `npm run bench:people`: three figures of people and live updates.
 * - Invite latency A→B: two game processes on one real redis-server; the
 *   invitee's lobby connection is on B, the inviter calls POST /api/invites on
 *   A; timed from the request to the toast's message arriving on B (p50/p99
 *   over BENCH_INVITES, default 200; each invite is declined before the next).
 * - Fan-out cost: BENCH_PEOPLE (default 1,000) people hold a notification
 *   stream open on B; one notification is sent to each (through the Redis
 *   presence, as any process would); B's CPU time (from /proc) from the first
 *   send to the last arrival.
 * - Status page bytes per second per viewer: one /api/status/stream reader
 *   on A for BENCH_STATUS_S (default 10) seconds.
 */
import { loadavg } from "node:os";
import { JoinClient } from "@arena/shared/sdk";
import { RedisPresence } from "@colyseus/redis-presence";
import { PeopleMessage, ROOM_ARENA, ROOM_LOBBY, type Notification } from "@arena/shared";
import { createLogger } from "../src/log.ts";
import { Notifications } from "../src/people/Notifications.ts";
import { guestToken, machineLine, quantile, sampleProcess, spawnServer, startRedis, writeSection } from "@arena/testkit/remote";

const INVITES = Number(process.env.BENCH_INVITES ?? 200);
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 1000);
const STATUS_S = Number(process.env.BENCH_STATUS_S ?? 10);

const userIdOf = (token: string): string => (JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { sub: string }).sub;
const redis = await startRedis();
const a = await spawnServer({ REDIS_URL: redis.url });
const b = await spawnServer({ REDIS_URL: redis.url, SSE_MAX_PER_ADDRESS: String(PEOPLE + 10), SSE_MAX_STREAMS: String(PEOPLE + 10)});
const presence = new RedisPresence(redis.url);
const aborts: AbortController[] = [];
let body = "";
try {
  // 1. Invite latency.
  const host = new JoinClient(a.url);
  const hostToken = await guestToken(a.url, "host");
  host.auth.token = hostToken;
  const room = await host.create(ROOM_ARENA, { name: "host" });
  room.onMessage("*", () => {});
  const friendToken = await guestToken(b.url, "friend");
  const friendClient = new JoinClient(b.url);
  friendClient.auth.token = friendToken;
  const lobby = await friendClient.create(ROOM_LOBBY, {});
  lobby.onMessage("*", () => {});
  let arrived: ((n: Notification) => void) | undefined;
  lobby.onMessage(PeopleMessage.Notification, (n: Notification) => arrived?.(n));
  const latencies: number[] = [];
  for (let i = 0; i < INVITES; i++) {
    const got = new Promise<Notification>((resolve) => (arrived = resolve));
    const t0 = performance.now();
    const res = await fetch(`${a.url}/api/invites`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${hostToken}` }, body: JSON.stringify({ to: userIdOf(friendToken), roomId: room.roomId }) });
    if (res.status !== 201) throw new Error(`invite ${i}: ${res.status} ${await res.text()}`);
    const note = await got;
    latencies.push(performance.now() - t0);
    if (note.kind !== "invite") throw new Error("not an invite");
    await fetch(`${b.url}/api/invites/${note.inviteId}/answer`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${friendToken}` }, body: JSON.stringify({ accept: false }) });
  }
  await lobby.leave();
  await room.leave();

  // 2. Fan-out: PEOPLE open streams on B, one notification each.
  const people: { userId: string; got: Promise<void> }[] = [];
  for (let i = 0; i < PEOPLE; i++) {
    const token = await guestToken(b.url, `p${i}`);
    const { ticket } = (await (await fetch(`${b.url}/api/notifications/ticket`, { method: "POST", headers: { authorization: `Bearer ${token}` } })).json()) as { ticket: string };
    const abort = new AbortController();
    aborts.push(abort);
    const res = await fetch(`${b.url}/api/notifications/stream?ticket=${encodeURIComponent(ticket)}`, { signal: abort.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let ready!: () => void;
    const subscribed = new Promise<void>((r) => (ready = r));
    const got = (async () => {
      let text = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        text += decoder.decode(value, { stream: true });
        // The stream subscribes before it sends its inbox line.
        if (text.includes("event: inbox")) ready();
        if (text.includes("event: notification")) return;
      }
    })();
    got.catch(() => undefined);
    await subscribed;
    people.push({ userId: userIdOf(token), got });
  }
  const notes = new Notifications(presence, createLogger("silent"));
  const cpu0 = sampleProcess(b.pid).cpuSeconds;
  const t0 = performance.now();
  await Promise.all(people.map((p) => notes.send(p.userId, { kind: "server_restarting", message: "bench" })));
  await Promise.all(people.map((p) => p.got));
  const fanoutMs = performance.now() - t0;
  const fanoutCpuMs = (sampleProcess(b.pid).cpuSeconds - cpu0) * 1000;
  for (const ab of aborts) ab.abort();

  // 3. Status stream bytes per second per viewer.
  const abort = new AbortController();
  const res = await fetch(`${a.url}/api/status/stream`, { signal: abort.signal });
  const reader = res.body!.getReader();
  // The opening history (up to two minutes of samples) is counted apart from the steady once-a-second flow.
  let text = "";
  while (!text.includes("event: history")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("status stream ended");
    text += new TextDecoder().decode(value);
  }
  const openingBytes = Buffer.byteLength(text);
  let bytes = 0;
  const start = performance.now();
  const until = start + STATUS_S * 1000;
  while (performance.now() < until) {
    const { value, done } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
  }
  abort.abort();
  const statusBps = bytes / ((performance.now() - start) / 1000);
  const load = loadavg()[0]!.toFixed(1);

  body = `## People: invites, notification fan-out, status stream (\`npm run bench:people\`)

${machineLine()}, load average ${load} while measured (a shared machine). Two game processes on one redis-server.
- Invite A→B (POST /api/invites on A until the \`notification\` message reaches the invitee's lobby connection on B), ${INVITES} invites one after another: **p50 ${quantile(latencies, 0.5).toFixed(1)} ms, p99 ${quantile(latencies, 0.99).toFixed(1)} ms**, max ${Math.max(...latencies).toFixed(1)} ms.
- Fan-out: ${PEOPLE} people with a notification stream open on B, one notification each (kept in Redis and published on each person's channel): all delivered in ${fanoutMs.toFixed(0)} ms; **B's CPU ${fanoutCpuMs.toFixed(0)} ms** (${(fanoutCpuMs * 1000 / PEOPLE).toFixed(0)} µs per notification; /proc user+system, 10 ms resolution).
- Status page: **${statusBps.toFixed(0)} bytes/s per viewer** (one /api/status/stream reader for ${STATUS_S} s, one sample a second), after an opening history of ${openingBytes} bytes.`;
} finally {
  for (const ab of aborts) ab.abort();
  presence.shutdown();
  await Promise.all([a.kill("SIGTERM"), b.kill("SIGTERM")]);
  await redis.stop();
}
process.stdout.write(body + "\n");
writeSection("people", body);
process.exit(0);
