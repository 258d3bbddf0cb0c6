/** What the status page charts: each chart's title, series and how to read a sample into them. */
import type { StatusSample } from "@arena/shared";

export interface ChartSpec {
  id: string;
  title: string;
  unit: string;
  series: { label: string; color: string; value: (s: StatusSample) => number }[];
}

export const CHARTS: readonly ChartSpec[] = [
  { id: "people", title: "People online", unit: "", series: [{ label: "people", color: "#6cc4ff", value: (s) => s.people }] },
  {
    id: "rooms", title: "Rooms and matches", unit: "", series: [
      { label: "rooms", color: "#ffd166", value: (s) => s.rooms },
      { label: "matches in progress", color: "#ef476f", value: (s) => s.matches },
    ],
  },
  { id: "joins", title: "Joins per second", unit: "/s", series: [{ label: "joins/s", color: "#06d6a0", value: (s) => s.joinsPerSecond }] },
  { id: "step", title: "Step time p99 (worst process)", unit: "ms", series: [{ label: "p99 ms", color: "#f78c6b", value: (s) => s.stepP99Ms }] },
  {
    id: "bandwidth", title: "Bandwidth", unit: "kB/s", series: [
      { label: "out kB/s", color: "#b388ff", value: (s) => s.bytesOutPerSecond / 1000 },
      { label: "in kB/s", color: "#80cbc4", value: (s) => s.bytesInPerSecond / 1000 },
    ],
  },
];

/** Longest history drawn (seconds). */
export const WINDOW = 300;
