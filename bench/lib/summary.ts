/**
 * Repeats of one cell summarised as median with min–max, a table per workload (one row per
 * driver and runtime: ours on Deno, Bun and Node each, never "the best of"), one SVG chart per
 * workload, and the README's performance table, all generated from a results file.
 * @module
 */

import type { BenchReport, RunRecord } from "./types.ts";

/** Median, min and max of a list (null when empty). */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

function spread(xs: number[]): Spread | null {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], n: v.length };
}

/** One driver × workload × concurrency × mode, over its repeats. */
export interface CellSummary {
  mode: RunRecord["mode"];
  id: string;
  workload: string;
  concurrency: number;
  ops: Spread | null;
  cpu: Spread | null;
  /** The kernel's part of `cpu` (JavaScript clients report it; `null` for the others). */
  sys: Spread | null;
  p99_us: Spread | null;
  rss_mb: Spread | null;
  /** RSS and JS heap right after the warm-up, MiB. */
  rss_warm_mb: Spread | null;
  heap_warm_mb: Spread | null;
  /** `inflight`: bytes per request in flight (RSS, JS heap). */
  rss_per_req: Spread | null;
  heap_per_req: Spread | null;
  runs: number;
  failed: number;
}

const okRun = (r: RunRecord) => r.result !== null && r.result.ops > 0 && r.error === null;

/** Groups the runs by cell; repeats become spreads. */
export function summarize(runs: RunRecord[]): CellSummary[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of runs) {
    // The node's failure, not the driver's: the run was repeated on the restarted node.
    if (r.nodeDown) continue;
    const k = `${r.mode}|${r.id}|${r.workload}|${r.concurrency}`;
    const g = groups.get(k) ?? [];
    g.push(r);
    groups.set(k, g);
  }
  const out: CellSummary[] = [];
  for (const g of groups.values()) {
    const good = g.filter(okRun);
    out.push({
      mode: g[0].mode,
      id: g[0].id,
      workload: g[0].workload,
      concurrency: g[0].concurrency,
      ops: spread(good.map((r) => r.result!.ops_per_s)),
      cpu: spread(good.map((r) => r.result!.cpu_us_per_op ?? NaN)),
      sys: spread(good.map((r) => (r.result!.cpu_sys_us ?? NaN) / r.result!.ops)),
      p99_us: spread(good.map((r) => r.result!.lat_us.p99 ?? NaN)),
      rss_mb: spread(good.map((r) => (r.proc?.maxrss_kb ?? r.result!.rss_kb ?? NaN) / 1024)),
      rss_warm_mb: spread(good.map((r) => (r.result!.rss_warm_kb ?? NaN) / 1024)),
      heap_warm_mb: spread(good.map((r) => (r.result!.heap_warm_kb ?? NaN) / 1024)),
      rss_per_req: spread(good.map((r) => r.result!.inflight?.rss_bytes_per_request ?? NaN)),
      heap_per_req: spread(good.map((r) => r.result!.inflight?.heap_bytes_per_request ?? NaN)),
      runs: g.length,
      failed: g.length - good.length,
    });
  }
  return out;
}

