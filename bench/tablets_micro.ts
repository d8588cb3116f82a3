/**
 * Tablet lookup micro-benchmark: ns per `TabletMap` lookup in a table of
 * 10 000 tablets with random boundaries, by `bigint` token and by `[high, low]`
 * words (`lookupHiLo`), through the map (`lookup(ks, table, token)`) and
 * through a kept table handle; then whether lookups allocate.
 *
 * Allocation check: 10M lookups with the heap sampled every 100 000; with no
 * allocation the sampled heap barely moves and no collection happens, while a
 * control loop that builds one bigint per lookup shows the climb. For the GC
 * count on Deno add `--v8-flags=--trace-gc` and count the `Scavenge` lines.
 * Bun's `heapUsed` does not move even for the control (JSC's eden collections
 * are invisible to it), so there the zero-allocation claim rests on Deno's
 * figures and on the code: bigint comparisons and typed-array reads only.
 *
 * Deno: `deno run -A bench/tablets_micro.ts`; Bun: `bun bench/tablets_micro.ts`.
 * `--lookups N` per measurement (default 10 000 000). Prints JSON lines.
 * @module
 */

import process from "node:process";
import { TabletMap } from "../src/routing/tablets.ts";

const TABLETS = 10_000;
const arg = process.argv.indexOf("--lookups");
const LOOKUPS = arg > 0 ? Number(process.argv[arg + 1]) : 10_000_000;

/** Deterministic 64-bit LCG, so both runtimes see the same table and tokens. */
let seed = 0x9e3779b97f4a7c15n;
function random64(): bigint {
  seed = (seed * 6364136223846793005n + 1442695040888963407n) & (2n ** 64n - 1n);
  return BigInt.asIntN(64, seed);
}

const bounds = new Set<bigint>();
while (bounds.size < TABLETS - 1) bounds.add(random64());
const sorted = [-(2n ** 63n), ...[...bounds].sort((a, b) => (a < b ? -1 : 1)), 2n ** 63n - 1n];
const map = new TabletMap();
const hosts = ["0a000000-0000-4000-8000-00000000000a", "0b000000-0000-4000-8000-00000000000b"];
// Inserted in shuffled order, as payloads would arrive.
const order = Array.from({ length: TABLETS }, (_, i) => i);
for (let i = order.length - 1; i > 0; i--) {
  const j = Number(BigInt.asUintN(64, random64()) % BigInt(i + 1));
  [order[i], order[j]] = [order[j], order[i]];
}
const t0 = performance.now();
for (const i of order) {
  map.insert("ks", "t", {
    firstToken: sorted[i],
    lastToken: sorted[i + 1],
    replicas: [{ hostId: hosts[i & 1], shard: i % 7 }],
  });
}
const insertMs = performance.now() - t0;
if (map.count("ks", "t") !== TABLETS) throw new Error(`expected ${TABLETS} tablets`);

const N_TOKENS = 4096; // power of two: index with a mask
const tokens: bigint[] = [];
const hiLo: Int32Array[] = [];
for (let i = 0; i < N_TOKENS; i++) {
  const t = random64();
  tokens.push(t);
  const u = BigInt.asUintN(64, t);
  hiLo.push(Int32Array.of(Number(u >> 32n) | 0, Number(u & 0xffffffffn) | 0));
}
const handle = map.tableFor("ks", "t");

type Loop = (n: number) => number;
const loops: Record<string, Loop> = {
  "map.lookup(bigint)": (n) => {
    let hits = 0;
    for (let i = 0; i < n; i++) if (map.lookup("ks", "t", tokens[i & 4095]) !== undefined) hits++;
    return hits;
  },
  "map.lookupHiLo([hi, lo])": (n) => {
    let hits = 0;
    for (let i = 0; i < n; i++) {
      if (map.lookupHiLo("ks", "t", hiLo[i & 4095][0], hiLo[i & 4095][1]) !== undefined) hits++;
    }
    return hits;
  },
  "handle.lookup(bigint)": (n) => {
    let hits = 0;
    for (let i = 0; i < n; i++) if (handle.lookup(tokens[i & 4095]) !== undefined) hits++;
    return hits;
  },
  "handle.lookupHiLo([hi, lo])": (n) => {
    let hits = 0;
    for (let i = 0; i < n; i++) {
      if (handle.lookupHiLo(hiLo[i & 4095][0], hiLo[i & 4095][1]) !== undefined) hits++;
    }
    return hits;
  },
  // Control: what building the bigint from [hi, lo] per request would add (allocates).
  "control: bigint from [hi, lo] + lookup": (n) => {
    let hits = 0;
    for (let i = 0; i < n; i++) {
      const w = hiLo[i & 4095];
      const t = (BigInt(w[0]) << 32n) | BigInt(w[1] >>> 0);
      if (handle.lookup(t) !== undefined) hits++;
    }
    return hits;
  },
};

const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
console.log(JSON.stringify({ runtime, tablets: TABLETS, insertMs: Math.round(insertMs) }));
for (const [name, loop] of Object.entries(loops)) {
  loop(200_000); // warm up
  const start = performance.now();
  const hits = loop(LOOKUPS);
  const ns = ((performance.now() - start) * 1e6) / LOOKUPS;
  if (hits !== LOOKUPS) throw new Error(`${name}: ${hits} hits of ${LOOKUPS}`);
  // Heap sampled between chunks: a loop that allocates climbs by ~bytes/lookup × chunk.
  const chunk = 100_000;
  let maxRise = 0, drops = 0;
  let prev = process.memoryUsage().heapUsed;
  const before = prev;
  for (let done = 0; done < LOOKUPS; done += chunk) {
    loop(chunk);
    const now = process.memoryUsage().heapUsed;
    if (now < prev) drops++;
    else maxRise = Math.max(maxRise, now - prev);
    prev = now;
  }
  console.log(JSON.stringify({
    runtime,
    loop: name,
    nsPerLookup: Number(ns.toFixed(1)),
    heapBeforeKiB: Math.round(before / 1024),
    heapAfterKiB: Math.round(prev / 1024),
    maxRisePerChunkKiB: Math.round(maxRise / 1024),
    heapDrops: drops,
    chunks: LOOKUPS / chunk,
    ...(name.startsWith("control") && maxRise === 0 && drops === 0
      ? { note: "this runtime's heapUsed does not show short-lived allocations" }
      : {}),
  }));
}
