/**
 * `npm run bench:voice`: proximity voice in Chromium on loopback. Time from
 * pressing the mic button to the first audio energy at the peer (20 tries),
 * signaling messages per connection, and the server time spent relaying
 * signaling while five pages talk. The fake microphone plays a continuous
 * tone from a file written here, so "first energy" measures the connection,
 * not the gap between the default fake device's beeps. Writes
 * docs/BENCHMARKS.md. Bounded (~2 min), 127.0.0.1 only.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join as joinPath } from "node:path";
import type { Browser, Page } from "playwright-core";
import { matchMaker } from "@colyseus/core";
import { VOICE_MAX_PEERS, VOICE_SET_INTERVAL_MS, type ArenaState } from "@arena/shared";
import { DEFAULT_CLIENT_DIR, machineLine, quantile, startTestServer, writeSection } from "@arena/testkit";
import type { ArenaRoom } from "../../server/src/rooms/arena/ArenaRoom.ts";
import { FAKE_MEDIA_ARGS, OUTPUT_DIR, launchBrowser, waitForScreen } from "../test/e2e/browser.ts";

const TRIES = 20;
const SESSION_MS = 10_000;

/** A mono 16-bit WAV of a 440 Hz tone (Chromium loops it as the fake microphone). */
function toneWav(path: string, seconds = 5, rate = 48_000): void {
  const samples = seconds * rate;
  const buf = Buffer.alloc(44 + samples * 2);
  buf.write("RIFF", 0);
  buf.writeUInt32LE(36 + samples * 2, 4);
  buf.write("WAVEfmt ", 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write("data", 36);
  buf.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) buf.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 8000), 44 + i * 2);
  writeFileSync(path, buf);
}

mkdirSync(OUTPUT_DIR, { recursive: true });
const tone = joinPath(OUTPUT_DIR, "voice-bench-tone.wav");
toneWav(tone);

const server = await startTestServer({}, { clientDir: DEFAULT_CLIENT_DIR, match: { warmupSeconds: 3600 } });
const browser = await launchBrowser([...FAKE_MEDIA_ARGS, `--use-file-for-fake-audio-capture=${tone}`]);

interface Player {
  page: Page;
  id: string;
  roomId: string;
}

async function join(b: Browser, name: string, roomId?: string): Promise<Player> {
  const page = await b.newPage({ viewport: { width: 480, height: 320 } });
  await page.goto(`${server.url}/?name=${name}${roomId ? `&join=${roomId}` : "&quick=1"}`);
  await waitForScreen(page, "game");
  const [id, joined] = await page.evaluate(() => [(window as any).__arena.session().sessionId, (window as any).__arena.session().room.roomId]);
  return { page, id, roomId: joined };
}

function room(roomId: string): ArenaRoom & { state: ArenaState } {
  return matchMaker.getLocalRoomById(roomId) as unknown as ArenaRoom & { state: ArenaState };
}

function place(p: Player, x: number, y: number): void {
  const player = room(p.roomId).state.players.get(p.id)!;
  player.x = x;
  player.y = y;
}

/** Epoch ms at which `listener` first measures audio energy from `speaker` (polled every 10 ms in the page). */
function firstEnergyAt(listener: Page, speaker: string): Promise<number> {
  // A string, not a function: tsx would name the inner function with a helper the page does not have.
  return listener.evaluate(`new Promise(function (resolve, reject) {
    var started = Date.now();
    function poll() {
      var link = window.__arena.voice() && window.__arena.voice().peer(${JSON.stringify(speaker)});
      (link ? link.stats() : Promise.resolve(undefined)).then(function (s) {
        if (s && s.totalAudioEnergy > 0) return resolve(performance.timeOrigin + performance.now());
        if (Date.now() - started > 15000) return reject(new Error("no audio within 15 s"));
        setTimeout(poll, 10);
      });
    }
    poll();
  })`) as Promise<number>;
}

/** Clicks the mic button and returns the epoch ms of the click, as the page saw it. */
async function pressMic(p: Player): Promise<number> {
  await p.page.evaluate(() => {
    const b = document.querySelector('[data-testid="mic-button"]')!;
    b.addEventListener("click", () => ((window as any).__pressedAt = performance.timeOrigin + performance.now()), { once: true });
  });
  await p.page.getByTestId("mic-button").click();
  return p.page.evaluate(() => (window as any).__pressedAt as number);
}

