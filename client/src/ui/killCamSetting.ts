/** The lobby's kill-cam checkbox, bound to the setting the scene reads (killCam.ts keeps it in localStorage). */
import type { KillCamSetting } from "../game/killCam.ts";
import { byTestId } from "./dom.ts";

export function bindKillCamSetting(setting: KillCamSetting): void {
  const box = byTestId<HTMLInputElement>("killcam-setting");
  box.checked = setting.enabled;
  box.addEventListener("change", () => {
    setting.enabled = box.checked;
  });
}
