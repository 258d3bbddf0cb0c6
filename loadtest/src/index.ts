/** The load-test bots and runner, for the CLI, the benchmark and the tests. */
export { runLoad, LoadRun, type Progress, type RunHooks } from "./run.ts";
export { resolveOptions, parseOptions, checkEndpoint, OptionsError, DEFAULTS, LIMITS, type LoadOptions, type DecodeMode } from "./options.ts";
export { quantile, type LoadSummary } from "./stats.ts";
export { parsePrometheus, scrape, total, buckets, quantileBetween, PrometheusParseError, type MetricFamily, type Sample } from "./prometheus.ts";
