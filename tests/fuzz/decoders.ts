/**
 * The decoder fuzzers, shared by the normal suite (`tests/unit/fuzz_test.ts`,
 * a few thousand cases) and `scripts/fuzz.ts` (`deno task fuzz`, a million).
 *
 * Bytes go through what a connection runs on them (`harness.ts`): `FrameDecoder`
 * fed in random chunk splits, then per frame the decompressor (when negotiated),
 * `openBody` and the body decoder of its opcode (`decodeResult` with the
 * statement's known columns and metadata cache, `decodeError` +
 * `errorFromServer`, `decodeEvent`, SUPPORTED's multimap, …). Four v4 properties:
 *
 * - **valid**: generated valid frames decode without error to what was generated;
 * - **mutated**: valid frames made hostile (see `mutate.ts`);
 * - **random stream**: pure random bytes;
 * - **random body**: random bytes behind a valid header of every opcode and flag;
 * - and the protocol v5 segment targets of `segments.ts` (valid, mutated and
 *   random segment streams through `SegmentFrameDecoder`).
 *
 * For every case: each failure is a `ProtocolError`; the case finishes within
 * a time bound (a hang fails it); and no allocation exceeds a bound set by the
 * bytes received — an allocation spy on `Uint8Array`/`Array` records the
 * largest `new X(n)` made while decoding.
 * @module
 */

// @ts-types="../../node_modules/fast-check/lib/fast-check.d.ts"
import fc from "fast-check";
import { ProtocolError, ScyllaError } from "../../src/errors.ts";
import { HEADER_LENGTH, Opcode } from "../../src/wire/frame.ts";
import { type Expect, frameArb, type GenFrame } from "./frames.ts";
import {
  applyPlan,
  claimsUnsentBody,
  type CompressionChoice,
  planArb,
  streamBytes,
  toStream,
} from "./mutate.ts";
import {
  allocationBound,
  context,
  cutsArb,
  type DecodeContext,
  type Decoded,
  describe,
  feed,
  type FuzzOptions,
  lastInput,
  type Outcome,
  spyAllocations,
} from "./harness.ts";
import { segmentMutatedProperty, segmentRandomProperty, segmentValidProperty } from "./segments.ts";

export * from "./harness.ts";
export { RATE_LIMIT_CODE } from "./frames.ts";

// ───────────────────────────── properties ─────────────────────────────

/** Runs one case: feed, time, spy, and check that every failure is a ProtocolError. */
function runCase(
  bytes: Uint8Array,
  cuts: readonly number[],
  ctx: DecodeContext,
  opts: FuzzOptions,
): Outcome | null {
  const stats = opts.stats;
  if (stats) stats.cases++;
  if ((opts.skipEagerAlloc ?? false) && claimsUnsentBody(bytes)) {
    if (stats) stats.skippedEagerAlloc++;
    return null;
  }
  lastInput.bytes = bytes;
  lastInput.cuts = cuts;
  const t0 = performance.now();
  const { result: out, alloc } = opts.spy === false
    ? { result: feed(bytes, cuts, ctx), alloc: { maxBytes: 0, maxArray: 0 } }
    : spyAllocations(() => feed(bytes, cuts, ctx));
  const ms = performance.now() - t0;
  const limit = opts.caseTimeLimitMs ?? 2000;
  if (ms > limit) {
    throw new Error(`decoding ${bytes.length} bytes took ${ms.toFixed(0)} ms (limit ${limit})`);
  }
  const bound = allocationBound(bytes.length);
  const biggest = Math.max(alloc.maxBytes, alloc.maxArray);
  if (biggest > bound) {
    throw new Error(
      `decoding ${bytes.length} bytes allocated ${biggest} (${alloc.maxBytes} bytes, ` +
        `array of ${alloc.maxArray}); bound ${bound}`,
    );
  }
  const failures = out.frames.filter((f) => "error" in f).map((f) => f.error);
  if (out.fatal !== undefined) failures.push(out.fatal);
  for (const e of failures) {
    if (!(e instanceof ProtocolError)) {
      const err = new Error(`a failure that is not a ProtocolError: ${describe(e)}`);
      (err as { cause?: unknown }).cause = e;
      throw err;
    }
  }
  if (stats) {
    stats.frames += out.frames.length;
    stats.decoded += out.frames.filter((f) => "value" in f).length;
    stats.protocolErrors += failures.length;
    if (out.fatal !== undefined) stats.fatal++;
    if (ms > stats.slowestMs) {
      stats.slowestMs = ms;
      stats.slowest = bytes.slice();
    }
    const ratio = biggest / Math.max(1, bytes.length);
    if (ratio > stats.maxAllocRatio) stats.maxAllocRatio = ratio;
  }
  return out;
}

