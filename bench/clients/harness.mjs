// @ts-self-types="./harness.d.mts"
/**
 * The load loop and the output line shared by the JavaScript bench clients
 * (`rsylla.ts` on Deno/Bun/Node and `datastax.mjs`). Plain JavaScript so that
 * Node runs `datastax.mjs` without a build step.
 *
 * Client protocol (every client, whatever its language):
 *   args  --workload W --concurrency C --hosts h:p[,h:p] [--duration S | --ops N]
 *         [--warmup S | --warmup-ops N] [--keyspace benchks] [--page-size 5000]
 *         [--keys 65536] [--null] [--inflight N] [--routing-forced] [--protocol 4|5]
 *   out   one JSON line on stdout (see `report`), progress and errors on stderr.
 *
 * `paged_read`: `SELECT ck, v FROM paged WHERE pk = 0` (100 000 rows) in `--page-size` pages,
 * each driver's page-by-page loop with a plain loop over each page's rows. `paged_iter`
 * (rsylla-ts only): the same read through `session.iter()`, one `for await` step per row.
 *
 * `batch`: an UNLOGGED batch of `BATCH_SIZE` (10) prepared INSERTs into `test`, keys
 * k..k+9 (mod `--keys`), value = key.
 *
 * `tablets_read`: `SELECT v FROM t WHERE k = ?` prepared, against the simulated ScyllaDB
 * cluster with tablets (bench/tablets_server.ts, keyspace `tks`).
 *
 * `inflight` (null cluster only, JavaScript clients): after a read_prepared warm-up at
 * `--concurrency`, the client starts `--inflight N` (10 000) prepared reads of table `hold` at
 * once; the null server holds their answers until the client sends `SELECT … FROM release`.
 * Once the server reports (`SELECT held FROM held_count`) that it holds all N, the client
 * forces a GC where it can (`gc()` with --expose-gc, `Bun.gc(true)`) and reads
 * `process.memoryUsage()`; the RSS and JS heap deltas over the idle-after-warm-up baseline
 * (taken the same way), divided by N, are the bytes each request in flight costs.
 *
 * CPU is user+sys of this process (getrusage through `process.cpuUsage()`) over
 * the measured phase only: connect, prepare and warm-up are left out. Peak RSS
 * is VmHWM from /proc/self/status at exit (the whole life of the process).
 * @module
 */

import process from "node:process";
import { readFileSync } from "node:fs";
import hdrPkg from "hdr-histogram-js";

const hdr = /** @type {any} */ (hdrPkg).build ? hdrPkg : /** @type {any} */ (hdrPkg).default;

/** Workload names, in the order of the rsylla benchmark suite. */
export const WORKLOADS = [
  "read",
  "read_bind",
  "read_prepared",
  "write",
  "write_bind",
  "write_prepared",
  "paged_read",
  "paged_iter",
  "batch",
  "inflight",
  "tablets_read",
];

/** Statements per `batch` operation. */
export const BATCH_SIZE = 10;

/** CQL of every workload; `${k}` is the key (value = key) for the string-built ones. */
export const CQL = {
  read: (k) => `SELECT id, value FROM test WHERE id = ${k}`,
  readBind: "SELECT id, value FROM test WHERE id = ?",
  write: (k) => `INSERT INTO test (id, value) VALUES (${k}, ${k})`,
  writeBind: "INSERT INTO test (id, value) VALUES (?, ?)",
  paged: "SELECT ck, v FROM paged WHERE pk = ?",
  /** `tablets_read`: the tablets simulation's table (`--keyspace tks`). */
  tabletsRead: "SELECT v FROM t WHERE k = ?",
  /** `inflight`: the null server holds the answers to reads of table `hold`... */
  hold: "SELECT id, value FROM hold WHERE id = ?",
  /** ...says how many it holds... */
  heldCount: "SELECT held FROM held_count",
  /** ...and sends them all when asked. */
  release: "SELECT released FROM release",
};

/** The `BATCH_SIZE` keys of one batch operation starting at `k`. */
export function batchKeys(k, keys) {
  const out = new Array(BATCH_SIZE);
  for (let i = 0; i < BATCH_SIZE; i++) out[i] = (k + i) % keys;
  return out;
}

