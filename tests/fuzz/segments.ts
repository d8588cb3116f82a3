/**
 * The protocol v5 segment-decoder fuzz targets: byte streams go through what a
 * v5 connection runs on them after the handshake — `SegmentFrameDecoder` (CRC
 * checks, LZ4, envelope reassembly) fed in random chunk splits, then the body
 * decoders with protocol version 5. Three properties:
 *
 * - **valid segments**: generated envelopes framed by `SegmentEncoder` (with
 *   or without LZ4, payload limits small enough to split envelopes) come out
 *   exactly as they went in;
 * - **mutated segments**: the same streams damaged, mostly with the CRCs fixed
 *   up afterwards so the damage reaches past the checksums (lengths, flags,
 *   LZ4 lengths, payload bytes, segments dropped, repeated or inserted), or
 *   left stale, or flipped and cut anywhere;
 * - **random segments**: random bytes, and random payloads behind headers with
 *   a valid CRC24.
 *
 * Every failure must be a `ProtocolError`, no case may hang, and no allocation
 * may exceed a bound set by the bytes received (see `decoders.ts`).
 * @module
 */

// @ts-types="../../node_modules/fast-check/lib/fast-check.d.ts"
import fc from "fast-check";
import { ProtocolError } from "../../src/errors.ts";
import { Writer } from "../../src/wire/bytes.ts";
import {
  crc24,
  crc32,
  MAX_SEGMENT_PAYLOAD,
  readLz4SegmentHeader,
  readSegmentHeader,
  type SegmentCompression,
  SegmentEncoder,
  writeLz4SegmentHeader,
  writeSegmentHeader,
} from "../../src/wire/segment/mod.ts";
import {
  allocationBound,
  context,
  cutsArb,
  describe,
  feedSegments,
  type FuzzOptions,
  lastInput,
  type SegmentOutcome,
  spyAllocations,
} from "./harness.ts";
import { frameArb, serialize } from "./frames.ts";

// ───────────────────────────── running a case ─────────────────────────────

/** One case: feed, time, spy, and check that every failure is a ProtocolError. */
function runSegmentCase(
  bytes: Uint8Array,
  cuts: readonly number[],
  compression: SegmentCompression,
  opts: FuzzOptions,
): SegmentOutcome {
  const stats = opts.stats;
  if (stats) stats.cases++;
  lastInput.bytes = bytes;
  lastInput.cuts = cuts;
  const ctx = context(null, new Map(), 5);
  const t0 = performance.now();
  const { result: out, alloc } = opts.spy === false
    ? { result: feedSegments(bytes, cuts, compression, ctx), alloc: { maxBytes: 0, maxArray: 0 } }
    : spyAllocations(() => feedSegments(bytes, cuts, compression, ctx));
  const ms = performance.now() - t0;
  const limit = opts.caseTimeLimitMs ?? 2000;
  if (ms > limit) {
    throw new Error(`decoding ${bytes.length} bytes took ${ms.toFixed(0)} ms (limit ${limit})`);
  }
  const biggest = Math.max(alloc.maxBytes, alloc.maxArray);
  if (biggest > allocationBound(bytes.length)) {
    throw new Error(`decoding ${bytes.length} bytes allocated ${biggest}`);
  }
  const failures = out.envelopes.filter((e) => "error" in e).map((e) => e.error);
  if (out.fatal !== undefined) failures.push(out.fatal);
  for (const e of failures) {
    if (!(e instanceof ProtocolError)) {
      const err = new Error(`a failure that is not a ProtocolError: ${describe(e)}`);
      (err as { cause?: unknown }).cause = e;
      throw err;
    }
  }
  if (stats) {
    stats.frames += out.envelopes.length;
    stats.decoded += out.envelopes.filter((e) => "value" in e).length;
    stats.protocolErrors += failures.length;
    if (out.fatal !== undefined) stats.fatal++;
    if (ms > stats.slowestMs) {
      stats.slowestMs = ms;
      stats.slowest = bytes.slice();
    }
  }
  return out;
}

// ───────────────────────────── streams ─────────────────────────────