const int = (n: number) => Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
const k = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)} k` : int(n));
const one = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

/** `median (min–max)` for ops/s. */
export function fmtOps(s: Spread | null): string {
  if (!s) return "–";
  return s.n > 1 ? `${k(s.median)} (${k(s.min)}–${k(s.max)})` : k(s.median);
}

/** `median (min–max)` for CPU µs/op. */
export function fmtCpu(s: Spread | null): string {
  if (!s) return "–";
  return s.n > 1 ? `${one(s.median)} (${one(s.min)}–${one(s.max)})` : one(s.median);
}

/** Display order: ours per runtime first, then the peers. */
export const DRIVER_ORDER = [
  "rsylla-deno",
  "rsylla-deno-routing-forced",
  "rsylla-bun",
  "rsylla-bun-routing-forced",
  "rsylla-node",
  "rsylla-node-routing-forced",
  "rust",
  "datastax-node",
  "datastax-bun",
  "datastax-deno",
  "py-rsylla",
  "py-acsylla",
  "py-scylla",
  "floor-deno",
  "floor-bun",
];

const orderOf = (id: string) => {
  const i = DRIVER_ORDER.indexOf(id);
  return i < 0 ? DRIVER_ORDER.length : i;
};

/**
 * Row name of a driver id: `rsylla-deno-routing-forced` → `rsylla-deno (routing forced)`,
 * `floor-bun` → `floor-bun (no driver)`.
 */
export function driverLabel(id: string): string {
  return id.replace(/-routing-forced$/, " (routing forced)").replace(
    /^(floor-.*)$/,
    "$1 (no driver)",
  );
}

/** The throughput tables and charts leave the `inflight` memory runs out. */
const THROUGHPUT_MODES = ["cassandra", "null"] as const;

/** Human name of a mode, as the run's settings describe it. */
export function modeTitle(rep: BenchReport, mode: string): string {
  const st = rep.settings as { server_warmup?: unknown; null_cluster?: string; repeats?: number };
  if (mode === "cassandra") {
    const warm = st.server_warmup && st.server_warmup !== "none";
    return `Cassandra 5.0.9, one node (${warm ? "warmed up before measuring" : "NOT warmed up"})`;
  }
  return st.null_cluster
    ? "null cluster: 3 canned-answer nodes, 16 vnodes each, RF 3 (every driver token-aware)"
    : "null server: ONE canned-answer node (rsylla-ts skips routing there: single-node " +
      "short-circuit; the peers do not)";
}

/**
 * One markdown table per mode × workload: a row per driver, per concurrency the ops/s and the
 * client CPU µs/op as median (min–max) over the repeats.
 */
export function summaryTables(rep: BenchReport): string[] {
  const cells = summarize(rep.runs);
  const out: string[] = [];
  for (const mode of THROUGHPUT_MODES) {
    const inMode = cells.filter((c) => c.mode === mode);
    if (!inMode.length) continue;
    for (const w of [...new Set(inMode.map((c) => c.workload))]) {
      const cs = inMode.filter((c) => c.workload === w);
      const concs = [...new Set(cs.map((c) => c.concurrency))].sort((a, b) => a - b);
      const ids = [...new Set(cs.map((c) => c.id))].sort((a, b) => orderOf(a) - orderOf(b));
      out.push(
        "",
        `### ${w} — ${modeTitle(rep, mode)}`,
        "",
        `| driver | ${concs.map((c) => `c=${c} ops/s | c=${c} CPU µs/op`).join(" | ")} |`,
        `| --- | ${concs.map(() => "--: | --:").join(" | ")} |`,
      );
      for (const id of ids) {
        const row = concs.map((c) => {
          const x = cs.find((y) => y.id === id && y.concurrency === c);
          if (!x) return "– | –";
          const f = x.failed ? ` ⚠${x.failed} failed` : "";
          return `${fmtOps(x.ops)}${f} | ${fmtCpu(x.cpu)}${
            x.sys ? ` · sys ${one(x.sys.median)}` : ""
          }`;
        });
        out.push(`| ${driverLabel(id)} | ${row.join(" | ")} |`);
      }
    }
  }
  out.push(...servedTable(rep), ...memoryTables(rep, cells), ...tabletsTable(rep, cells));
  return out;
}

/** Requests a null-cluster run's nodes answered together. */
export function servedTotal(served: Record<string, number>): number {
  return Object.values(served).reduce((a, b) => a + b, 0);
}

/**
 * Whether the null cluster counted a run's operations: EXECUTEs and BATCHes are counted (warm-up
 * included, so at least as many as measured); unprepared reads are QUERYs, which are not (no
 * routing key to follow), and only a driver's own prepared metadata queries would show.
 */
export function servedCounts(r: RunRecord): boolean {
  return r.mode === "null" && !!r.served && !!r.result && servedTotal(r.served) >= r.result.ops;
}

/** The smallest share of a run's requests that one address answered (0 when none were counted). */
export function smallestShare(served: Record<string, number>): number {
  const total = servedTotal(served);
  return total === 0 ? 0 : Math.min(...Object.values(served)) / total;
}

/**
 * The null cluster's own count of the requests each node answered: a driver that misread the
 * topology (and so skipped the routing work) shows up as a node with no share.
 */