try {
  // Two players in range; the listener keeps its mic on, the speaker turns its own on and off.
  const speaker = await join(browser, "speaker");
  const listener = await join(browser, "listener", speaker.roomId);
  place(speaker, 600, 500);
  place(listener, 700, 500);
  await pressMic(listener);
  const stats = room(speaker.roomId).voiceStats;
  const delays: number[] = [];
  const perLink: number[] = [];
  for (let i = 0; i < TRIES; i++) {
    const relayedBefore = stats.relayed;
    const heard = firstEnergyAt(listener.page, speaker.id);
    const pressed = await pressMic(speaker);
    delays.push((await heard) - pressed);
    // Let the candidates that trail the first audio arrive before counting.
    await listener.page.waitForFunction((id) => (window as any).__arena.voice().peer(id)?.pc.iceGatheringState === "complete", speaker.id, { timeout: 10_000 }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    perLink.push(stats.relayed - relayedBefore);
    await pressMic(speaker); // off: the link closes
    await listener.page.waitForFunction((id) => (window as any).__arena.voice().peer(id) === undefined, speaker.id, { timeout: 10_000 });
  }
  for (const p of [speaker, listener]) {
    // A consented leave: no seat (and no voice) is held. Dispatched: in this narrow window the
    // notification corner covers the Leave button.
    await p.page.getByTestId("leave").dispatchEvent("click");
    await waitForScreen(p.page, "lobby");
    await p.page.close();
  }

  // Five pages close together, all talking: what relaying their signaling costs the server.
  const first = await join(browser, "s0");
  const five = [first];
  for (let i = 1; i < 5; i++) five.push(await join(browser, `s${i}`, first.roomId));
  five.forEach((p, i) => place(p, 600 + (i % 3) * 80, 500 + Math.floor(i / 3) * 80));
  const sessionStats = room(first.roomId).voiceStats;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const p of five) await pressMic(p);
  for (const p of five) {
    await p.page.waitForFunction((n) => {
      const v = (window as any).__arena.voice();
      return v.peerIds().length === n && v.peerIds().every((id: string) => v.peer(id).pc.connectionState === "connected");
    }, VOICE_MAX_PEERS, { timeout: 30_000 });
  }
  const connectedMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, SESSION_MS));
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const links = (5 * VOICE_MAX_PEERS) / 2;

  const ms = (v: number): string => `${v.toFixed(0)} ms`;
  const body = `## Proximity voice (\`npm run bench:voice\`)

${machineLine()}. Headless Chromium, two pages (then five) of one browser, loopback, no STUN/TURN; the
fake microphone plays a continuous tone.

| measure | value |
| --- | --- |
| mic button → first audio energy at the peer (${TRIES} tries), median | ${ms(quantile(delays, 0.5))} |
| same, p95 | ${ms(quantile(delays, 0.95))} |
| same, min / max | ${ms(Math.min(...delays))} / ${ms(Math.max(...delays))} |
| signaling messages relayed per connection (offer, answer, candidates both ways), median (min–max) | ${quantile(perLink, 0.5)} (${Math.min(...perLink)}–${Math.max(...perLink)}) |
| five pages: all ${links} links connected, counted from the first of the five mic presses | ${ms(connectedMs)} |
| five pages: signaling messages relayed (offers / answers / candidates) / refused | ${sessionStats.relayed} (${sessionStats.offers} / ${sessionStats.answers} / ${sessionStats.candidates}) / ${sessionStats.refused} |
| five pages: server CPU in the signal handler (validate, check, relay) | ${sessionStats.handlerCpuMs.toFixed(1)} ms over ${(elapsedMs / 1000).toFixed(1)} s (${((sessionStats.handlerCpuMs / elapsedMs) * 100).toFixed(3)} % of one core), ${(sessionStats.handlerCpuMs / Math.max(1, sessionStats.relayed + sessionStats.refused) * 1000).toFixed(0)} µs a message |
| five pages: whole benchmark process CPU meanwhile (server, game loop, and the browser driver) | ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms (${(((cpu.user + cpu.system) / 1000 / elapsedMs) * 100).toFixed(1)} % of one core) |

The delay covers the microphone opening, the room linking the pair (at once on \`voice\`; every
${VOICE_SET_INTERVAL_MS} ms for movement), one offer/answer round through the room, ICE on loopback, DTLS, and the
first packets played. Signaling is a handful of small messages per connection; the media never
touches the server. Delays are wall-clock on a shared machine (other work was running); the handler
figure is CPU time (\`process.cpuUsage\`, which counts every thread of the process while the handler runs).`;
  console.log(body);
  if (process.env.BENCH_NO_WRITE !== "1") writeSection("voice", body);
} finally {
  await browser.close();
  await server.close();
}
