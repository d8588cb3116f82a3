/** Types of `harness.mjs`, the load loop shared by the JavaScript bench clients. */

/** The client protocol's arguments. */
export interface BenchOptions {
  workload: string;
  concurrency: number;
  hosts: string[];
  duration: number;
  ops: number;
  warmup: number;
  warmupOps: number;
  keyspace: string;
  pageSize: number;
  keys: number;
  nullServer: boolean;
  /** `inflight`: requests started at once. */
  inflight: number;
  /** rsylla-ts only: routing computed even against one unsharded node. */
  routingForced: boolean;
  /** rsylla-ts only: the protocol version to pin (4 or 5); 0 lets the driver negotiate. */
  protocol: number;
}

/** Statements per `batch` operation. */
export declare const BATCH_SIZE: number;

/** The `BATCH_SIZE` keys of one batch operation starting at `k`. */
export declare function batchKeys(k: number, keys: number): number[];

/** Workload names, in the order of the rsylla benchmark suite. */
export declare const WORKLOADS: string[];

/** CQL of every workload. */
export declare const CQL: {
  read: (k: number) => string;
  readBind: string;
  write: (k: number) => string;
  writeBind: string;
  paged: string;
  tabletsRead: string;
  hold: string;
  heldCount: string;
  release: string;
};

/** Parses the client protocol's arguments. */
export declare function parseArgs(argv: string[]): BenchOptions;

/** Splits "host:port" (port defaults to 9042). */
export declare function hostPort(s: string): { host: string; port: number };

/** Warm-up, then the measured phase; prints the JSON line on stdout. */
export declare function runBench(
  info: { driver: string; runtime: string },
  o: BenchOptions,
  op: (key: number) => Promise<number | void>,
): Promise<void>;

/** The `inflight` measurement: memory per request in flight against the holding null server. */
export declare function runInflight(
  info: { driver: string; runtime: string },
  o: BenchOptions,
  fns: {
    op: (key: number) => Promise<number | void>;
    holdOp: (key: number) => Promise<unknown>;
    scalar: (cql: string) => Promise<number>;
  },
): Promise<void>;

/** Prints the one JSON result line. */
export declare function report(result: Record<string, unknown>): void;

/** Runtime name and version of the running process. */
export declare function runtimeName(): string;
