/**
 * Writes a bench run as markdown (`latest.md`) and a hand-drawn SVG chart
 * (`latest.svg`): ops/s and client CPU µs/op per driver.
 * @module
 */

import type { BenchReport, DecodeResult, PeerStatus, RunRecord } from "./types.ts";

/** Driver ids that are this driver (TypeScript, any runtime). */
export function isOurs(id: string): boolean {
  return id.startsWith("rsylla-") && !id.startsWith("rsylla-py");
}

/** The peers the issue's targets compare against. */
const BASELINES = [
  { id: "datastax-node", name: "DataStax (Node)" },
  { id: "py-rsylla", name: "rsylla (Python)" },
  { id: "rust", name: "Rust driver" },
];

const fmtInt = (n: number | null | undefined) =>
  n === null || n === undefined || !Number.isFinite(n)
    ? "–"
    : Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
const fmt1 = (n: number | null | undefined) =>
  n === null || n === undefined || !Number.isFinite(n) ? "–" : n.toFixed(1);
const ms = (us: number | null | undefined) =>
  us === null || us === undefined ? "–" : (us / 1000).toFixed(us < 10_000 ? 2 : 1);
const mb = (kb: number | null | undefined) =>
  kb === null || kb === undefined ? "–" : (kb / 1024).toFixed(0);
const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a && b && Number.isFinite(a) && Number.isFinite(b) ? a / b : null;
const x = (r: number | null) => (r === null ? "–" : `${r.toFixed(2)}×`);

function ok(rec: RunRecord): boolean {
  return rec.result !== null && rec.result.ops > 0 && rec.error === null;
}

/** The rsylla-ts run with the most ops/s among `runs` for one cell. */
function bestOurs(runs: RunRecord[]): RunRecord | null {
  let best: RunRecord | null = null;
  for (const r of runs) {
    if (!isOurs(r.id) || !ok(r)) continue;
    if (!best || r.result!.ops_per_s > best.result!.ops_per_s) best = r;
  }
  return best;
}

function cell(runs: RunRecord[], mode: string, workload: string, c: number): RunRecord[] {
  return runs.filter((r) => r.mode === mode && r.workload === workload && r.concurrency === c);
}

function mark(met: boolean | null): string {
  return met === null ? "n/a" : met ? "met" : "**missed**";
}

function peersTable(peers: PeerStatus[]): string[] {
  const out = ["| peer | installed / built | detail |", "| --- | --- | --- |"];
  for (const p of peers) {
    out.push(`| ${p.peer} | ${p.ok ? "yes" : "**no**"} | ${p.detail.replace(/\|/g, "\\|")} |`);
  }
  return out;
}

function comparisonTable(rep: BenchReport, mode: "cassandra" | "null"): string[] {
  const out = [
    "| workload | c | our best | ops/s | CPU µs/op | " +
    BASELINES.map((b) => `vs ${b.name}: ops ×, CPU ×`).join(" | ") + " |",
    "| --- | --- | --- | --- | --- | " + BASELINES.map(() => "---").join(" | ") + " |",
  ];
  const workloads = [...new Set(rep.runs.filter((r) => r.mode === mode).map((r) => r.workload))];
  const concs = [...new Set(rep.runs.filter((r) => r.mode === mode).map((r) => r.concurrency))];
  for (const w of workloads) {
    for (const c of concs) {
      const runs = cell(rep.runs, mode, w, c);
      if (runs.length === 0) continue;
      const best = bestOurs(runs);
      if (!best) {
        out.push(
          `| ${w} | ${c} | (no rsylla-ts result) | | | ${BASELINES.map(() => "").join(" | ")} |`,
        );
        continue;
      }
      const b = best.result!;
      const vs = BASELINES.map((base) => {
        const p = runs.find((r) => r.id === base.id && ok(r))?.result;
        if (!p) return "–";
        return `${x(ratio(b.ops_per_s, p.ops_per_s))}, ${
          x(ratio(b.cpu_us_per_op, p.cpu_us_per_op))
        }`;
      });
      out.push(
        `| ${w} | ${c} | ${b.runtime} | ${fmtInt(b.ops_per_s)} | ${fmt1(b.cpu_us_per_op)} | ${
          vs.join(" | ")
        } |`,
      );
    }
  }
  return out;
}

