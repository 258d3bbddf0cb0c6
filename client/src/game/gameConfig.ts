/**
 * The Phaser settings the game page and the replay viewer share: WebGL on a full-window canvas that follows resizes.
 *
 * No multisampling (`antialiasGL: false`). What is drawn is baked textures (bakedLook.ts: bodies, shots, the arena)
 * filtered linearly (`antialias` stays on), axis-aligned grid and wall lines, and text: the edges multisampling would
 * smooth are already smooth in the textures, and screenshots of a match with and without it show no difference. It
 * only cost fill rate: drawn in software (SwiftShader, as in CI and on machines without a GPU) a match at 1000×700
 * and 10 frames a second took 0.49 of a core in Chromium's GPU process with it and 0.33 without (5 s of a match, two
 * runs each), and a phone's GPU pays for it too.
 */
import Phaser from "phaser";

export function gameConfig(parent: string, scene: Phaser.Scene): Phaser.Types.Core.GameConfig {
  return {
    type: Phaser.WEBGL,
    parent,
    backgroundColor: "#11141a",
    scale: { mode: Phaser.Scale.RESIZE, width: window.innerWidth, height: window.innerHeight },
    scene: [scene],
    banner: false,
    antialiasGL: false,
  };
}