export function servedTable(rep: BenchReport): string[] {
  const byId = new Map<string, number[]>();
  for (const r of rep.runs) {
    if (!servedCounts(r) || !okRun(r)) continue;
    const list = byId.get(r.id) ?? [];
    list.push(smallestShare(r.served!));
    byId.set(r.id, list);
  }
  if (byId.size === 0) return [];
  const nodes = Object.keys(rep.runs.find((r) => r.served)!.served!).length;
  const out = [
    "",
    `### Null cluster: requests per node (the server's count, ${nodes} nodes)`,
    "",
    "The smallest share of a run's EXECUTEs and BATCHes that one node answered, over each " +
    "driver's runs of the prepared and batch workloads (unprepared reads are not counted): near " +
    "1/" + nodes + " when the driver spread its requests over the whole ring.",
    "",
    "| driver | runs | smallest node share, median (min–max) |",
    "| --- | --: | --: |",
  ];
  const ids = [...byId.keys()].sort((a, b) => orderOf(a) - orderOf(b));
  for (const id of ids) {
    const s = spread(byId.get(id)!)!;
    out.push(
      `| ${driverLabel(id)} | ${byId.get(id)!.length} | ${(100 * s.median).toFixed(1)} % (${
        (100 * s.min).toFixed(1)
      }–${(100 * s.max).toFixed(1)} %) |`,
    );
  }
  return out;
}

const pct = (s: Spread | null) =>
  !s
    ? "–"
    : s.n > 1 && s.max - s.min >= 0.05
    ? `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`
    : s.median.toFixed(1);

/**
 * The `tablets` mode: per driver, ops/s, CPU µs/op and where its requests landed in the tablets
 * simulation (share of all its EXECUTEs, warm-up included), median (min–max) over the repeats.
 */
export function tabletsTable(rep: BenchReport, cells = summarize(rep.runs)): string[] {
  const tab = cells.filter((c) => c.mode === "tablets")
    .sort((a, b) => orderOf(a.id) - orderOf(b.id) || a.concurrency - b.concurrency);
  if (!tab.length) return [];
  const out = [
    "",
    "### tablets_read — SIMULATED ScyllaDB with tablets (tests/sim, not ScyllaDB)",
    "",
    "Three simulated nodes of 4, 3 and 5 shards; keyspace `tks` (RF 2) with 128 tablets at " +
    "random boundaries on random shards, unrelated to the token ring, so only the " +
    "`tablets-routing-v1` payloads tell a driver where a partition lives. Prepared " +
    "`SELECT v FROM t WHERE k = ?`. Landing = share of all the client process's EXECUTEs " +
    "(warm-up included, so the first request of each tablet counts) that the simulation saw on " +
    "a replica node and on that replica's shard. Every client that negotiates " +
    "TABLETS_ROUTING_V1 runs here (DataStax `cassandra-driver` has no tablets support).",
    "",
    "| driver | c | ops/s | CPU µs/op | on replica shard % | on replica node % | " +
    "answered with a tablet payload % | connections with TABLETS_ROUTING_V1 |",
    "| --- | --: | --: | --: | --: | --: | --: | --: |",
  ];
  for (const c of tab) {
    const runs = rep.runs.filter((r) =>
      r.mode === "tablets" && r.id === c.id && r.concurrency === c.concurrency && r.tablets &&
      r.tablets.requests > 0
    );
    const share = (f: (t: NonNullable<RunRecord["tablets"]>) => number) =>
      spread(runs.map((r) => (100 * f(r.tablets!)) / r.tablets!.requests));
    const last = runs.at(-1)?.tablets;
    const f = c.failed ? ` ⚠${c.failed} failed` : "";
    out.push(
      `| ${driverLabel(c.id)}${f} | ${c.concurrency} | ${fmtOps(c.ops)} | ${fmtCpu(c.cpu)} | ${
        pct(share((t) => t.onReplicaShard))
      } | ${pct(share((t) => t.onReplica))} | ${pct(share((t) => t.withPayload))} | ${
        last ? `${last.v1}/${last.connections}` : "–"
      } |`,
    );
  }
  return out;
}

const mb = (s: Spread | null) =>
  !s ? "–" : s.n > 1 ? `${one(s.median)} (${one(s.min)}–${one(s.max)})` : one(s.median);
const bytes = (s: Spread | null) =>
  !s ? "–" : s.n > 1 ? `${int(s.median)} (${int(s.min)}–${int(s.max)})` : int(s.median);

/**
 * Memory: bytes per request with N requests in flight (the `inflight` runs), and every
 * client's RSS and JS heap right after its warm-up in the read_prepared cells.
 */