function targetLines(rep: BenchReport): string[] {
  const out: string[] = ["| target | measured | status |", "| --- | --- | --- |"];
  const c = 32;
  for (const w of ["read_prepared", "write_prepared"]) {
    const runs = cell(rep.runs, "cassandra", w, c);
    const best = bestOurs(runs)?.result;
    const ds = runs.find((r) => r.id === "datastax-node" && ok(r))?.result;
    const py = runs.find((r) => r.id === "py-rsylla" && ok(r))?.result;
    const rs = runs.find((r) => r.id === "rust" && ok(r))?.result;
    const opsDs = ratio(best?.ops_per_s, ds?.ops_per_s);
    const cpuDs = ratio(best?.cpu_us_per_op, ds?.cpu_us_per_op);
    const opsPy = ratio(best?.ops_per_s, py?.ops_per_s);
    const cpuRs = ratio(best?.cpu_us_per_op, rs?.cpu_us_per_op);
    out.push(
      `| ${w} c=${c}: ≥ 1.5× DataStax (Node) ops/s | ${x(opsDs)} | ${
        mark(opsDs === null ? null : opsDs >= 1.5)
      } |`,
    );
    out.push(
      `| ${w} c=${c}: ≤ 0.6× DataStax (Node) CPU µs/op | ${x(cpuDs)} | ${
        mark(cpuDs === null ? null : cpuDs <= 0.6)
      } |`,
    );
    out.push(
      `| ${w} c=${c}: ≥ rsylla (Python) ops/s | ${x(opsPy)} | ${
        mark(opsPy === null ? null : opsPy >= 1)
      } |`,
    );
    out.push(
      `| ${w} c=${c}: ≤ 2× Rust driver CPU µs/op | ${x(cpuRs)} | ${
        mark(cpuRs === null ? null : cpuRs <= 2)
      } |`,
    );
  }
  const dsDecode = rep.decode.find((d) =>
    d.impl.startsWith("datastax") && d.runtime.startsWith("node")
  );
  const ourDecode = rep.decode.find((d) =>
    !d.impl.startsWith("datastax") && d.runtime.startsWith("node")
  );
  const dr = ratio(ourDecode?.rows_per_s, dsDecode?.rows_per_s);
  out.push(
    `| decode micro (Node): ≥ 2× DataStax rows/s | ${x(dr)} | ${
      mark(dr === null ? null : dr >= 2)
    } |`,
  );
  for (const w of ["read_prepared", "write_prepared"]) {
    const nullConcs = [...new Set(cell2(rep.runs, "null", w).map((r) => r.concurrency))];
    for (const nc of nullConcs) {
      const runs = cell(rep.runs, "null", w, nc);
      const ds = runs.find((r) => r.id === "datastax-node" && ok(r))?.result;
      for (const ours of runs.filter((r) => isOurs(r.id) && ok(r))) {
        const o = ours.result!;
        const or = ratio(o.ops_per_s, ds?.ops_per_s);
        const cr = ratio(o.cpu_us_per_op, ds?.cpu_us_per_op);
        out.push(
          `| null ${w} c=${nc} ${ours.id}: ≥ 2× DataStax (Node) req/s, ≤ 0.5× CPU | ${x(or)}, ${
            x(cr)
          } | ${mark(or === null || cr === null ? null : or >= 2 && cr <= 0.5)} |`,
        );
      }
    }
  }
  return out;
}

function cell2(runs: RunRecord[], mode: string, workload: string): RunRecord[] {
  return runs.filter((r) => r.mode === mode && r.workload === workload);
}

function fullTable(rep: BenchReport, mode: "cassandra" | "null"): string[] {
  const out: string[] = [];
  const runs = rep.runs.filter((r) => r.mode === mode);
  const groups = new Map<string, RunRecord[]>();
  for (const r of runs) {
    const k = `${r.workload} @ concurrency ${r.concurrency}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  for (const [k, rs] of groups) {
    const paged = rs[0].workload === "paged_read";
    out.push("", `#### ${k}`, "");
    out.push(
      `| driver | runtime | ops/s${
        paged ? " (rows/s)" : ""
      } | **CPU µs/op** | mean ms | p50 ms | p99 ms | p99.9 ms | peak RSS MB | errors |`,
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    );
    const sorted = [...rs].sort((a, b) =>
      (b.result?.ops_per_s ?? -1) - (a.result?.ops_per_s ?? -1)
    );
    for (const r of sorted) {
      const id = isOurs(r.id) ? `**${r.id}**` : r.id;
      if (!r.result) {
        out.push(
          `| ${id} | | failed: ${
            (r.error ?? "").slice(0, 120).replace(/\|/g, "\\|")
          } | | | | | | | |`,
        );
        continue;
      }
      const c = r.result;
      const rowsPerS = paged ? ` (${fmtInt(c.rows / c.elapsed_s)})` : "";
      const perRow = paged && c.rows ? ` (${((c.cpu_us * 1000) / c.rows).toFixed(0)} ns/row)` : "";
      const rss = r.proc?.maxrss_kb ?? c.rss_kb;
      out.push(
        `| ${id} | ${c.runtime} | ${fmtInt(c.ops_per_s)}${rowsPerS} | **${
          fmt1(c.cpu_us_per_op)
        }**${perRow} | ${ms(c.lat_us.mean)} | ${ms(c.lat_us.p50)} | ${ms(c.lat_us.p99)} | ${
          ms(c.lat_us.p999)
        } | ${mb(rss)} | ${c.errors}${r.error ? ` (${r.error.slice(0, 60)})` : ""} |`,
      );
    }
  }
  return out;
}

