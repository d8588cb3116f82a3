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
  /** The kernel's share of `cpu_us` (JavaScript clients; the others report only the sum). */
  cpu_sys_us?: number;
  /** VmHWM at exit, as the client read it. */
  rss_kb: number | null;
  /** RSS right after the warm-up (every client; runs made before it was added lack it). */
  rss_warm_kb?: number | null;
  /** JS heap used right after the warm-up (JavaScript clients). */
  heap_warm_kb?: number | null;
  /** The `inflight` measurement (see bench/clients/harness.mjs). */
  inflight?: InflightResult;
}

/** Memory of N requests in flight at once, held by the null server. */
export interface InflightResult {
  requests: number;
  held_by_server: number;
  gc_forced: boolean;
  start_ms: number;
  all_held_ms: number;
  base_rss_kb: number;
  base_heap_kb: number;
  rss_kb: number;
  heap_kb: number;
  heap_before_gc_kb: number;
  rss_bytes_per_request: number;
  heap_bytes_per_request: number;
}

/** One driver × workload × concurrency run, as the runner records it. */
export interface RunRecord {
  /** `memory`: the `inflight` measurement against the null cluster. */
  mode: "cassandra" | "null" | "memory" | "tablets";
  /** The runner's driver id, e.g. `rsylla-deno`. */
  id: string;
  workload: string;
  concurrency: number;
  result: ClientResult | null;
  /** Whole child process, from /usr/bin/time: wall, user+sys CPU seconds, max RSS. */
  proc: { wall_s: number; cpu_s: number; maxrss_kb: number } | null;
  error: string | null;
  /** `tablets` mode: where the client's requests landed (bench/tablets_server.ts). */
  tablets?: TabletsLanding | null;
  /** `null` mode: EXECUTEs and BATCHes each null-cluster address answered during the run. */
  served?: Record<string, number> | null;
  /**
   * The Cassandra node did not answer after this run failed: the failure is the node's, not
   * the driver's. The run is left out of the cell (repeated on the restarted node).
   */
  nodeDown?: boolean;
}

/** The bench node stopped answering during a run. */
export interface NodeIncident {
  /** When the probe after the failed run found the node gone (UTC). */
  at: string;
  /** The run that failed: driver, workload, concurrency, repeat. */
  during: string;
  /** The node's log lines that say why (out of memory, errors, long GC pauses). */
  cause: string[];
  /** Whether the node was started again and the run repeated. */
  restarted: boolean;
}

/** Landing shares the tablets simulation recorded over one client process (warm-up included). */
export interface TabletsLanding {
  requests: number;
  onReplica: number;
  onReplicaShard: number;
  withPayload: number;
  /** Connections the client opened, how many negotiated TABLETS_ROUTING_V1, via the shard-aware port. */
  connections: number;
  v1: number;
  shardAware: number;
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
  /** The commit the run measured, read at its start; `+dirty` when src, mod.ts or bench (not bench/results) differed. Absent before 2026-12-07. */
  commit?: string;
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
  /** The times the Cassandra node stopped answering (absent in runs before 2026-12-07). */
  incidents?: NodeIncident[];
}
