/**
 * Decode micro-benchmark: rows/s decoding one RESULT Rows body of 5 000 rows ×
 * 10 columns of mixed types (int, bigint, text, uuid, timestamp, double,
 * boolean, blob, float, list<int>), the same bytes for every decoder:
 * - ours: `decodeResult(new Reader(body))` (src/wire/responses/result.ts);
 * - DataStax `cassandra-driver`: its `FrameReader.readMetadata` + the row loop of
 *   `Parser.parseRows` (lib/streams.js): `new types.Row(columns)`, `readBytes()`
 *   and `Encoder.decode` per cell, run directly on the body (no stream, no
 *   events: a lower bound on its real per-page cost).
 *
 * Deno: `deno run -A bench/decode_micro.ts`; Bun: `bun bench/decode_micro.ts`;
 * Node: `bun build bench/decode_micro.ts --target=node --outfile=.cache/bench/decode_micro.mjs`
 * then `node .cache/bench/decode_micro.mjs`. `--seconds S` per measurement (default 2).
 * Prints one JSON line per decoder on stdout.
 * @module
 */

import process from "node:process";
import { createRequire } from "node:module";
import { Reader } from "../src/wire/bytes.ts";
import { decodeResult } from "../src/wire/responses/result.ts";

const ROWS = 5000;

/** Big-endian byte builder for the test body. */
class Bytes {
  a: number[] = [];
  u8(v: number) {
    this.a.push(v & 0xff);
    return this;
  }
  i16(v: number) {
    return this.u8(v >> 8).u8(v);
  }
  i32(v: number) {
    return this.u8(v >>> 24).u8(v >>> 16).u8(v >>> 8).u8(v);
  }
  raw(b: ArrayLike<number>) {
    for (let i = 0; i < b.length; i++) this.a.push(b[i]);
    return this;
  }
  str(s: string) {
    const b = new TextEncoder().encode(s);
    return this.i16(b.length).raw(b);
  }
  cell(b: Bytes | number[]) {
    const bytes = Array.isArray(b) ? b : b.a;
    return this.i32(bytes.length).raw(bytes);
  }
}

/** One RESULT Rows body (kind, metadata with global table spec, 5 000 rows). */
export function buildBody(rows = ROWS): Uint8Array {
  const b = new Bytes().i32(2).i32(0x0001).i32(10).str("benchks").str("wide");
  // Each type as its [option] shorts: list<int> is 0x0020 then 0x0009.
  const cols: [string, number[]][] = [
    ["id", [0x09]],
    ["big", [0x02]],
    ["name", [0x0d]],
    ["uid", [0x0c]],
    ["ts", [0x0b]],
    ["score", [0x07]],
    ["flag", [0x04]],
    ["data", [0x03]],
    ["ratio", [0x08]],
    ["tags", [0x20, 0x09]],
  ];
  for (const [name, type] of cols) {
    b.str(name);
    for (const t of type) b.i16(t);
  }
  b.i32(rows);
  const f64 = new DataView(new ArrayBuffer(8));
  let x = 0x2545f491;
  const rnd = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  for (let r = 0; r < rows; r++) {
    b.cell(new Bytes().i32(r));
    b.cell(new Bytes().i32(rnd() & 0x7fff).i32(rnd()));
    b.cell([...new TextEncoder().encode(`user-${r}-${rnd() % 100000}@example.com`)]);
    b.cell(Array.from({ length: 16 }, () => rnd() & 0xff));
    const ts = 1_700_000_000_000 + r * 1000;
    b.cell(new Bytes().i32(Math.floor(ts / 2 ** 32)).i32(ts >>> 0));
    f64.setFloat64(0, rnd() / 1000);
    b.cell([...new Uint8Array(f64.buffer)]);
    b.cell([r & 1]);
    b.cell(Array.from({ length: 24 }, () => rnd() & 0xff));
    f64.setFloat32(0, r / 7);
    b.cell([...new Uint8Array(f64.buffer, 0, 4)]);
    const list = new Bytes().i32(3);
    for (let k = 0; k < 3; k++) list.cell(new Bytes().i32(r + k));
    b.cell(list);
  }
  return new Uint8Array(b.a);
}

function runtimeName(): string {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  if (g.Bun) return `bun ${g.Bun.version}`;
  return `node ${process.versions.node}`;
}

/** Runs `decode` for ~`seconds` after a warm-up; rows/s and ms per page. */
function measure(decode: () => number, seconds: number) {
  const warmEnd = performance.now() + Math.min(1000, seconds * 500);
  let sink = 0;
  while (performance.now() < warmEnd) sink += decode();
  let pages = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    sink += decode();
    pages++;
  }
  const ms = performance.now() - t0;
  return { pages, ms_per_page: ms / pages, rows_per_s: (pages * ROWS) / (ms / 1000), sink };
}

type DataStaxDecode = (body: Uint8Array) => number;

/** DataStax's decoder driven on `body`, or the reason it cannot load here. */
function dataStaxDecoder(): DataStaxDecode | string {
  try {
    const require = createRequire(import.meta.url);
    const { FrameReader } = require("cassandra-driver/lib/readers.js");
    const Encoder = require("cassandra-driver/lib/encoder.js");
    const types = require("cassandra-driver/lib/types/index.js");
    const { Buffer } = require("node:buffer");
    const encoder = new Encoder(4, {});
    const header = { version: 4, opcode: 0x08, flags: 0, streamId: 0, bodyLength: 0 };
    return (body: Uint8Array) => {
      const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      const reader = new FrameReader(header, buf, 0);
      const kind = reader.readInt();
      const meta = reader.readMetadata(kind);
      const rowLength = reader.readInt();
      const columns = meta.columns;
      const rows = new Array(rowLength);
      for (let i = 0; i < rowLength; i++) {
        const row = new types.Row(columns);
        for (let j = 0; j < columns.length; j++) {
          const c = columns[j];
          row[c.name] = encoder.decode(reader.readBytes(), c.type);
        }
        rows[i] = row;
      }
      return rows.length;
    };
  } catch (e) {
    return (e as Error).message.split("\n")[0];
  }
}

if (import.meta.main ?? true) {
  const i = process.argv.indexOf("--seconds");
  const seconds = i >= 0 ? Number(process.argv[i + 1]) : 2;
  const body = buildBody();
  const runtime = runtimeName();
  const ours = () => {
    const r = decodeResult(new Reader(body));
    return r.kind === "rows" ? r.rowCount : 0;
  };
  if (ours() !== ROWS) throw new Error("our decoder did not read 5000 rows");
  const print = (impl: string, m: ReturnType<typeof measure>) =>
    console.log(JSON.stringify({
      bench: "decode",
      impl,
      runtime,
      rows: ROWS,
      columns: 10,
      body_bytes: body.length,
      pages: m.pages,
      ms_per_page: m.ms_per_page,
      rows_per_s: m.rows_per_s,
    }));
  print("rsylla-ts decodeResult", measure(ours, seconds));
  const ds = dataStaxDecoder();
  if (typeof ds === "string") {
    console.log(JSON.stringify({ bench: "decode", impl: "datastax", runtime, error: ds }));
  } else {
    if (ds(body) !== ROWS) throw new Error("DataStax decoder did not read 5000 rows");
    print("datastax 4.10 FrameReader+Encoder", measure(() => ds(body), seconds));
  }
}