export function memoryTables(rep: BenchReport, cells = summarize(rep.runs)): string[] {
  const out: string[] = [];
  const mem = cells.filter((c) => c.mode === "memory")
    .sort((a, b) => orderOf(a.id) - orderOf(b.id));
  if (mem.length) {
    const n = mem[0].concurrency;
    out.push(
      "",
      `### Memory per request in flight — ${int(n)} requests started at once (null cluster)`,
      "",
      "After a read_prepared warm-up the client starts the requests at once; the null server " +
        "holds every answer until it has all of them, then the client forces a GC (`gc()` " +
        "with `--expose-gc` on Node and Deno, `Bun.gc(true)`) and reads " +
        "`process.memoryUsage()`. Per request = (in flight − idle baseline after warm-up) ÷ N; " +
        "median (min–max) over the repeats. Both drivers' per-connection cap is raised to " +
        "32 768 so that every request is on the wire, not queued.",
      "",
      "| driver | RSS B/request | JS heap B/request | idle RSS MB | idle JS heap MB | held |",
      "| --- | --: | --: | --: | --: | --: |",
    );
    for (const c of mem) {
      const runs = rep.runs.filter((r) => r.mode === "memory" && r.id === c.id && r.result);
      const base = (f: (x: NonNullable<RunRecord["result"]>) => number | undefined) =>
        spread(runs.map((r) => (f(r.result!) ?? NaN) / 1024));
      const held = runs.map((r) => r.result!.inflight?.held_by_server ?? 0);
      const f = c.failed ? ` ⚠${c.failed} failed` : "";
      out.push(
        `| ${driverLabel(c.id)}${f} | ${bytes(c.rss_per_req)} | ${bytes(c.heap_per_req)} | ${
          mb(base((x) => x.inflight?.base_rss_kb))
        } | ${mb(base((x) => x.inflight?.base_heap_kb))} | ${
          held.length ? `${int(Math.min(...held))}/${int(n)}` : "–"
        } |`,
      );
    }
  }
  const warm = cells.filter((c) => c.workload === "read_prepared" && c.rss_warm_mb);
  if (warm.length) {
    const cols: [RunRecord["mode"], number][] = [];
    for (const mode of THROUGHPUT_MODES) {
      for (const c of [...new Set(warm.filter((x) => x.mode === mode).map((x) => x.concurrency))]) {
        cols.push([mode, c]);
      }
    }
    cols.sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] === "cassandra" ? -1 : 1));
    const ids = [...new Set(warm.map((c) => c.id))].sort((a, b) => orderOf(a) - orderOf(b));
    out.push(
      "",
      "### Client memory right after the warm-up (read_prepared): RSS MB / JS heap MB",
      "",
      "Median over the repeats; JS heap = `process.memoryUsage().heapUsed` (JavaScript " +
        "clients only), no GC forced.",
      "",
      `| driver | ${cols.map(([m, c]) => `${m === "null" ? "null " : ""}c=${c}`).join(" | ")} |`,
      `| --- | ${cols.map(() => "--:").join(" | ")} |`,
    );
    for (const id of ids) {
      const row = cols.map(([m, c]) => {
        const x = warm.find((y) => y.id === id && y.mode === m && y.concurrency === c);
        if (!x) return "–";
        return `${x.rss_warm_mb ? one(x.rss_warm_mb.median) : "–"} / ${
          x.heap_warm_mb ? one(x.heap_warm_mb.median) : "–"
        }`;
      });
      out.push(`| ${driverLabel(id)} | ${row.join(" | ")} |`);
    }
  }
  return out;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * One chart for a workload: per concurrency a group of horizontal bars, one per driver, length =
 * median client CPU µs/op (lower is better), a whisker from min to max, ops/s written beside.
 */
