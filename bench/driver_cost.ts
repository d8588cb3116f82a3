/**
 * The driver's own CPU per request, without the kernel: rsylla-ts against the NULL CLUSTER
 * SIMULATION (`bench/null_server.ts`, three nodes of 16 vnodes, RF 3, so every request is
 * token-routed) served in this same process over in-memory sockets. A write is handed to the
 * other side in a microtask; no syscall, no wake-up, no scheduler noise, so a change of the
 * driver's hot path shows as a difference of a few percent that the loopback bench
 * (`compare_commits.ts`, ±5–10 %) cannot see.
 *
 * What it prints is client CPU µs per request of the whole process: the driver **and** the
 * simulated server's JavaScript (a constant share: the same canned answers whatever the
 * driver). It is a tool to compare two versions of the driver on one runtime, not a figure to
 * set beside other drivers: `bench/run.ts` does that, over real sockets.
 *
 * ```sh
 * deno run -A bench/driver_cost.ts [--workload read_prepared|write_prepared|read]
 *   [--concurrency 32] [--ops 1000000] [--warmup-ops 300000] [--repeats 5]
 * bun bench/driver_cost.ts ...
 * ```
 * @module
 */

import process from "node:process";
import { Buffer } from "node:buffer";
import { SessionBuilder } from "../mod.ts";
import { type Connector, setConnector, type Socket } from "../src/runtime/mod.ts";
import { serve, type ServedSocket, simulateCluster } from "./null_server.ts";
import { CQL, runtimeName } from "./clients/harness.mjs";

const HOSTS = ["127.0.0.41", "127.0.0.42", "127.0.0.43"];
const PORT = 19242;

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt;
};
const workload = opt("workload", "read_prepared");
const concurrency = Number(opt("concurrency", "32"));
const ops = Number(opt("ops", "1000000"));
const warmupOps = Number(opt("warmup-ops", "300000"));
const repeats = Number(opt("repeats", "5"));
const KEYS = 65536;

type Handler = (chunk: Buffer) => void;

/** Sockets whose other end is `serve` in this process; only the simulated nodes answer. */
const inMemory: Connector = (opts, handlers) => {
  if (!HOSTS.includes(opts.host) || opts.port !== PORT) {
    return Promise.reject(new Error(`connect ECONNREFUSED ${opts.host}:${opts.port}`));
  }
  let toServer: Handler | null = null;
  let closed = false;
  const server = {
    destroyed: false,
    setNoDelay: () => server,
    on(event: string, f: Handler) {
      if (event === "data") toServer = f;
      return server;
    },
    write(b: Uint8Array) {
      queueMicrotask(() => closed || handlers.onData(b, b.length));
      return true;
    },
    destroy() {
      client.close();
      return server;
    },
  };
  const client: Socket = {
    pendingBytes: 0,
    write(bytes, start, end) {
      const b = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start);
      queueMicrotask(() => closed || toServer!(b));
      return false;
    },
    close() {
      if (closed) return;
      closed = true;
      server.destroyed = true;
      queueMicrotask(() => handlers.onClose());
    },
  };
  serve(server as unknown as ServedSocket, opts.host, opts.port);
  return Promise.resolve(client);
};

simulateCluster(HOSTS);
setConnector(inMemory);
const session = await new SessionBuilder()
  .knownNodes(HOSTS.map((h) => `${h}:${PORT}`))
  .useKeyspace("benchks", false)
  .build();

let op: (k: number) => Promise<unknown>;
if (workload === "read_prepared") {
  const ps = await session.prepare(CQL.readBind);
  op = async (k) => (await session.executePrepared(ps, [k])).firstRow()?.columns();
} else if (workload === "write_prepared") {
  const ps = await session.prepare(CQL.writeBind);
  op = (k) => session.executePrepared(ps, [k, k]);
} else if (workload === "read") {
  op = async (k) => (await session.execute(CQL.read(k))).firstRow()?.columns();
} else throw new Error(`unknown workload ${workload} (read_prepared, write_prepared, read)`);

/** Runs `n` operations from `concurrency` loops; CPU µs (user + system) per operation. */
async function measure(n: number): Promise<number> {
  let issued = 0;
  const worker = async () => {
    while (issued < n) {
      issued++;
      await op((Math.random() * KEYS) | 0);
    }
  };
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / n;
}

await measure(warmupOps);
const runs: number[] = [];
for (let r = 0; r < repeats; r++) runs.push(await measure(ops));
await session.close();
setConnector(null);
const sorted = [...runs].sort((a, b) => a - b);
console.log(JSON.stringify({
  runtime: runtimeName(),
  workload,
  concurrency,
  ops,
  cpu_us_per_op: sorted[sorted.length >> 1],
  min: sorted[0],
  max: sorted[sorted.length - 1],
  runs,
}));
process.exit(0);
