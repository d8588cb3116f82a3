/**
 * Hostile bytes in the normal suite: the decoder fuzzers of `tests/fuzz/`
 * (valid frames, mutated frames, random streams, random bodies — about 4 000
 * cases, each fed through `FrameDecoder` in random splits and the body
 * decoders), allocation checks on oversized frame headers, and hostile
 * answers sent to a real `Connection` over a socket by the SIMULATED node of
 * `fake_server.ts`. The million-case run is `deno task fuzz` (scripts/fuzz.ts).
 *
 * Deno: `deno test -A tests/unit/fuzz_test.ts`; Bun: `bun test tests/unit/fuzz_test.ts`.
 * @module
 */

import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
// @ts-types="../../node_modules/fast-check/lib/fast-check.d.ts"
import fc from "fast-check";
import { ProtocolError, ScyllaError } from "../../src/errors.ts";
import { Connection } from "../../src/pool/connection.ts";
import { Writer } from "../../src/wire/bytes.ts";
import { FrameDecoder } from "../../src/wire/frame_decoder.ts";
import { HEADER_LENGTH, MAX_FRAME_BODY, Opcode } from "../../src/wire/frame.ts";
import { encodeQuery } from "../../src/wire/requests/query.ts";
import type { ResponseBody } from "../../src/wire/responses/envelope.ts";
import { decodeResult } from "../../src/wire/responses/result.ts";
import { decodeValue } from "../../src/wire/codec/index.ts";
import { nativeType } from "../../src/wire/cql_type.ts";
import {
  allProperties,
  context,
  feed,
  type FuzzStats,
  mutatedProperty,
  newStats,
  spyAllocations,
} from "../fuzz/decoders.ts";
import { frameArb } from "../fuzz/frames.ts";
import { applyPlan, planArb, toStream } from "../fuzz/mutate.ts";
import { FakeServer, rowsBody } from "./fake_server.ts";

/** Cases per property in the normal suite (about 4 000 in all). */
const RUNS: Record<string, number> = {
  "valid frames": 800,
  "mutated frames": 2000,
  "random streams": 600,
  "random bodies": 800,
};

function header(claim: number): Uint8Array {
  const h = new Uint8Array(HEADER_LENGTH);
  h.set([0x84, 0x00, 0x00, 0x01, Opcode.RESULT]);
  new DataView(h.buffer).setUint32(5, claim);
  return h;
}

describe("decoder fuzzing (property, ~4 000 cases)", () => {
  for (const p of allProperties({ caseTimeLimitMs: 2000 })) {
    it(`${p.name}: every failure is a ProtocolError, no hang, allocation bounded by input`, () => {
      fc.assert(p.property, { numRuns: RUNS[p.name] });
    });
  }

  it("mutated cases reach the body decoders, not only the header check", () => {
    // Guards the fuzzer itself: most hostile frames get through FrameDecoder to a body decoder.
    const stats: FuzzStats = newStats();
    fc.assert(mutatedProperty({ stats }), { numRuns: 300 });
    assert.ok(stats.frames > 350, `frames ${stats.frames}`);
    assert.ok(stats.decoded > 150, `decoded ${stats.decoded}`);
    assert.ok(stats.protocolErrors - stats.fatal > 100, `body errors ${stats.protocolErrors}`);
  });
});