const compressionArb = fc.constantFrom<CompressionChoice>(null, null, null, null, "lz4", "snappy");

/** 1–3 valid frames on distinct streams (each stream has its own statement). */
const framesArb = fc.uniqueArray(frameArb, {
  minLength: 1,
  maxLength: 3,
  selector: (f) => f.stream,
});

/** Valid frames and the compression they travel with. */
export const validCaseArb: fc.Arbitrary<{ frames: GenFrame[]; compression: CompressionChoice }> = fc
  .record({ frames: framesArb, compression: compressionArb });

/** Whether `d` is what `expect` says a valid frame decodes to; a reason when not. */
function mismatch(d: Decoded, expect: Expect): string | null {
  switch (expect.kind) {
    case "rows": {
      if (d.op !== "result" || d.result.kind !== "rows") return `expected rows, got ${d.op}`;
      const r = d.result;
      const names = r.columns.map((c) => c.name).join(",");
      if (names !== expect.columns.join(",")) return `columns ${names}`;
      if (r.rowCount !== expect.nulls.length) return `${r.rowCount} rows`;
      const width = expect.columns.length;
      const cells = r.chunks.flat();
      if (cells.length !== r.rowCount * width) return `${cells.length} cells`;
      for (let i = 0; i < r.rowCount; i++) {
        for (let c = 0; c < width; c++) {
          if ((cells[i * width + c] === null) !== expect.nulls[i][c]) {
            return `row ${i} cell ${c} nullness`;
          }
        }
      }
      if ((r.pagingState !== null) !== expect.paging) return "paging state";
      return null;
    }
    case "prepared":
      if (d.op !== "result" || d.result.kind !== "prepared") return `expected prepared`;
      if (d.result.bindColumns.length !== expect.bind) return "bind columns";
      if (d.result.resultColumns.length !== expect.result) return "result columns";
      if (d.result.pkIndexes.length !== expect.pk) return "pk indexes";
      return null;
    case "void":
    case "set_keyspace":
    case "schema_change":
      return d.op === "result" && d.result.kind === expect.kind ? null : `expected ${expect.kind}`;
    case "error":
      return d.op === "error" && d.code === expect.code && d.error instanceof ScyllaError
        ? null
        : `expected error ${expect.code}`;
    case "event":
      return d.op === "event" && d.type === expect.type ? null : `expected ${expect.type}`;
    case "supported":
      return d.op === "supported" && d.keys === expect.keys ? null : "supported keys";
    case "none":
      return d.op === "other" ? null : `expected nothing, got ${d.op}`;
  }
}

/** Valid frames, split anywhere, decode without error to what was generated (twice: cold, then cached metadata). */
export function validProperty(opts: FuzzOptions = {}) {
  return fc.property(validCaseArb, cutsArb, ({ frames, compression }, cuts) => {
    const s = toStream(frames, compression);
    const bytes = streamBytes(s);
    const ctx = context(compression, s.known);
    for (const pass of ["cold", "cached"]) {
      const out = runCase(bytes, cuts, ctx, opts)!;
      if (out.fatal !== undefined) {
        throw new Error(`${pass}: decoder failed: ${describe(out.fatal)}`);
      }
      if (out.frames.length !== frames.length) {
        throw new Error(`${pass}: ${out.frames.length} frames out of ${frames.length}`);
      }
      out.frames.forEach((f, i) => {
        const g = frames[i];
        if (f.header.stream !== g.stream || f.header.opcode !== g.opcode) {
          throw new Error(`${pass}: frame ${i} header ${f.header.stream}/${f.header.opcode}`);
        }
        if (f.bodyLength !== s.bodies[i].length) throw new Error(`${pass}: frame ${i} length`);
        if (f.error !== undefined) throw new Error(`${pass}: frame ${i}: ${describe(f.error)}`);
        const why = mismatch(f.value!, g.expect);
        if (why !== null) throw new Error(`${pass}: frame ${i}: ${why}`);
      });
    }
  });
}

