/** The strict Prometheus text parser lives in the testkit (tests read /metrics with it too). */
export * from "@arena/testkit/prometheus";