/** Parses the client protocol's arguments. */
export function parseArgs(argv) {
  const o = {
    workload: "read_prepared",
    concurrency: 32,
    hosts: ["127.0.0.3:9042"],
    duration: 0,
    ops: 0,
    warmup: 0,
    warmupOps: 0,
    keyspace: "benchks",
    pageSize: 5000,
    keys: 65536,
    nullServer: false,
    inflight: 10_000,
    routingForced: false,
    protocol: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${a} needs a value`);
      return x;
    };
    switch (a) {
      case "--workload":
        o.workload = v();
        break;
      case "--concurrency":
        o.concurrency = Number(v());
        break;
      case "--hosts":
        o.hosts = v().split(",");
        break;
      case "--duration":
        o.duration = Number(v());
        break;
      case "--ops":
        o.ops = Number(v());
        break;
      case "--warmup":
        o.warmup = Number(v());
        break;
      case "--warmup-ops":
        o.warmupOps = Number(v());
        break;
      case "--keyspace":
        o.keyspace = v();
        break;
      case "--page-size":
        o.pageSize = Number(v());
        break;
      case "--keys":
        o.keys = Number(v());
        break;
      case "--null":
        o.nullServer = true;
        break;
      case "--inflight":
        o.inflight = Number(v());
        break;
      case "--routing-forced":
        o.routingForced = true;
        break;
      case "--protocol":
        o.protocol = Number(v());
        break;
      default:
        throw new Error(`unknown argument ${a}`);
    }
  }
  if (!WORKLOADS.includes(o.workload)) throw new Error(`unknown workload ${o.workload}`);
  if (!(o.concurrency > 0)) throw new Error("--concurrency must be > 0");
  if (!o.duration && !o.ops) o.duration = 5;
  if (!o.warmup && !o.warmupOps) o.warmup = 1;
  return o;
}

/** Splits "host:port" (port defaults to 9042). */
export function hostPort(s) {
  const i = s.lastIndexOf(":");
  return i < 0 ? { host: s, port: 9042 } : { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
}

/**
 * Runs `op(key)` from `concurrency` loops until `ops` operations were issued
 * or `seconds` elapsed. `op` resolves with the rows it read (or nothing).
 */
async function phase(op, o, seconds, ops, hist) {
  let stop = false;
  let issued = 0;
  let done = 0;
  let errors = 0;
  let rows = 0;
  let firstError = null;
  const timer = seconds > 0 ? setTimeout(() => (stop = true), seconds * 1000) : undefined;
  // A driver may settle a request that fails at once (no node to send to) in a microtask, as
  // ours did until bcffd52: a loop of them never lets the timer run, so failures also look at
  // the clock (this harness also runs DataStax's driver).
  const endAt = performance.now() + seconds * 1000;
  const keys = o.keys;
  const worker = async () => {
    // One clock read per operation: its end is the next one's start. On Deno a read is a
    // runtime call (~90 ns, 4-8 % of a null-server request); the few loop statements between
    // an end and the next start are counted in the next latency, never left out of one.
    let t0 = hist ? performance.now() : 0;
    while (!stop && (ops === 0 || issued < ops)) {
      issued++;
      const key = (Math.random() * keys) | 0;
      try {
        const n = await op(key);
        if (typeof n === "number") rows += n;
      } catch (e) {
        errors++;
        firstError ??= e;
        if (seconds > 0 && performance.now() >= endAt) stop = true;
      }
      if (hist) {
        const t1 = performance.now();
        hist.recordValue(Math.max(1, Math.round((t1 - t0) * 1000)));
        t0 = t1;
      }
      done++;
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  clearTimeout(timer);
  if (firstError) console.error(`first error: ${firstError?.stack ?? firstError}`);
  return { done, errors, rows };
}

/** RSS and JS heap in KiB now. */
function memNow() {
  const m = process.memoryUsage();
  return { rss_kb: Math.round(m.rss / 1024), heap_kb: Math.round(m.heapUsed / 1024) };
}

/** Forces a full GC where the runtime lets us; says whether it could. */
function forceGc() {
  const g = /** @type {any} */ (globalThis);
  if (typeof g.gc === "function") {
    g.gc();
    return true;
  }
  if (g.Bun?.gc) {
    g.Bun.gc(true);
    return true;
  }
  return false;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function peakRssKb() {
  try {
    const m = /VmHWM:\s*(\d+)/.exec(readFileSync("/proc/self/status", "utf8"));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Warm-up, then the measured phase; prints the JSON line on stdout.
 * @param info {driver, runtime} names for the report
 * @param o parsed arguments
 * @param op the operation under test
 */
export async function runBench(info, o, op) {
  await phase(op, o, o.warmup, o.warmupOps, null);
  const warm = memNow();
  const hist = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await phase(op, o, o.duration, o.ops, hist);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuUs = cpu.user + cpu.system;
  const ok = r.done - r.errors;
  report({
    driver: info.driver,
    runtime: info.runtime,
    workload: o.workload,
    concurrency: o.concurrency,
    ops: ok,
    errors: r.errors,
    rows: r.rows,
    elapsed_s: elapsed,
    ops_per_s: ok / elapsed,
    lat_us: {
      mean: hist.mean,
      p50: hist.getValueAtPercentile(50),
      p90: hist.getValueAtPercentile(90),
      p99: hist.getValueAtPercentile(99),
      p999: hist.getValueAtPercentile(99.9),
      max: hist.maxValue,
    },
    cpu_us: cpuUs,
    cpu_us_per_op: ok > 0 ? cpuUs / ok : null,
    cpu_sys_us: cpu.system,
    rss_kb: peakRssKb(),
    rss_warm_kb: warm.rss_kb,
    heap_warm_kb: warm.heap_kb,
  });
}

/**
 * The `inflight` measurement (see the module header).
 * @param info {driver, runtime} names for the report
 * @param o parsed arguments (`inflight` = N, `concurrency` for the warm-up)
 * @param fns `op`: read_prepared for the warm-up; `holdOp`: one read the server holds;
 *   `scalar(cql)`: runs an unprepared SELECT, resolves with the int in its first cell
 */
export async function runInflight(info, o, fns) {
  await phase(fns.op, o, o.warmup, o.warmupOps, null);
  const warm = memNow();
  // The hold statement prepared (and its first answer released) before the baseline.
  const first = fns.holdOp(0);
  while ((await fns.scalar(CQL.heldCount)) < 1) await sleep(10);
  await fns.scalar(CQL.release);
  await first;
  const gc = forceGc();
  await sleep(100);
  forceGc();
  const base = memNow();
  const n = o.inflight;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let errors = 0;
  let firstError = null;
  const all = new Array(n);
  for (let i = 0; i < n; i++) {
    all[i] = fns.holdOp((Math.random() * o.keys) | 0).then(() => {}, (e) => {
      errors++;
      firstError ??= e;
    });
  }
  const tStarted = performance.now();
  let held = 0;
  const deadline = performance.now() + 20_000;
  while ((held = await fns.scalar(CQL.heldCount)) < n && performance.now() < deadline) {
    await sleep(20);
  }
  const tHeld = performance.now();
  const noGc = memNow();
  forceGc();
  const inflight = memNow();
  await fns.scalar(CQL.release);
  await Promise.all(all);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (firstError) console.error(`first error: ${firstError?.stack ?? firstError}`);
  const ok = n - errors;
  report({
    driver: info.driver,
    runtime: info.runtime,
    workload: o.workload,
    concurrency: n,
    ops: ok,
    errors,
    rows: 0,
    elapsed_s: elapsed,
    ops_per_s: ok / elapsed,
    lat_us: { mean: null, p50: null, p90: null, p99: null, p999: null, max: null },
    cpu_us: cpu.user + cpu.system,
    cpu_us_per_op: ok > 0 ? (cpu.user + cpu.system) / ok : null,
    rss_kb: peakRssKb(),
    rss_warm_kb: warm.rss_kb,
    heap_warm_kb: warm.heap_kb,
    inflight: {
      requests: n,
      held_by_server: held,
      gc_forced: gc,
      start_ms: tStarted - t0,
      all_held_ms: tHeld - t0,
      base_rss_kb: base.rss_kb,
      base_heap_kb: base.heap_kb,
      rss_kb: inflight.rss_kb,
      heap_kb: inflight.heap_kb,
      heap_before_gc_kb: noGc.heap_kb,
      rss_bytes_per_request: ((inflight.rss_kb - base.rss_kb) * 1024) / n,
      heap_bytes_per_request: ((inflight.heap_kb - base.heap_kb) * 1024) / n,
    },
  });
}

/** Prints the one JSON result line. */
export function report(result) {
  process.stdout.write(JSON.stringify(result) + "\n");
}

/** Runtime name and version of the running process. */
export function runtimeName() {
  const g = /** @type {any} */ (globalThis);
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  if (g.Bun) return `bun ${g.Bun.version}`;
  return `node ${process.versions.node}`;
}
