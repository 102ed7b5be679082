/** The part of autocannon 9's API the benchmarks use (the package ships no types). */
declare module 'autocannon' {
  type Histogram = { average: number; mean: number; stddev: number; min: number; max: number; p50: number; p90: number; p99: number; total: number };
  /** A finished run. */
  export type Result = { requests: Histogram; latency: Histogram; throughput: Histogram; errors: number; timeouts: number; non2xx: number; '2xx': number; duration: number };
  /** Options for one run. */
  export type Options = { url: string; connections?: number; duration?: number; pipelining?: number; headers?: Record<string, string>; method?: string; timeout?: number };
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
