/**
 * Protocol v5 segment framing micro-benchmark: MB/s of envelope bytes through
 * `SegmentEncoder.encode` and through `SegmentFrameDecoder` (fed 64 KiB
 * chunks, as a socket delivers them), without and with LZ4, for
 *
 * - 1 KiB envelopes, 64 per encode call (one event-loop turn's worth), packed
 *   into self-contained segments;
 * - 1 KiB envelopes, one per call (a lone request);
 * - 1 MiB envelopes, each split into 9 non-self-contained segments;
 *
 * plus the raw CRC32 rate. Bodies are ROWS-like (ids, e-mail text, random
 * uuids), so LZ4 has something to find but not everything. Each figure is the
 * best of 5 rounds (see {@link rate}).
 *
 * Deno: `deno run -A bench/segment_micro.ts`
 * Bun:  `bun bench/segment_micro.ts`
 * @module
 */

import { crc32, SegmentEncoder, SegmentFrameDecoder } from "../src/wire/segment/mod.ts";
import type { SegmentCompression } from "../src/wire/segment/mod.ts";

/** A deterministic ROWS-like body of `size` bytes. */
function rowsBody(size: number, seed: number): Uint8Array {
  let x = seed | 0 || 1;
  const rnd = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const names = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"];
  const enc = new TextEncoder();
  const out = new Uint8Array(size);
  let i = 0;
  for (let row = 0; i < size; row++) {
    const cells = [
      [0, 0, row >>> 8, row & 0xff],
      [...enc.encode(`${names[rnd() % names.length]}.${rnd() % 10000}@example.com`)],
      Array.from({ length: 16 }, () => rnd() & 0xff),
    ];
    for (const c of cells) {
      for (const b of [0, 0, 0, c.length, ...c]) {
        if (i < size) out[i++] = b;
      }
    }
  }
  return out;
}

/** `count` v5 RESULT envelopes of `bodySize` body bytes, back to back. */
function envelopes(count: number, bodySize: number): Uint8Array {
  const size = 9 + bodySize;
  const out = new Uint8Array(count * size);
  for (let i = 0; i < count; i++) {
    const at = i * size;
    out.set([0x85, 0, (i >> 8) & 0x7f, i & 0xff, 0x08], at);
    new DataView(out.buffer).setUint32(at + 5, bodySize);
    out.set(rowsBody(bodySize, i + 1), at + 9);
  }
  return out;
}

/**
 * Runs `fn` (which handles `bytes` bytes) after a warm-up in 5 rounds of
 * `ms / 5` and returns the best round's MB/s: on a shared machine the best
 * round is the one least disturbed by other processes.
 */
function rate(bytes: number, fn: () => void, ms = 1500): number {
  const warm = performance.now();
  while (performance.now() - warm < ms / 5) fn();
  let best = 0;
  for (let round = 0; round < 5; round++) {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < ms / 5) {
      for (let k = 0; k < 4; k++) fn();
      n += 4;
      t = performance.now();
    }
    best = Math.max(best, (bytes * n) / ((t - t0) / 1000) / 1e6);
  }
  return best;
}

function decodeRate(wire: Uint8Array, payloadBytes: number, compression: SegmentCompression) {
  const CHUNK = 64 * 1024;
  let got = 0;
  return rate(payloadBytes, () => {
    const d = new SegmentFrameDecoder((_h, body) => {
      got += body.length;
    }, { compression });
    for (let at = 0; at < wire.length; at += CHUNK) d.push(wire.subarray(at, at + CHUNK));
    if (got === 0) throw new Error("nothing decoded");
  });
}

function runtimeName(): string {
  const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
  if (g.Bun) return `Bun ${g.Bun.version}`;
  if (g.Deno) return `Deno ${g.Deno.version.deno}`;
  return "unknown runtime";
}

const cases = [
  { name: "1 KiB envelopes x64 per call", data: envelopes(64, 1024 - 9) },
  { name: "1 KiB envelope, one per call", data: envelopes(1, 1024 - 9) },
  { name: "1 MiB envelope (9 segments)", data: envelopes(1, 1024 * 1024 - 9) },
];

console.log(`segment framing on ${runtimeName()} (MB/s of envelope bytes)`);
console.log(
  `${"case".padEnd(32)} ${"encode".padStart(8)} ${"decode".padStart(8)} ` +
    `${"lz4 enc".padStart(8)} ${"lz4 dec".padStart(8)} ${"lz4 ratio".padStart(9)}`,
);
for (const c of cases) {
  const row: string[] = [];
  let ratio = 1;
  for (const compression of [null, "lz4"] as const) {
    const enc = new SegmentEncoder({ compression });
    const wire = enc.encode(c.data);
    if (compression === "lz4") ratio = wire.length / c.data.length;
    row.push(rate(c.data.length, () => enc.encode(c.data)).toFixed(0));
    row.push(decodeRate(wire, c.data.length, compression).toFixed(0));
  }
  console.log(
    `${c.name.padEnd(32)} ${row.map((r) => r.padStart(8)).join(" ")} ${
      ratio.toFixed(2).padStart(9)
    }`,
  );
}
const mib = envelopes(1, 1024 * 1024 - 9);
console.log(
  `CRC32 (Cassandra-primed), 1 MiB: ${
    rate(mib.length, () => crc32(mib, 0, mib.length)).toFixed(0)
  } MB/s`,
);
