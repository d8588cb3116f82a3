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
}

/** Workload names, in the order of the rsylla benchmark suite. */
export declare const WORKLOADS: string[];

/** CQL of every workload. */
export declare const CQL: {
  read: (k: number) => string;
  readBind: string;
  write: (k: number) => string;
  writeBind: string;
  paged: string;
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

/** Prints the one JSON result line. */
export declare function report(result: Record<string, unknown>): void;

/** Runtime name and version of the running process. */
export declare function runtimeName(): string;