/** Generated envelopes (v5 version byte) and how they are framed. */
interface SegmentCase {
  envelopes: Uint8Array[];
  compression: SegmentCompression;
  maxPayload: number;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function segmentCaseArb(): fc.Arbitrary<SegmentCase> {
  const envelope = fc.oneof(
    { arbitrary: frameArb.map((f) => serialize(f)), weight: 4 },
    // Compressible bodies, so LZ4 segments are really compressed.
    {
      arbitrary: fc.tuple(fc.nat(0x7fff), fc.integer({ min: 1, max: 3000 })).map(([s, n]) => {
        const e = new Uint8Array(9 + n);
        e.set([0x85, 0, s >> 8, s & 0xff, 0x08]);
        new DataView(e.buffer).setUint32(5, n);
        for (let i = 0; i < n; i++) e[9 + i] = 0x41 + (i % 13);
        return e;
      }),
      weight: 1,
    },
  ).map((e) => {
    e[0] = 0x85;
    return e;
  });
  return fc.record({
    envelopes: fc.array(envelope, { minLength: 1, maxLength: 5 }),
    compression: fc.constantFrom<SegmentCompression>(null, null, "lz4"),
    maxPayload: fc.oneof(
      fc.integer({ min: 1, max: 64 }),
      fc.constantFrom(100, 1000, MAX_SEGMENT_PAYLOAD),
    ),
  });
}

function encodeCase(c: SegmentCase): Uint8Array {
  const enc = new SegmentEncoder({ compression: c.compression, maxPayload: c.maxPayload });
  return enc.encode(concat(c.envelopes));
}

/** A segment as it is on the wire, taken apart so its fields can be edited. */
interface WireSegment {
  payloadLength: number;
  uncompressedLength: number;
  selfContained: boolean;
  wire: Uint8Array;
  /** The header CRC24 and payload CRC32 as sent; `null` means "recompute". */
  headerCrc: number | null;
  payloadCrc: number | null;
}

/** Takes a valid stream apart. */
function split(bytes: Uint8Array, compression: SegmentCompression): WireSegment[] {
  const hl = compression === "lz4" ? 8 : 6;
  const out: WireSegment[] = [];
  for (let at = 0; at < bytes.length;) {
    const h = compression === "lz4"
      ? readLz4SegmentHeader(bytes, at)
      : readSegmentHeader(bytes, at);
    const start = at + hl;
    out.push({
      ...h,
      wire: bytes.slice(start, start + h.payloadLength),
      headerCrc: null,
      payloadCrc: null,
    });
    at = start + h.payloadLength + 4;
  }
  return out;
}

/** Puts segments back together; fields beyond 17 bits are masked as the header would. */
function join(segs: readonly WireSegment[], compression: SegmentCompression): Uint8Array {
  const w = new Writer(256);
  for (const s of segs) {
    const hl = compression === "lz4" ? 8 : 6;
    w.ensure(hl + s.wire.length + 4);
    const at = w.length;
    const length = s.payloadLength & MAX_SEGMENT_PAYLOAD;
    if (compression === "lz4") {
      writeLz4SegmentHeader(
        w.buf,
        at,
        length,
        s.uncompressedLength & MAX_SEGMENT_PAYLOAD,
        s.selfContained,
      );
    } else {
      writeSegmentHeader(w.buf, at, length, s.selfContained);
    }
    if (s.headerCrc !== null) {
      w.buf.set([s.headerCrc & 0xff, (s.headerCrc >>> 8) & 0xff, s.headerCrc >>> 16], at + hl - 3);
    }
    w.length = at + hl;
    w.writeRaw(s.wire);
    const c = s.payloadCrc ?? crc32(s.wire, 0, s.wire.length);
    w.writeRaw(new Uint8Array([c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24]));
  }
  return w.toBytes();
}

/** One edit of a segment list; indexes are taken modulo what exists. */
type Edit =
  | { kind: "length" | "uncompressed"; seg: number; delta: number; abs: number | null }
  | { kind: "flag"; seg: number }
  | { kind: "payload"; seg: number; pos: number; bit: number; fixCrc: boolean }
  | { kind: "staleHeader"; seg: number; crc: number }
  | { kind: "drop" | "repeat"; seg: number }
  | { kind: "insert"; seg: number; payload: Uint8Array; selfContained: boolean; validCrc: boolean };

function editArb(): fc.Arbitrary<Edit> {
  const seg = fc.nat();
  return fc.oneof(
    fc.record({
      kind: fc.constantFrom<"length" | "uncompressed">("length", "uncompressed"),
      seg,
      delta: fc.integer({ min: -16, max: 16 }),
      abs: fc.option(fc.constantFrom(0, 1, 9, MAX_SEGMENT_PAYLOAD), { nil: null }),
    }),
    fc.record({ kind: fc.constant<"flag">("flag"), seg }),
    fc.record({
      kind: fc.constant<"payload">("payload"),
      seg,
      pos: fc.nat(),
      bit: fc.nat(7),
      fixCrc: fc.boolean(),
    }),
    fc.record({ kind: fc.constant<"staleHeader">("staleHeader"), seg, crc: fc.nat(0xffffff) }),
    fc.record({ kind: fc.constantFrom<"drop" | "repeat">("drop", "repeat"), seg }),
    fc.record({
      kind: fc.constant<"insert">("insert"),
      seg,
      payload: fc.uint8Array({ maxLength: 200, size: "medium" }),
      selfContained: fc.boolean(),
      validCrc: fc.boolean(),
    }),
  );
}

function applyEdits(segs: WireSegment[], edits: readonly Edit[]): WireSegment[] {
  for (const e of edits) {
    if (segs.length === 0) break;
    const i = e.seg % segs.length;
    const s = segs[i];
    switch (e.kind) {
      case "length":
        s.payloadLength = e.abs ?? Math.max(0, s.payloadLength + e.delta);
        break;
      case "uncompressed":
        s.uncompressedLength = e.abs ?? Math.max(0, s.uncompressedLength + e.delta);
        break;
      case "flag":
        s.selfContained = !s.selfContained;
        break;
      case "payload":
        if (s.wire.length > 0) {
          // Without the fix-up the trailer keeps the CRC of the bytes before the flip.
          if (!e.fixCrc) s.payloadCrc = s.payloadCrc ?? crc32(s.wire, 0, s.wire.length);
          s.wire = s.wire.slice();
          s.wire[e.pos % s.wire.length] ^= 1 << e.bit;
        }
        break;
      case "staleHeader":
        s.headerCrc = e.crc;
        break;
      case "drop":
        segs.splice(i, 1);
        break;
      case "repeat":
        segs.splice(i, 0, { ...s });
        break;
      case "insert":
        segs.splice(i, 0, {
          payloadLength: e.payload.length,
          uncompressedLength: 0,
          selfContained: e.selfContained,
          wire: e.payload,
          headerCrc: null,
          payloadCrc: e.validCrc ? null : 0,
        });
        break;
    }
  }
  return segs;
}

// ───────────────────────────── properties ─────────────────────────────

/** Valid segment streams, split anywhere, give back exactly the envelopes framed. */
export function segmentValidProperty(opts: FuzzOptions = {}) {
  return fc.property(segmentCaseArb(), cutsArb, (c, cuts) => {
    const out = runSegmentCase(encodeCase(c), cuts, c.compression, opts);
    if (out.fatal !== undefined) throw new Error(`decoder failed: ${describe(out.fatal)}`);
    if (out.envelopes.length !== c.envelopes.length) {
      throw new Error(`${out.envelopes.length} envelopes out of ${c.envelopes.length}`);
    }
    out.envelopes.forEach((e, i) => {
      const want = c.envelopes[i];
      const stream = (want[2] << 24 >> 16) | want[3];
      if (e.header.stream !== stream || e.header.opcode !== want[4]) {
        throw new Error(`envelope ${i}: header ${e.header.stream}/${e.header.opcode}`);
      }
      const body = want.subarray(9);
      if (e.body.length !== body.length || e.body.some((b, k) => b !== body[k])) {
        throw new Error(`envelope ${i}: body differs`);
      }
    });
  });
}

/** Damaged segment streams (CRCs mostly fixed up): ProtocolError or success, nothing else. */
export function segmentMutatedProperty(opts: FuzzOptions = {}) {
  return fc.property(
    segmentCaseArb(),
    fc.array(editArb(), { minLength: 1, maxLength: 3 }),
    fc.array(fc.record({ pos: fc.nat(), bit: fc.nat(7) }), { maxLength: 2 }),
    fc.option(fc.nat(), { nil: null }),
    cutsArb,
    (c, edits, flips, cut, cuts) => {
      let bytes = join(applyEdits(split(encodeCase(c), c.compression), edits), c.compression);
      for (const f of flips) if (bytes.length) bytes[f.pos % bytes.length] ^= 1 << f.bit;
      if (cut !== null) bytes = bytes.slice(0, cut % (bytes.length + 1));
      runSegmentCase(bytes, cuts, c.compression, opts);
    },
  );
}

/** Random bytes, and random payloads behind headers with a valid CRC24 (and maybe CRC32). */
export function segmentRandomProperty(opts: FuzzOptions = {}) {
  return fc.property(
    // fast-check keeps arrays to ~10 elements unless told the size: ask for long ones too.
    fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 600, size: "max" })),
    fc.constantFrom<SegmentCompression>(null, "lz4"),
    fc.boolean(),
    fc.boolean(),
    cutsArb,
    (bytes, compression, validHeader, validPayload, cuts) => {
      const hl = compression === "lz4" ? 8 : 6;
      if (validHeader && bytes.length >= hl) {
        // A length that mostly fits what follows (the flag and LZ4 bits stay random),
        // and a right CRC24, so random payloads get past the header check.
        const room = Math.max(1, bytes.length - hl - 3);
        const len = (bytes[0] | (bytes[1] << 8)) % room;
        bytes[0] = len & 0xff;
        bytes[1] = len >>> 8;
        bytes[2] &= 0xfe;
        const c = crc24(bytes, 0, hl - 3);
        bytes.set([c & 0xff, (c >>> 8) & 0xff, c >>> 16], hl - 3);
        if (validPayload && hl + len + 4 <= bytes.length) {
          const p = crc32(bytes, hl, hl + len);
          bytes.set([p & 0xff, (p >>> 8) & 0xff, (p >>> 16) & 0xff, p >>> 24], hl + len);
        }
      }
      runSegmentCase(bytes, cuts, compression, opts);
    },
  );
}
