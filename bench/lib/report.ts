/**
 * Writes a bench run as markdown (`latest.md`) and a hand-drawn SVG chart
 * (`latest.svg`): ops/s and client CPU µs/op per driver.
 * @module
 */

import type { BenchReport, DecodeResult, NodeIncident, PeerStatus, RunRecord } from "./types.ts";
import { summaryTables } from "./summary.ts";

/** Driver ids that are this driver (TypeScript, any runtime). */
export function isOurs(id: string): boolean {
  return id.startsWith("rsylla-") && !id.startsWith("rsylla-py");
}

const fmtInt = (n: number | null | undefined) =>
  n === null || n === undefined || !Number.isFinite(n)
    ? "–"
    : Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
const fmt1 = (n: number | null | undefined) =>
  n === null || n === undefined || !Number.isFinite(n) ? "–" : n.toFixed(1);
function ok(rec: RunRecord): boolean {
  return rec.result !== null && rec.result.ops > 0 && rec.error === null;
}

function cell(runs: RunRecord[], mode: string, workload: string, c: number): RunRecord[] {
  return runs.filter((r) => r.mode === mode && r.workload === workload && r.concurrency === c);
}

function peersTable(peers: PeerStatus[]): string[] {
  const out = ["| peer | installed / built | detail |", "| --- | --- | --- |"];
  for (const p of peers) {
    out.push(`| ${p.peer} | ${p.ok ? "yes" : "**no**"} | ${p.detail.replace(/\|/g, "\\|")} |`);
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

/** The node incidents section: when the node stopped, during which run, and why. */
function incidentLines(incidents: NodeIncident[]): string[] {
  if (!incidents.length) return [];
  const out = [
    "## Node incidents",
    "",
    "The Cassandra node stopped answering after these runs failed. Each failed run is left out " +
    "of its cell and was repeated on the restarted node (warmed up again first).",
    "",
  ];
  for (const i of incidents) {
    out.push(
      `- ${i.at}, during ${i.during}: ${i.restarted ? "restarted" : "NOT restarted"}. Log:`,
      "",
      "  ```",
      ...i.cause.map((l) => `  ${l}`),
      "  ```",
    );
  }
  out.push("");
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
    `Run ${rep.started} → ${rep.finished} (${(rep.wall_s / 60).toFixed(1)} min)${
      rep.commit ? `, commit ${rep.commit}` : ""
    }.`,
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
    "measured phase only, divided by its operations; `· sys` after it is the kernel's part of " +
    "it (JavaScript clients report it apart). Latency: per-operation HDR histogram " +
    "(Python clients: sorted sample). Peak RSS: max RSS of the client process from " +
    "`/usr/bin/time -f %M` (VmHWM read by the client where `time` is missing). " +
    "Null server = a canned-answer CQL responder (bench/null_server.ts), a simulation, not a database.",
    "",
    "## Peers",
    "",
    ...peersTable(rep.peers),
    "",
    ...incidentLines(rep.incidents ?? []),
    (rep.settings as { repeats?: number }).repeats
      ? "## Results: median (min–max) over the interleaved repeats"
      : "## Results: ONE sample per cell (a run made before repeats were added)",
    "",
    "One row per driver and runtime (ours on Deno, Bun and Node each; never the best of them).",
    "ops/s is higher-is-better; client CPU µs/op is lower-is-better and the figure to compare,",
    "since the server shares the cores. Charts: one SVG per workload next to this file.",
    ...(rep.runs.some((r) => r.id.startsWith("floor-"))
      ? [
        "The `floor-*` rows (read_prepared) are not a driver: bench/clients/floor.ts",
        "sends pre-built EXECUTE frames to a random node through rsylla-ts's socket shim and write",
        "coalescing, decoding nothing: the least a client on that runtime and machine spends per",
        "request. What a driver spends above it is its own work.",
      ]
      : []),
    ...summaryTables(rep),
  ];
  if (rep.decode.length) {
    lines.push(
      "",
      "## Decode micro-benchmark (5 000 rows × 10 mixed columns)",
      "",
      ...decodeTable(rep.decode),
    );
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