export function workloadSvg(rep: BenchReport, mode: RunRecord["mode"], workload: string): string {
  const cs = summarize(rep.runs).filter((c) => c.mode === mode && c.workload === workload);
  const concs = [...new Set(cs.map((c) => c.concurrency))].sort((a, b) => a - b);
  const ids = [...new Set(cs.map((c) => c.id))].sort((a, b) => orderOf(a) - orderOf(b));
  const maxCpu = Math.max(1, ...cs.map((c) => c.cpu?.max ?? 0));
  const W = 1010, left = 210, right = 200, barH = 14, gap = 4, groupGap = 26, top = 64;
  // Whiskers end 180 px before the ops/s column, so the widest µs label fits beside them.
  const plotW = W - left - right - 180;
  const rows = concs.length * (ids.length * (barH + gap) + groupGap);
  const H = top + rows + 40;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" ` +
    `viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="10" y="22" font-size="15" font-weight="bold">${esc(workload)} — ${
      esc(modeTitle(rep, mode))
    }</text>`,
    `<text x="10" y="42" fill="#444">bars: client CPU µs per operation, median of the repeats ` +
    `(lower is better); whisker: min–max; right: ops/s median. ${esc(rep.started)}</text>`,
  ];
  let y = top;
  for (const c of concs) {
    out.push(`<text x="10" y="${y + 10}" font-weight="bold">concurrency ${c}</text>`);
    y += 16;
    for (const id of ids) {
      const x = cs.find((z) => z.id === id && z.concurrency === c);
      const ours = id.startsWith("rsylla-");
      out.push(
        `<text x="${left - 6}" y="${y + barH - 3}" text-anchor="end">${
          esc(driverLabel(id))
        }</text>`,
      );
      if (x?.cpu) {
        const w = (x.cpu.median / maxCpu) * plotW;
        const x0 = left + (x.cpu.min / maxCpu) * plotW, x1 = left + (x.cpu.max / maxCpu) * plotW;
        out.push(
          `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${
            ours ? "#d9534f" : "#5b8fd6"
          }"/>`,
          `<line x1="${x0.toFixed(1)}" x2="${x1.toFixed(1)}" y1="${y + barH / 2}" y2="${
            y + barH / 2
          }" stroke="#222" stroke-width="1.5"/>`,
          // The label starts past the whisker too, so the line never crosses its text.
          `<text x="${(Math.max(left + w, x1) + 4).toFixed(1)}" y="${y + barH - 3}" fill="#222">${
            fmtCpu(x.cpu)
          } µs</text>`,
          `<text x="${W - right + 10}" y="${y + barH - 3}" fill="#444">${
            esc(fmtOps(x.ops))
          } ops/s</text>`,
        );
      } else {
        out.push(`<text x="${left + 4}" y="${y + barH - 3}" fill="#a00">no result</text>`);
      }
      y += barH + gap;
    }
    y += groupGap - 16;
  }
  out.push(
    `<text x="10" y="${H - 12}" fill="#666">red: rsylla-ts (one row per runtime); blue: peers. ` +
      `Machine: ${rep.machine.cores} cores, load ${
        rep.machine.loadavg_start.map((n) => n.toFixed(2)).join(" ")
      } → ${rep.machine.loadavg_end.map((n) => n.toFixed(2)).join(" ")}</text>`,
    "</svg>",
  );
  return out.join("\n") + "\n";
}

/** Markers around the generated table in README.md. */
export const README_START = "<!-- bench-table:start (generated by bench/readme_table.ts) -->";
export const README_END = "<!-- bench-table:end -->";

/** `settings.protocol` of a run made with `--rsylla-v4`. */
export const PROTOCOL_PINNED_V4 = "rsylla-ts pinned to v4 (--rsylla-v4), as every peer";

/**
 * The README's table: for each workload at concurrency 32 (and the null cluster's
 * read_prepared), median ops/s and CPU µs/op per driver, with the run's machine line.
 */