function nullCoreTable(rep: BenchReport): string[] {
  const out = [
    "| driver | runtime | workload | c | req/s | CPU µs/op | req/s per client core |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  const runs = rep.runs.filter((r) => r.mode === "null" && ok(r));
  const best = new Map<string, RunRecord>();
  for (const r of runs) {
    const k = `${r.id}|${r.workload}`;
    const perCore = 1e6 / (r.result!.cpu_us_per_op ?? Infinity);
    const cur = best.get(k);
    if (!cur || perCore > 1e6 / (cur.result!.cpu_us_per_op ?? Infinity)) best.set(k, r);
  }
  for (const r of [...best.values()].sort((a, b) => a.workload.localeCompare(b.workload))) {
    const c = r.result!;
    out.push(
      `| ${
        isOurs(r.id) ? `**${r.id}**` : r.id
      } | ${c.runtime} | ${r.workload} | ${r.concurrency} | ${fmtInt(c.ops_per_s)} | ${
        fmt1(c.cpu_us_per_op)
      } | ${fmtInt(1e6 / (c.cpu_us_per_op ?? Infinity))} |`,
    );
  }
  return out;
}

function decodeTable(decode: DecodeResult[]): string[] {
  const out = [
    "| decoder | runtime | rows/s | ms per 5 000-row page |",
    "| --- | --- | --- | --- |",
  ];
  for (const d of decode) {
    out.push(
      d.error
        ? `| ${d.impl} | ${d.runtime} | failed: ${d.error.replace(/\|/g, "\\|")} | |`
        : `| ${d.impl} | ${d.runtime} | ${fmtInt(d.rows_per_s)} | ${d.ms_per_page?.toFixed(2)} |`,
    );
  }
  return out;
}

/** The markdown report. */
export function renderMarkdown(rep: BenchReport): string {
  const v = rep.machine.versions;
  const lines = [
    `# rsylla-ts benchmark${
      rep.quick ? " (QUICK SMOKE RUN: tiny op counts, not for comparison)" : ""
    }`,
    "",
    `Run ${rep.started} → ${rep.finished} (${(rep.wall_s / 60).toFixed(1)} min).`,
    "",
    "```sh",
    rep.command,
    "```",
    "",
    `Machine: ${rep.machine.cores} cores; load average at start ${
      rep.machine.loadavg_start.map((n) => n.toFixed(2)).join(" ")
    }, at end ${rep.machine.loadavg_end.map((n) => n.toFixed(2)).join(" ")}` +
    " (the server shares these cores: compare client CPU µs/op first).",
    "",
    "Versions: " + Object.entries(v).map(([k, val]) => `${k} ${val}`).join("; ") + ".",
    "",
    "Settings: " + Object.entries(rep.settings).filter(([, val]) => val !== undefined)
      .map(([k, val]) => `${k}=${JSON.stringify(val)}`).join(", ") +
    ".",
    "",
    "How it is measured: each driver × workload × concurrency is its own client process. " +
    "ops/s = successful operations / measured seconds, after the same warm-up for every driver. " +
    "**CPU µs/op** = user+sys CPU of the client process (getrusage, all its threads) over the " +
    "measured phase only, divided by its operations. Latency: per-operation HDR histogram " +
    "(Python clients: sorted sample). Peak RSS: max RSS of the client process from " +
    "`/usr/bin/time -f %M` (VmHWM read by the client where `time` is missing). " +
    "Null server = a canned-answer CQL responder (bench/null_server.ts), a simulation, not a database.",
    "",
    "## Peers",
    "",
    ...peersTable(rep.peers),
    "",
    "## Targets (issue 7)",
    "",
    ...targetLines(rep),
    "",
    "## Our best runtime against the peers (Cassandra)",
    "",
    "Ratios: ops × = our ops/s ÷ theirs (higher is better); CPU × = our CPU µs/op ÷ theirs (lower is better).",
    "",
    ...comparisonTable(rep, "cassandra"),
  ];
  if (rep.runs.some((r) => r.mode === "null")) {
    lines.push(
      "",
      "## Null-server mode (driver-bound)",
      "",
      ...comparisonTable(rep, "null"),
      "",
      "Max requests/s per client core (1e6 ÷ CPU µs/op, best concurrency):",
      "",
      ...nullCoreTable(rep),
    );
  }
  if (rep.decode.length) {
    lines.push(
      "",
      "## Decode micro-benchmark (5 000 rows × 10 mixed columns)",
      "",
      ...decodeTable(rep.decode),
    );
  }
  lines.push("", "## All runs: Cassandra", ...fullTable(rep, "cassandra"));
  if (rep.runs.some((r) => r.mode === "null")) {
    lines.push("", "## All runs: null server", ...fullTable(rep, "null"));
  }
  lines.push("");
  return lines.join("\n");
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Bars of ops/s and CPU µs/op per driver for the prepared workloads. */
export function renderSvg(rep: BenchReport): string {
  const concs = [...new Set(rep.runs.map((r) => r.concurrency))].sort((a, b) => a - b);
  const c = concs.includes(32) ? 32 : concs[0];
  const panels: { title: string; runs: RunRecord[] }[] = [];
  for (const mode of ["cassandra", "null"] as const) {
    for (const w of ["read_prepared", "write_prepared"]) {
      const runs = cell(rep.runs, mode, w, c).filter(ok)
        .sort((a, b) => b.result!.ops_per_s - a.result!.ops_per_s);
      if (runs.length) {
        panels.push({
          title: `${w}, concurrency ${c} — ${mode === "null" ? "null server" : "Cassandra"}`,
          runs,
        });
      }
    }
  }
  const W = 960, labelW = 210, barW = 300, gap = 40, rowH = 18, headH = 44;
  let y = 40;
  const parts: string[] = [];
  for (const p of panels) {
    const maxOps = Math.max(...p.runs.map((r) => r.result!.ops_per_s));
    const maxCpu = Math.max(...p.runs.map((r) => r.result!.cpu_us_per_op ?? 0));
    parts.push(
      `<text x="10" y="${y + 16}" font-size="15" font-weight="bold">${esc(p.title)}</text>`,
    );
    parts.push(
      `<text x="${labelW}" y="${
        y + 36
      }" font-size="12" fill="#555">ops/s (higher is better)</text>`,
      `<text x="${labelW + barW + gap}" y="${
        y + 36
      }" font-size="12" fill="#555">client CPU µs/op (lower is better)</text>`,
    );
    y += headH;
    for (const r of p.runs) {
      const res = r.result!;
      const ours = isOurs(r.id);
      const label = `${r.id} (${res.runtime.split(" ")[0]})`;
      const w1 = Math.max(1, (res.ops_per_s / maxOps) * (barW - 70));
      const cpu = res.cpu_us_per_op ?? 0;
      const w2 = Math.max(1, (cpu / maxCpu) * (barW - 70));
      parts.push(
        `<text x="${labelW - 8}" y="${y + 13}" font-size="12" text-anchor="end"${
          ours ? ' font-weight="bold"' : ""
        }>${esc(label)}</text>`,
        `<rect x="${labelW}" y="${y + 2}" width="${w1.toFixed(1)}" height="${rowH - 4}" fill="${
          ours ? "#1f5fbf" : "#8fb0e0"
        }"/>`,
        `<text x="${labelW + w1 + 4}" y="${y + 13}" font-size="11">${fmtInt(res.ops_per_s)}</text>`,
        `<rect x="${labelW + barW + gap}" y="${y + 2}" width="${w2.toFixed(1)}" height="${
          rowH - 4
        }" fill="${ours ? "#c8501e" : "#f0b08f"}"/>`,
        `<text x="${labelW + barW + gap + w2 + 4}" y="${y + 13}" font-size="11">${
          fmt1(cpu)
        }</text>`,
      );
      y += rowH;
    }
    y += 20;
  }
  const H = y + 30;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="22" font-size="17" font-weight="bold">rsylla-ts vs peers${
      rep.quick ? " (quick smoke run)" : ""
    } — ${esc(rep.started)}, ${rep.machine.cores} cores</text>`,
    ...parts,
    `<text x="10" y="${
      H - 10
    }" font-size="11" fill="#555">Bold/dark bars: rsylla-ts. CPU = user+sys of the client process over the measured phase ÷ operations.</text>`,
    `</svg>`,
    "",
  ].join("\n");
}
