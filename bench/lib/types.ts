/**
 * Shapes shared by the bench runner and its report writer.
 * @module
 */

/** Latency summary in microseconds, as every client prints it. */
export interface Latency {
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
}

/** The JSON line a client prints (see bench/clients/harness.mjs). */
export interface ClientResult {
  driver: string;
  runtime: string;
  workload: string;
  concurrency: number;
  ops: number;
  errors: number;
  rows: number;
  elapsed_s: number;
  ops_per_s: number;
  lat_us: Latency;
  /** user+sys µs of the client process over the measured phase only. */
  cpu_us: number;
  cpu_us_per_op: number | null;
  /** VmHWM at exit, as the client read it. */
  rss_kb: number | null;
}

/** One driver × workload × concurrency run, as the runner records it. */
export interface RunRecord {
  mode: "cassandra" | "null";
  /** The runner's driver id, e.g. `rsylla-deno`. */
  id: string;
  workload: string;
  concurrency: number;
  result: ClientResult | null;
  /** Whole child process, from /usr/bin/time: wall, user+sys CPU seconds, max RSS. */
  proc: { wall_s: number; cpu_s: number; maxrss_kb: number } | null;
  error: string | null;
}

/** How installing or building one peer went. */
export interface PeerStatus {
  peer: string;
  ok: boolean;
  detail: string;
}

/** One decoder measurement from bench/decode_micro.ts. */
export interface DecodeResult {
  impl: string;
  runtime: string;
  rows_per_s?: number;
  ms_per_page?: number;
  error?: string;
}

/** Everything one bench run produced. */
export interface BenchReport {
  started: string;
  finished: string;
  wall_s: number;
  command: string;
  quick: boolean;
  machine: {
    cores: number;
    loadavg_start: number[];
    loadavg_end: number[];
    versions: Record<string, string>;
  };
  settings: Record<string, unknown>;
  peers: PeerStatus[];
  runs: RunRecord[];
  decode: DecodeResult[];
}
