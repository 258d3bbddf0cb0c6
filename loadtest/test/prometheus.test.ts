/** The exposition parser accepts what prom-client writes and refuses malformed text; options stay on this machine. */
import { describe, expect, it } from "vitest";
import { Counter, Histogram, Registry } from "prom-client";
import { PrometheusParseError, parsePrometheus, quantileBetween, total } from "../src/prometheus.ts";
import { OptionsError, parseOptions } from "../src/options.ts";

describe("Prometheus text parser", () => {
  it("reads counters with labels and histograms", async () => {
    const registry = new Registry();
    const c = new Counter({ name: "x_total", help: "x", labelNames: ["kind"], registers: [registry] });
    c.inc({ kind: "a" }, 2);
    c.inc({ kind: "b \"q\"" }, 3);
    const h = new Histogram({ name: "h_seconds", help: "h", buckets: [1, 2, 4], registers: [registry] });
    [0.5, 1.5, 1.5, 3].forEach((v) => h.observe(v));
    const families = parsePrometheus(await registry.metrics());
    expect(total(families, "x_total")).toBe(5);
    expect(total(families, "x_total", { kind: "b \"q\"" })).toBe(3);
    expect(families.get("h_seconds")?.type).toBe("histogram");
    expect(total(families, "h_seconds_count")).toBe(4);
    expect(quantileBetween([], [[1, 1], [2, 3], [4, 4], [Infinity, 4]], 0.5)).toBeCloseTo(1.5);
  });

  it("refuses malformed lines and inconsistent histograms", () => {
    expect(() => parsePrometheus("# TYPE a counter\na{x=1} 2\n")).toThrow(PrometheusParseError);
    expect(() => parsePrometheus("a one\n")).toThrow(PrometheusParseError);
    expect(() => parsePrometheus("# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n")).toThrow(PrometheusParseError);
    expect(() => parsePrometheus("# TYPE c counter\nc -1\n")).toThrow(PrometheusParseError);
  });
});

describe("load-test options", () => {
  it("sends load only to this machine and bounds counts and time", () => {
    expect(parseOptions(["--bots", "5", "--endpoint", "http://127.0.0.1:3000"]).options.endpoints).toEqual(["http://127.0.0.1:3000"]);
    expect(() => parseOptions(["--endpoint", "http://example.com:2567"])).toThrow(OptionsError);
    expect(() => parseOptions(["--endpoint", "http://10.0.0.1:2567"])).toThrow(OptionsError);
    expect(() => parseOptions(["--bots", "100000"])).toThrow(OptionsError);
    expect(() => parseOptions(["--duration", "0"])).toThrow(OptionsError);
    expect(() => parseOptions(["--decode", "sometimes"])).toThrow(OptionsError);
  });
});