export function readmeTable(rep: BenchReport, resultsPath: string): string {
  const cells = summarize(rep.runs);
  const c = cells.some((x) => x.concurrency === 32)
    ? 32
    : Math.max(...cells.map((x) => x.concurrency));
  const ids = [...new Set(cells.map((x) => x.id))].sort((a, b) => orderOf(a) - orderOf(b));
  const cols: [RunRecord["mode"], string][] = [];
  for (const mode of THROUGHPUT_MODES) {
    for (const w of [...new Set(cells.filter((x) => x.mode === mode).map((x) => x.workload))]) {
      cols.push([mode, w]);
    }
  }
  const head = cols.map(([m, w]) => `${m === "null" ? "null server " : ""}${w}`);
  const settings = rep.settings as {
    repeats?: number;
    server_warmup?: unknown;
    warmup_s?: number;
    protocol?: string;
  };
  // Runs before `settings.protocol` existed negotiated too: v5 with Cassandra 5.
  const protocolText = settings.protocol === PROTOCOL_PINNED_V4
    ? "every driver on protocol v4"
    : "rsylla-ts on protocol v5 against Cassandra (v4 on the null cluster), every peer on v4";
  const v = rep.machine.versions;
  const runtimesText = [
    v.deno && `Deno ${v.deno}`,
    v.bun && `Bun ${v.bun}`,
    v.node && `Node ${v.node.replace(/^v/, "")}`,
  ].filter(Boolean).join(", ");
  const warmupText = (w: unknown) => {
    const run = w as { seconds?: number; by?: string } | null;
    return typeof run?.seconds === "number"
      ? `the node warmed up first by ${run.seconds} s of load from ${run.by ?? "one client"}`
      : "the node not warmed up first";
  };
  const repeats = Math.max(...cells.map((x) => x.runs));
  const how = settings.repeats
    ? `median of ${repeats} interleaved repeats per cell, ${warmupText(settings.server_warmup)}` +
      (typeof settings.warmup_s === "number"
        ? `, each client process warmed up for ${settings.warmup_s} s before measuring`
        : "")
    : "**one sample per cell, Cassandra node not warmed up** (a run made before repeats and " +
      "warm-up were added; not a fair comparison)";
  const lines = [
    README_START,
    "",
    `Client CPU µs per operation (lower is better) · ops/s, ${how}, concurrency ${c}, ` +
    `${protocolText}${runtimesText ? `, ${runtimesText}` : ""}; ` +
    `generated from [\`${resultsPath}\`](${resultsPath}) ` +
    `(run ${rep.started}${
      rep.commit ? ` of commit ${rep.commit}` : ""
    }, ${rep.machine.cores} cores, load average ${
      rep.machine.loadavg_start[0].toFixed(2)
    } before, ${rep.machine.loadavg_end[0].toFixed(2)} after${
      rep.quick ? "; QUICK SMOKE RUN, not for comparison" : ""
    }).`,
    "",
    `| driver | ${head.join(" | ")} |`,
    `| --- | ${head.map(() => "--:").join(" | ")} |`,
  ];
  for (const id of ids) {
    const row = cols.map(([m, w]) => {
      const x = cells.find((y) =>
        y.id === id && y.mode === m && y.workload === w &&
        y.concurrency === c
      );
      return x?.cpu ? `${fmtCpu(x.cpu)} µs · ${fmtOps(x.ops)}` : "–";
    });
    if (row.some((x) => x !== "–")) lines.push(`| ${driverLabel(id)} | ${row.join(" | ")} |`);
  }
  const mem = cells.filter((x) => x.mode === "memory" && x.rss_per_req)
    .sort((a, b) => orderOf(a.id) - orderOf(b.id));
  if (mem.length) {
    lines.push(
      "",
      `Memory per request with ${int(mem[0].concurrency)} requests in flight (null cluster, ` +
        "median; RSS / JS heap bytes): " +
        mem.map((x) =>
          `${driverLabel(x.id)} ${int(x.rss_per_req!.median)} / ${
            x.heap_per_req ? int(x.heap_per_req.median) : "–"
          }`
        ).join("; ") + ".",
    );
  }
  const tab = summarize(rep.runs.filter((r) => r.mode === "tablets" && r.tablets?.requests))
    .sort((a, b) => orderOf(a.id) - orderOf(b.id) || a.concurrency - b.concurrency);
  if (tab.length) {
    lines.push(
      "",
      "Tablets simulation (simulated ScyllaDB, not ScyllaDB; `tablets_read`): share of requests " +
        "on the replica's shard, median over the repeats: " +
        tab.map((x) => {
          const s = spread(
            rep.runs.filter((r) =>
              r.mode === "tablets" && r.id === x.id && r.concurrency === x.concurrency &&
              r.tablets?.requests
            ).map((r) => (100 * r.tablets!.onReplicaShard) / r.tablets!.requests),
          );
          return `${driverLabel(x.id)} ${s ? s.median.toFixed(1) : "–"} %`;
        }).join("; ") + ".",
    );
  }
  if (rep.decode?.length) {
    lines.push(
      "",
      "Decoding one 5 000-row × 10-column page (rows/s): " +
        rep.decode.filter((d) => d.rows_per_s).map((d) =>
          `${d.impl} on ${d.runtime} ${(d.rows_per_s! / 1e6).toFixed(2)} M`
        ).join("; ") + ".",
    );
  }
  lines.push("", README_END);
  return lines.join("\n");
}
