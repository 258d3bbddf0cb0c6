/**
 * The live status page (/status): the cluster's figures, pushed once a second
 * over GET /api/status/stream, drawn with uPlot. The stream opens with the
 * last two minutes; the browser's EventSource reconnects by itself.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { StatusSample } from "@arena/shared";
import { CHARTS, WINDOW, type ChartSpec } from "./charts.ts";

const samples: StatusSample[] = [];
const root = document.querySelector<HTMLElement>("[data-testid=charts]")!;
const summary = document.querySelector<HTMLElement>("[data-testid=status-summary]")!;

interface Drawn {
  spec: ChartSpec;
  plot: uPlot;
  last: HTMLElement;
}

const width = (): number => Math.max(240, Math.min(root.clientWidth, 640) - 8);

const drawn: Drawn[] = CHARTS.map((spec) => {
  const box = document.createElement("section");
  box.className = "chart";
  box.dataset.testid = `chart-${spec.id}`;
  const title = document.createElement("h2");
  const last = document.createElement("span");
  last.className = "last";
  last.dataset.testid = `last-${spec.id}`;
  title.append(spec.title, " ", last);
  box.append(title);
  root.append(box);
  const plot = new uPlot({
    width: width(),
    height: 180,
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
    axes: [{ stroke: "#9aa4b5", grid: { stroke: "#2a303c" } }, { stroke: "#9aa4b5", grid: { stroke: "#2a303c" } }],
    series: [{}, ...spec.series.map((s) => ({ label: s.label, stroke: s.color, width: 2 }))],
  }, [[], ...spec.series.map(() => [])], box);
  return { spec, plot, last };
});

function redraw(): void {
  const xs = samples.map((s) => s.t);
  for (const d of drawn) {
    d.plot.setData([xs, ...d.spec.series.map((s) => samples.map(s.value))]);
    const latest = samples.at(-1);
    d.last.textContent = latest === undefined ? "" : d.spec.series.map((s) => `${round(s.value(latest))}${d.spec.unit}`).join(" / ");
  }
  const latest = samples.at(-1);
  if (latest !== undefined) summary.textContent = `${latest.people} people, ${latest.matches} matches on ${latest.processes} process${latest.processes === 1 ? "" : "es"} · ${new Date(latest.t * 1000).toLocaleTimeString()}`;
}

const round = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(v >= 10 ? 1 : 2).replace(/\.?0+$/, "") || "0");

function add(sample: StatusSample): void {
  if (samples.length > 0 && sample.t <= samples.at(-1)!.t) return;
  samples.push(sample);
  while (samples.length > WINDOW) samples.shift();
}

const stream = new EventSource("/api/status/stream");
stream.addEventListener("history", (e) => {
  for (const s of JSON.parse((e as MessageEvent<string>).data) as StatusSample[]) add(s);
  redraw();
});
stream.addEventListener("sample", (e) => {
  add(JSON.parse((e as MessageEvent<string>).data) as StatusSample);
  redraw();
});
stream.addEventListener("error", () => {
  summary.textContent = "Reconnecting…";
});
window.addEventListener("resize", () => {
  for (const d of drawn) d.plot.setSize({ width: width(), height: 180 });
});

/** Test hook: the samples drawn so far. */
Object.assign(window, { __status: { samples: () => samples.slice() } });