describe("what a frame header makes the decoder allocate", () => {
  it("2 GiB, 4 GiB - 1 and every claim above 256 MiB: ProtocolError, no buffer beyond the header", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(0x80000000, 0xffffffff, 0x7fffffff, MAX_FRAME_BODY + 1),
          fc.integer({ min: MAX_FRAME_BODY + 1, max: 0xffffffff }),
        ),
        fc.nat(HEADER_LENGTH),
        (claim, split) => {
          const bytes = new Uint8Array([...header(claim), 1, 2, 3, 4]);
          const { result, alloc } = spyAllocations(() => {
            const d = new FrameDecoder(() => assert.fail("no frame may come out"));
            try {
              d.push(bytes.slice(0, split));
              d.push(bytes.slice(split));
            } catch (e) {
              return e;
            }
            return null;
          });
          assert.ok(result instanceof ProtocolError, `claim ${claim}: ${result}`);
          assert.ok(alloc.maxBytes <= HEADER_LENGTH, `claim ${claim} allocated ${alloc.maxBytes}`);
          assert.equal(alloc.maxArray, 0);
        },
      ),
      { numRuns: 300 },
    );
  });

  // BUG src/wire/frame_decoder.ts:54 and :72 (`new Uint8Array(header.length)`): a header
  // whose claim is within MAX_FRAME_BODY makes the decoder allocate the WHOLE claimed body
  // before any of it arrived. 9 bytes `84 00 00 01 08 10 00 00 00` cost 256 MiB per
  // connection; measured 2 000 such headers: Bun 64 s and 1.8 GB RSS (JSC zero-fills
  // eagerly), Deno 0.6 s. Expected: memory follows the bytes received (grow the partial
  // buffer as chunks arrive, or keep the chunks and join them once complete).
  // Un-skip once fixed, and drop `skipEagerAlloc` in tests/fuzz/decoders.ts.
  it("a 256 MiB claim with 3 body bytes received allocates about what was received", () => {
    const bytes = new Uint8Array([...header(MAX_FRAME_BODY), 1, 2, 3]);
    const { alloc } = spyAllocations(() => new FrameDecoder(() => {}).push(bytes));
    assert.ok(alloc.maxBytes <= 1024 * 1024, `allocated ${alloc.maxBytes} for 12 bytes received`);
  });
});

// ───────────────────────────── big cells within the frame limit ─────────────────────────────

/** Decodes one cell of `type` made of `mib` MiB of 0x11 bytes; returns the error, if any, and the time. */
function decodeBigCell(type: "varint" | "decimal", mib: number): { error: unknown; ms: number } {
  const cell = new Uint8Array(mib * 1024 * 1024).fill(0x11);
  const t0 = performance.now();
  try {
    decodeValue(nativeType(type), cell);
    return { error: null, ms: performance.now() - t0 };
  } catch (e) {
    return { error: e, ms: performance.now() - t0 };
  }
}

describe("varint and decimal cells of many MiB (a frame may carry 256 MiB)", () => {
  // BUG src/wire/codec/numbers.ts:184-185 (readVarint): the hex text is built with
  // `hex += HEX[buf[i]]`, one cons-string per byte, ~60 bytes of heap per cell byte.
  // Measured on Deno: 16 MiB cell → 2.2 s, 0.7 GB RSS; 65 MiB → 4.0 GB RSS; 129 MiB →
  // "Fatal JavaScript out of memory" — the PROCESS ABORTS, nothing can catch it. On Bun
  // 129 MiB throws RangeError after 15 s (and Connection#settle passes RangeError through
  // to the caller as is, src/pool/connection.ts:281). Input: a Rows answer with one varint
  // (or decimal) cell of 129 MiB of any bytes. Expected: a ProtocolError, quickly, for a
  // value past the runtime's BigInt limit (V8: 2^30 bits = 128 MiB), and memory linear
  // in the cell size below it. Un-skip once fixed.
  it("a 129 MiB varint cell is a ProtocolError, not an out-of-memory abort", () => {
    const { error, ms } = decodeBigCell("varint", 129);
    assert.ok(error instanceof ProtocolError, `got ${error}`);
    assert.ok(ms < 2000, `took ${ms.toFixed(0)} ms`);
  });

  // Same root cause as above: 16 MiB takes 2.2 s and 0.7 GB on Deno.
  it("a 16 MiB varint cell decodes within a second", () => {
    const { error, ms } = decodeBigCell("varint", 16);
    assert.equal(error, null);
    assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
  });

  // BUG src/wire/codec/decimal.ts:21 (formatDecimal): `unscaled.toString()` of a huge
  // unscaled value is superlinear and blocks the event loop (every connection stalls):
  // Deno 1 MiB → 1.1 s, 4 MiB → 3 s, 33 MiB → 122 s; Bun 9 MiB → 20 s. Expected: bounded
  // time — refuse a decimal past a documented size with ProtocolError, or format lazily.
  it("an 8 MiB decimal cell decodes, or is refused with ProtocolError, within 2 s", () => {
    const { error, ms } = decodeBigCell("decimal", 8);
    assert.ok(error === null || error instanceof ProtocolError, `got ${error}`);
    assert.ok(ms < 2000, `took ${ms.toFixed(0)} ms`);
  });

  it("a 1 MiB varint cell decodes to the right value", () => {
    const cell = new Uint8Array(1024 * 1024).fill(0x11);
    const v = decodeValue(nativeType("varint"), cell) as bigint;
    assert.equal(v.toString(16), "11".repeat(1024 * 1024));
  });
});