/** Hostile versions of valid frames. */
export const mutatedCaseArb = fc.record({
  frames: framesArb,
  compression: compressionArb,
  plan: planArb,
  cuts: cutsArb,
});

/** Mutated valid frames: every failure is a ProtocolError, no hang, bounded allocation. */
export function mutatedProperty(opts: FuzzOptions = {}) {
  return fc.property(mutatedCaseArb, ({ frames, compression, plan, cuts }) => {
    const s = toStream(frames, compression);
    const bytes = applyPlan(s, plan);
    runCase(bytes, cuts, context(compression, s.known), opts);
  });
}

/** Pure random bytes, with or without a valid-looking first byte. */
export function randomStreamProperty(opts: FuzzOptions = {}) {
  return fc.property(
    // fast-check keeps arrays to ~10 elements unless told the size: ask for long ones too.
    fc.oneof(fc.uint8Array({ maxLength: 512 }), fc.uint8Array({ maxLength: 512, size: "max" })),
    fc.boolean(),
    compressionArb,
    cutsArb,
    (bytes, versionByte, compression, cuts) => {
      if (versionByte && bytes.length > 0) bytes[0] = 0x84;
      runCase(bytes, cuts, context(compression), opts);
    },
  );
}

/** Random bodies behind a correct header of any response opcode and any flags. */
export function randomBodyProperty(opts: FuzzOptions = {}) {
  return fc.property(
    fc.constantFrom(
      Opcode.RESULT,
      Opcode.RESULT,
      Opcode.RESULT,
      Opcode.ERROR,
      Opcode.EVENT,
      Opcode.SUPPORTED,
      Opcode.READY,
      Opcode.AUTHENTICATE,
      Opcode.AUTH_CHALLENGE,
      Opcode.AUTH_SUCCESS,
      0x42,
    ),
    fc.nat(0xff),
    fc.integer({ min: 1, max: 5 }),
    fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300, size: "max" })),
    compressionArb,
    cutsArb,
    (opcode, flags, kind, tail, compression, cuts) => {
      // RESULT bodies start with a valid kind more often than chance would have it.
      const body = opcode === Opcode.RESULT && (flags & 0x0f) === 0
        ? new Uint8Array([0, 0, 0, kind, ...tail])
        : tail;
      const bytes = new Uint8Array(HEADER_LENGTH + body.length);
      bytes.set([0x84, flags, 0, 1, opcode], 0);
      new DataView(bytes.buffer).setUint32(5, body.length);
      bytes.set(body, HEADER_LENGTH);
      runCase(bytes, cuts, context(compression), opts);
    },
  );
}

/**
 * The properties with the share of cases each gets: the four v4 frame targets,
 * then the three v5 segment targets of `segments.ts`.
 */
export function allProperties(opts: FuzzOptions = {}): {
  name: string;
  share: number;
  property: fc.IPropertyWithHooks<unknown[]>;
}[] {
  return [
    { name: "valid frames", share: 0.16, property: validProperty(opts) as never },
    { name: "mutated frames", share: 0.4, property: mutatedProperty(opts) as never },
    { name: "random streams", share: 0.12, property: randomStreamProperty(opts) as never },
    { name: "random bodies", share: 0.12, property: randomBodyProperty(opts) as never },
    { name: "valid segments", share: 0.05, property: segmentValidProperty(opts) as never },
    { name: "mutated segments", share: 0.1, property: segmentMutatedProperty(opts) as never },
    { name: "random segments", share: 0.05, property: segmentRandomProperty(opts) as never },
  ];
}
