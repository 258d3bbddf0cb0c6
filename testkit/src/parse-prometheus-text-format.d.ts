/** Types for parse-prometheus-text-format 1.1 (the package ships none): values stay strings, as in the text. */
declare module "parse-prometheus-text-format" {
  export interface ParsedSample {
    readonly labels?: Readonly<Record<string, string>>;
    /** Counters, gauges and untyped samples. */
    readonly value?: string;
    /** Histograms: cumulative counts by upper bound ("+Inf" last). */
    readonly buckets?: Readonly<Record<string, string>>;
    /** Summaries: values by quantile. */
    readonly quantiles?: Readonly<Record<string, string>>;
    readonly count?: string;
    readonly sum?: string;
  }
  export interface ParsedFamily {
    readonly name: string;
    readonly help: string;
    readonly type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
    readonly metrics: readonly ParsedSample[];
  }
  export default function parsePrometheusTextFormat(text: string): ParsedFamily[];
}