// ───────────────────────────── over a socket ─────────────────────────────

const servers: FakeServer[] = [];
const connections: Connection[] = [];
afterEach(async () => {
  for (const c of connections.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

const firstCell = (op: number, b: ResponseBody): unknown => {
  if (op !== Opcode.RESULT) throw new ProtocolError(`unexpected opcode ${op}`);
  const r = decodeResult(b.reader);
  return r.kind === "rows" ? r.chunks[0]?.[0] : r.kind;
};

describe("a Connection fed hostile answers by a SIMULATED node", () => {
  it("each request settles by its deadline, with a ScyllaError or its own answer", async () => {
    const TIMEOUT_MS = 150;
    await fc.assert(
      fc.asyncProperty(frameArb, planArb, async (frame, plan) => {
        let hostile = applyPlan(toStream([frame], null), plan);
        const s = await FakeServer.start({
          onQuery: (q) => {
            if (q.cql !== "q0") {
              q.conn.reply(q, Opcode.RESULT, rowsBody([q.cql]));
              return;
            }
            // The hostile bytes answer q0: aimed at its stream when a header is there.
            hostile = hostile.slice();
            if (hostile.length >= 4) hostile.set([(q.stream >> 8) & 0xff, q.stream & 0xff], 2);
            q.conn.sendRaw(hostile);
          },
        });
        servers.push(s);
        const c = await Connection.open({
          host: "127.0.0.1",
          port: s.port,
          noDelay: true,
          keepAliveMs: null,
          tls: null,
          compression: null,
          credentials: null,
          keyspace: null,
          connectTimeoutMs: 2000,
          maxInFlight: 8,
        });
        connections.push(c);
        const started = performance.now();
        const outcomes = await Promise.allSettled(
          ["q0", "q1", "q2"].map((cql) =>
            c.send(encodeQuery(new Writer(64), cql, { consistency: 1, pageSize: 0 }), firstCell, {
              timeoutMs: TIMEOUT_MS,
            })
          ),
        );
        const took = performance.now() - started;
        // The deadline timer ticks every 25 ms; allow a generous margin on a loaded machine.
        assert.ok(took < TIMEOUT_MS + 1000, `settled after ${took.toFixed(0)} ms`);
        outcomes.forEach((o, i) => {
          if (o.status === "rejected") {
            assert.ok(o.reason instanceof ScyllaError, `q${i}: ${o.reason}`);
          } else if (i > 0) {
            assert.equal(o.value, `q${i}`, `q${i} got another request's answer`);
          }
        });
        c.close();
        await s.close();
        servers.splice(servers.indexOf(s), 1);
      }),
      { numRuns: 30 },
    );
  });
});

describe("fuzz harness sanity", () => {
  it("feed() delivers what a valid frame holds and reports a fatal header error", () => {
    const w = new Writer().writeInt(1);
    const body = w.toBytes();
    const bytes = new Uint8Array([...header(body.length), ...body, ...header(0x80000000)]);
    const out = feed(bytes, [3, 10], context(null));
    assert.equal(out.frames.length, 1);
    assert.deepEqual(out.frames[0].value, { op: "result", result: { kind: "void" } });
    assert.ok(out.fatal instanceof ProtocolError);
  });
});
