/**
 * Frame body compression micro-benchmark: MB/s of uncompressed bytes for
 * compress and decompress, on CQL-ROWS-like payloads of 1 KiB, 64 KiB and 1 MiB,
 * for our pure-TS LZ4, lz4-wasm (lz4_flex) through our glue, lz4js's block
 * functions (reference only: its blocks break the LZ4 end-of-block rules) and
 * Snappy.
 *
 * Deno: `deno run -A bench/compression_micro.ts`
 * Bun:  `bun bench/compression_micro.ts`
 * Node 20 (no TS support): `bun build bench/compression_micro.ts --target=node
 *   --outfile /tmp/compression_micro.mjs && node /tmp/compression_micro.mjs`
 * @module
 */

import * as lz4js from "lz4js";
import { uncompress as snappyjsUncompress } from "snappyjs";
import { compressorFor } from "../src/wire/compression/mod.ts";
import { lz4CompressTs, lz4DecompressTs } from "../src/wire/compression/lz4.ts";
import { lz4WasmCompress, lz4WasmDecompress } from "../src/wire/compression/lz4_wasm.ts";

/** A deterministic ROWS-like body: per row an int id, a text email, a uuid, a timestamp. */
function rowsPayload(size: number, seed = 0x9e3779b9): Uint8Array {
  let x = seed | 0;
  const rnd = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const names = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"];
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  const enc = new TextEncoder();
  let i = 0;
  let row = 0;
  while (i < size) {
    const cell: number[] = [];
    const put = (bytes: ArrayLike<number>) => {
      cell.push(0, 0, 0, bytes.length);
      for (let k = 0; k < bytes.length; k++) cell.push(bytes[k]);
    };
    put([0, 0, row >>> 8, row & 0xff]);
    put(enc.encode(`${names[rnd() % names.length]}.${rnd() % 10000}@example.com`));
    const uuid: number[] = [];
    for (let k = 0; k < 16; k++) uuid.push(rnd() & 0xff);
    put(uuid);
    const ts = 1_700_000_000_000 + row * 1000 + (rnd() % 1000);
    put([0, 0, 1, 0x8b, (ts / 2 ** 24) & 0xff, (ts >>> 16) & 0xff, (ts >>> 8) & 0xff, ts & 0xff]);
    for (const b of cell) {
      if (i >= size) break;
      view.setUint8(i++, b);
    }
    row++;
  }
  return out;
}

function lz4jsCompress(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + lz4js.compressBound(body.length));
  new DataView(out.buffer).setInt32(0, body.length);
  const n = lz4js.compressBlock(body, out.subarray(4), 0, body.length, new Uint32Array(1 << 16));
  return out.subarray(0, 4 + n);
}

function lz4jsDecompress(body: Uint8Array): Uint8Array {
  const n = new DataView(body.buffer, body.byteOffset).getInt32(0);
  const out = new Uint8Array(n);
  lz4js.decompressBlock(body, out, 4, body.length - 4, 0);
  return out;
}

interface Codec {
  name: string;
  compress(b: Uint8Array): Uint8Array;
  decompress(b: Uint8Array): Uint8Array;
}

const lz4 = compressorFor("lz4");
const snappy = compressorFor("snappy");
const codecs: Codec[] = [
  { name: "lz4 ts", compress: lz4CompressTs, decompress: lz4DecompressTs },
  { name: "lz4 (driver)", compress: lz4.compress, decompress: lz4.decompress },
  { name: "lz4 wasm", compress: lz4WasmCompress, decompress: lz4WasmDecompress },
  { name: "lz4js", compress: lz4jsCompress, decompress: lz4jsDecompress },
  { name: "snappy", compress: snappy.compress, decompress: snappy.decompress },
  {
    name: "snappyjs-unc",
    compress: snappy.compress,
    decompress: (b) => snappyjsUncompress(b) as Uint8Array,
  },
];

function mbps(bytes: number, fn: () => unknown): number {
  for (let i = 0; i < 5; i++) fn();
  let iters = 0;
  const start = performance.now();
  let now = start;
  while (now - start < 400) {
    fn();
    iters++;
    now = performance.now();
  }
  return (bytes * iters) / ((now - start) / 1000) / 1e6;
}

const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
console.log(`runtime=${runtime}`);
console.log("codec         size     ratio  compress MB/s  decompress MB/s");
for (const size of [1024, 64 * 1024, 1024 * 1024]) {
  const input = rowsPayload(size);
  for (const c of codecs) {
    const packed = c.compress(input);
    const back = c.decompress(packed);
    if (back.length !== input.length || back.some((b, i) => b !== input[i])) {
      throw new Error(`${c.name} round trip failed at ${size}`);
    }
    const comp = mbps(size, () => c.compress(input));
    const dec = mbps(size, () => c.decompress(packed));
    console.log(
      `${c.name.padEnd(13)} ${String(size).padStart(7)}  ${(packed.length / size).toFixed(3)}  ${
        comp.toFixed(0).padStart(13)
      }  ${dec.toFixed(0).padStart(15)}`,
    );
  }
}
