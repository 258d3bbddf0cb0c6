/** readMetrics' parser: an exposition (as prom-client writes one) read back as sums over label sets, histograms by their suffixes. */
import { describe, expect, it } from "vitest";
import { parseMetrics } from "../src/metrics.ts";

const TEXT = `# HELP t_closes_total h
# TYPE t_closes_total counter
t_closes_total{code="1000"} 3
t_closes_total{code="4400"} 2

# HELP t_size_bytes h
# TYPE t_size_bytes histogram
t_size_bytes_bucket{le="10"} 1
t_size_bytes_bucket{le="100"} 2
t_size_bytes_bucket{le="+Inf"} 3
t_size_bytes_sum 555
t_size_bytes_count 3

# HELP t_rooms h
# TYPE t_rooms gauge
t_rooms 4
`;

describe("parseMetrics", () => {
  it("sums a counter over label sets or picks one, reads a gauge, and a histogram's _count, _sum and _bucket", () => {
    const m = parseMetrics(TEXT);
    expect(m.value("t_closes_total")).toBe(5);
    expect(m.value("t_closes_total", { code: "4400" })).toBe(2);
    expect(m.value("t_rooms")).toBe(4);
    expect(m.value("t_size_bytes_count")).toBe(3);
    expect(m.value("t_size_bytes_sum")).toBe(555);
    expect(m.value("t_size_bytes_bucket", { le: "100" })).toBe(2);
    expect(m.value("t_missing_total")).toBe(0);
  });
});
