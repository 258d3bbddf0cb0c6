/**
 * `npm run bench:net`: a real server process on loopback and real SDK clients.
 * Measures join-to-first-state time, the size of the first full state, and
 * patch sizes and downstream bytes per player-second in a full 16-player room
 * where everyone moves, aims and fires. Prints the figures and writes them to
 * docs/BENCHMARKS.md. Bounded: ~20 s, 127.0.0.1 only, stops what it starts.
 */
import { Protocol, type Room as SdkRoom } from "@colyseus/sdk";
import { MAX_PLAYERS, PlayerInput, ROOM_ARENA } from "@arena/shared";
import { machineLine, quantile, signIn, spawnServer, tapFrames, waitForState, writeSection } from "@arena/testkit/remote";

const PLAY_SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const JOINS = 2 * MAX_PLAYERS; // two full rooms

// Bytes per frame kind for every SDK room, counted before the SDK decodes them.
interface Traffic { full: number[]; patches: number[]; bytes: number; patchBytes: number; firstStateAt?: number }
const traffic = new WeakMap<object, Traffic>();
function countTraffic(room: SdkRoom): Traffic {
  const t: Traffic = { full: [], patches: [], bytes: 0, patchBytes: 0 };
  traffic.set(room, t);
  tapFrames(room, {
    in: (bytes, code) => {
      t.bytes += bytes.byteLength;
      if (code === Protocol.ROOM_STATE) {
        t.full.push(bytes.byteLength);
        t.firstStateAt ??= performance.now();
      } else if (code === Protocol.ROOM_STATE_PATCH) {
        t.patches.push(bytes.byteLength);
        t.patchBytes += bytes.byteLength;
      }
    },
  });
  return t;
}

const server = await spawnServer({}, { showErrors: true });
const rooms: Array<SdkRoom<any, any>> = [];
const joinMs: number[] = [];
const timers: NodeJS.Timeout[] = [];
try {
  for (let i = 0; i < JOINS; i++) {
    const { client } = await signIn(server.url, `bot${i}`);
    const t0 = performance.now();
    const room = await client.joinOrCreate(ROOM_ARENA, { name: `bot${i}` });
    const t = countTraffic(room);
    await waitForState(room, () => t.firstStateAt !== undefined, 10_000, "first state");
    joinMs.push(t.firstStateAt! - t0);
    room.onMessage("*", () => {}); // kill feed, hits, results: counted as bytes, not used here
    rooms.push(room);
  }
  const full = rooms.slice(0, MAX_PLAYERS);
  for (const room of rooms.slice(MAX_PLAYERS)) await room.leave();

  // Everyone in the full room plays: wander, aim at the next bot, fire.
  full.forEach((room, i) => {
    const input = room.input({ type: PlayerInput });
    let step = 0;
    timers.push(setInterval(() => {
      const me = room.state.players?.get(room.sessionId);
      const next = full[(i + 1) % full.length]!;
      const target = room.state.players?.get(next.sessionId);
      if (step++ % 20 === 0) {
        input.data.mx = Math.round(Math.cos(step + i) * 127);
        input.data.my = Math.round(Math.sin(step * 1.7 + i) * 127);
      }
      if (me !== undefined && target !== undefined) input.data.aim = Math.atan2(target.y - me.y, target.x - me.x);
      input.data.fire = true;
      input.send();
    }, 1000 / 30));
  });
  // Let the match start (warm-up), then measure a steady window.
  await new Promise((r) => setTimeout(r, 7000));
  const before = full.map((r) => ({ bytes: traffic.get(r)!.bytes, patchBytes: traffic.get(r)!.patchBytes, patches: traffic.get(r)!.patches.length }));
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, PLAY_SECONDS * 1000));
  const seconds = (performance.now() - t0) / 1000;
  const perPlayerBps = full.map((r, i) => (traffic.get(r)!.bytes - before[i]!.bytes) / seconds);
  const patchBps = full.map((r, i) => (traffic.get(r)!.patchBytes - before[i]!.patchBytes) / seconds);
  const windowPatches = full.flatMap((r, i) => traffic.get(r)!.patches.slice(before[i]!.patches));
  const patchesPerSecond = windowPatches.length / full.length / seconds;
  const firstFull = rooms.map((r) => traffic.get(r)!.full[0] ?? 0);
  const phase = String(full[0]!.state.phase);

  const f = (n: number, d = 1): string => n.toFixed(d);
  const body = `## Joins and bandwidth on loopback (\`npm run bench:net\`)

${machineLine()}. One server process (\`npm start\` defaults), ${JOINS} SDK clients in this process joining one after another,
then the ${MAX_PLAYERS} players of a full room moving, aiming and firing at 30 inputs/s for ${f(seconds, 0)} s (match phase at the end: ${phase}).

| measure | median | p95 |
| --- | --- | --- |
| join-to-first-state (matchmake + connect + full state) | ${f(quantile(joinMs, 0.5))} ms | ${f(quantile(joinMs, 0.95))} ms |
| first full state, bytes (1 to 16 players in the room) | ${quantile(firstFull, 0.5)} B | ${quantile(firstFull, 0.95)} B |
| state patch, bytes (16 players, combat) | ${quantile(windowPatches, 0.5)} B | ${quantile(windowPatches, 0.95)} B |
| downstream per player, all frames | ${f(quantile(perPlayerBps, 0.5) / 1024, 2)} KB/s | ${f(quantile(perPlayerBps, 0.95) / 1024, 2)} KB/s |
| of which state patches | ${f(quantile(patchBps, 0.5) / 1024, 2)} KB/s | ${f(quantile(patchBps, 0.95) / 1024, 2)} KB/s |

Patches received per player per second: ${f(patchesPerSecond)} (patch rate 20 Hz).`;
  console.log(body);
  if (process.env.BENCH_NO_WRITE !== "1") writeSection("net", body);
} finally {
  timers.forEach(clearInterval);
  await Promise.allSettled(rooms.map((r) => r.connection.isOpen ? r.leave() : Promise.resolve(0)));
  await server.stop();
}
process.exit(0);
