/**
 * The replay viewer (/replay/<id>?t=<seconds>): fetches the recording, checks all of it (ReplayReader.open)
 * and plays it in the game's look (ReplayScene) with its controls (controls.ts). A recording that does not
 * open is refused with the reader's message; nothing of it is drawn.
 */
import Phaser from "phaser";
import type { ReplayEvent } from "@arena/shared/replay";
import { storedToken } from "../people/identity.ts";
import { byTestId } from "../ui/dom.ts";
import { parseReplayAddress } from "./address.ts";
import { ReplayControls } from "./controls.ts";
import { describeLoadError, loadReplay } from "./load.ts";
import { Playback } from "./playback.ts";
import { ReplayScene } from "./ReplayScene.ts";
import { gameConfig } from "../game/gameConfig.ts";

function fail(message: string): void {
  byTestId("replay-status").hidden = true;
  byTestId("replay-error-message").textContent = message;
  byTestId("replay-error").hidden = false;
}

async function boot(): Promise<void> {
  const address = parseReplayAddress(location.pathname, location.search);
  if (address === undefined) return fail("This is not a replay's address: /replay/<id> (the lobby lists the replays).");
  let playback: Playback;
  try {
    const reader = await loadReplay(location.origin, address.id, storedToken());
    playback = new Playback(reader);
    if (address.t > 0) playback.seek(playback.tickAt(address.t));
  } catch (e) {
    return fail(describeLoadError(e));
  }
  const reader = playback.reader;
  const scene = new ReplayScene(playback, reader.header.map);
  const kills = reader.events.filter((e): e is Extract<ReplayEvent, { type: "kill" }> => e.type === "kill");
  new ReplayControls(playback, scene, kills);
  byTestId("replay-status").hidden = true;
  byTestId("replay-panel").hidden = false;
  byTestId("replay-scoreboard").hidden = false;
  document.title = `Arena replay · ${new Date(reader.header.startedAt).toLocaleString()}`;
  const game = new Phaser.Game(gameConfig("replay-game", scene));
  /** Test and debugging hooks: what is shown, and when the first frame was drawn (ms from the navigation's start). */
  Object.assign(window, {
    __replay: {
      game,
      playback,
      scene,
      tick: () => playback.tick,
      following: () => scene.follow,
      frames: () => scene.frames,
      get firstFrameAt() {
        return scene.firstFrameAt;
      },
      get firstTick() {
        return scene.firstTick;
      },
      camera: () => ({ x: scene.cameras.main.midPoint.x, y: scene.cameras.main.midPoint.y }),
    },
  });
}

void boot();
