/**
 * deploy/: the Prometheus scrape config passes `promtool check config`, and
 * every query of the Grafana dashboard is valid PromQL naming only metrics a
 * running process serves on /metrics.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, readMetrics, startTestServer, type RunningServer } from "@arena/testkit";

const PROMETHEUS = join(REPO_ROOT, "deploy/prometheus/prometheus.yml");
const DASHBOARD = join(REPO_ROOT, "deploy/grafana/arena-dashboard.json");

function promtool(...args: string[]): { status: number | null; out: string } {
  const found = spawnSync("sh", ["-c", "command -v promtool"], { encoding: "utf8" });
  if (found.status !== 0) throw new Error("promtool is not installed; install it with: apt-get install -y prometheus");
  const run = spawnSync("promtool", args, { encoding: "utf8" });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

interface Dashboard {
  panels: { title: string; targets: { expr: string }[] }[];
}

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe("deploy: Prometheus and Grafana", () => {
  it("has a scrape config that promtool accepts", () => {
    const { status, out } = promtool("check", "config", PROMETHEUS);
    expect(out).toContain("SUCCESS");
    expect(status).toBe(0);
  });

  it("has a dashboard whose queries parse and name only metrics the server serves", async () => {
    const served = await readMetrics(server.url);
    const names = new Set([...served.families.values()].flatMap(({ name, type }) =>
      type === "histogram" ? [`${name}_bucket`, `${name}_count`, `${name}_sum`] : [name]));
    const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as Dashboard;
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(6);
    for (const panel of dashboard.panels) {
      for (const { expr } of panel.targets) {
        // promtool parses PromQL in a rules file: one recording rule per query.
        const metrics = [...expr.matchAll(/\b(arena_[a-z_]+)\b/g)].map((m) => m[1]!);
        expect(metrics.length, panel.title).toBeGreaterThan(0);
        for (const m of metrics) expect(names, `${panel.title}: ${m}`).toContain(m);
      }
    }
    const rules = `groups:\n  - name: dashboard\n    rules:\n${dashboard.panels.flatMap((p, i) => p.targets.map((t, j) => `      - record: dashboard:panel${i}_${j}\n        expr: ${JSON.stringify(t.expr)}\n`)).join("")}`;
    const file = join(REPO_ROOT, "test-output", "dashboard-rules.yml");
    mkdirSync(join(REPO_ROOT, "test-output"), { recursive: true });
    writeFileSync(file, rules);
    const { status, out } = promtool("check", "rules", file);
    expect(out).toContain("SUCCESS");
    expect(status).toBe(0);
  });
});
