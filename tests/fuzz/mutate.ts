/**
 * Turns valid generated frames into hostile byte streams: count and length
 * fields replaced by extremes (0x7fffffff, 0xffffffff, 0x80000000, …),
 * header claims of 2 GiB and beyond, bodies cut short (header fixed up or
 * not), bytes deleted or inserted, opcodes / flags / stream ids swapped, bit
 * flips and byte overwrites anywhere, and the stream cut mid-frame.
 *
 * A plan is generated independently of the frames it is applied to (indexes
 * are taken modulo what is there), so no `chain` is needed and cases stay cheap.
 * @module
 */

// @ts-types="../../node_modules/fast-check/lib/fast-check.d.ts"
import fc from "fast-check";
import { FrameFlag, HEADER_LENGTH, MAX_FRAME_BODY } from "../../src/wire/frame.ts";
import { compressorFor } from "../../src/wire/compression/mod.ts";
import type { ColumnSpec } from "../../src/wire/metadata.ts";
import type { Field } from "./cql_types.ts";
import type { GenFrame } from "./frames.ts";

/** Compression a generated "connection" negotiated. */
export type CompressionChoice = "lz4" | "snappy" | null;

/** Frames as bytes, ready to be mutated and fed to the decoder. */
export interface Stream {
  /** Each frame's body (compressed when `compression` is set). */
  bodies: Uint8Array[];
  /** Each frame's recorded count/length fields, relative to its body (none once compressed). */
  fields: Field[][];
  /** Each frame's header fields. */
  headers: { flags: number; stream: number; opcode: number; claim: number | null }[];
  compression: CompressionChoice;
  /** Columns of No_metadata Rows answers, by stream id. */
  known: Map<number, ColumnSpec[]>;
}

/** Lays out generated frames, compressing every body when asked. */
export function toStream(frames: readonly GenFrame[], compression: CompressionChoice): Stream {
  const codec = compression === null ? null : compressorFor(compression);
  const known = new Map<number, ColumnSpec[]>();
  for (const f of frames) if (f.known) known.set(f.stream, f.known);
  return {
    bodies: frames.map((f) => codec ? codec.compress(f.body.bytesOut()) : f.body.bytesOut()),
    fields: frames.map((f) => codec ? [] : f.body.fields.slice()),
    headers: frames.map((f) => ({
      flags: codec ? f.flags | FrameFlag.COMPRESSION : f.flags,
      stream: f.stream,
      opcode: f.opcode,
      claim: null,
    })),
    compression,
    known,
  };
}

/** The stream's bytes; a header's `claim` overrides its real body length. */
export function streamBytes(s: Stream): Uint8Array {
  let total = 0;
  for (const b of s.bodies) total += HEADER_LENGTH + b.length;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  s.bodies.forEach((body, i) => {
    const h = s.headers[i];
    out[at] = 0x84;
    out[at + 1] = h.flags;
    out[at + 2] = (h.stream >> 8) & 0xff;
    out[at + 3] = h.stream & 0xff;
    out[at + 4] = h.opcode;
    view.setUint32(at + 5, h.claim ?? body.length);
    out.set(body, at + HEADER_LENGTH);
    at += HEADER_LENGTH + body.length;
  });
  return out;
}

// ───────────────────────────── plans ─────────────────────────────

/** A replacement for an `[int]`: absolute, or relative to the value there. */
type IntValue = { abs: number } | { rel: number };

const int32Extreme: fc.Arbitrary<IntValue> = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      0x7fffffff,
      -1,
      -2,
      -0x80000000,
      0,
      1,
      0x7ffffffe,
      0xffff,
      0x10000,
      0x0fffffff,
      0x10000000,
    ).map((abs) => ({ abs })),
    weight: 4,
  },
  {
    arbitrary: fc.integer({ min: -0x80000000, max: 0x7fffffff }).map((abs) => ({ abs })),
    weight: 2,
  },
  { arbitrary: fc.integer({ min: -8, max: 8 }).map((rel) => ({ rel })), weight: 3 },
);

const shortExtreme: fc.Arbitrary<IntValue> = fc.oneof(
  {
    arbitrary: fc.constantFrom(0xffff, 0x8000, 0x7fff, 0, 1, 0xfffe).map((abs) => ({ abs })),
    weight: 4,
  },
  { arbitrary: fc.nat(0xffff).map((abs) => ({ abs })), weight: 2 },
  { arbitrary: fc.integer({ min: -8, max: 8 }).map((rel) => ({ rel })), weight: 3 },
);

/**
 * A frame header's body-length claim. Claims above {@link MAX_FRAME_BODY} (2 GiB
 * included) must be refused before any allocation; the rest are near the truth.
 */
const claimArb: fc.Arbitrary<IntValue> = fc.oneof(
  fc.constantFrom(0x7fffffff, 0xffffffff, 0x80000000, MAX_FRAME_BODY + 1, 0, 1).map((abs) => ({
    abs,
  })),
  fc.integer({ min: MAX_FRAME_BODY + 1, max: 0xffffffff }).map((abs) => ({ abs })),
  fc.integer({ min: -16, max: 16 }).map((rel) => ({ rel })),
);

/** Everything one mutated case does to its frames (indexes taken modulo what exists). */
export interface Plan {
  fieldEdits: { frame: number; field: number; int: IntValue; short: IntValue }[];
  bodyEdits: {
    frame: number;
    kind: "truncate" | "delete" | "insert";
    at: number;
    len: number;
    bytes: Uint8Array;
    fixHeader: boolean;
  }[];
  headerEdits: {
    frame: number;
    what: "opcode" | "flags" | "stream" | "claim";
    value: number;
    claim: IntValue;
  }[];
  flips: { pos: number; bit: number }[];
  sets: { pos: number; byte: number }[];
  cut: number | null;
}

const NONE: Plan = {
  fieldEdits: [],
  bodyEdits: [],
  headerEdits: [],
  flips: [],
  sets: [],
  cut: null,
};

/** One kind of damage; most of it aimed at count and length fields deep in the body. */
const singlePlanArb: fc.Arbitrary<Plan> = fc.oneof(
  {
    arbitrary: fc.array(
      fc.record({ frame: fc.nat(), field: fc.nat(), int: int32Extreme, short: shortExtreme }),
      { minLength: 1, maxLength: 2 },
    ).map((fieldEdits) => ({ ...NONE, fieldEdits })),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      frame: fc.nat(),
      kind: fc.constantFrom<"truncate" | "delete" | "insert">("truncate", "delete", "insert"),
      at: fc.nat(),
      len: fc.integer({ min: 1, max: 16 }),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
      fixHeader: fc.boolean(),
    }).map((e) => ({ ...NONE, bodyEdits: [e] })),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      frame: fc.nat(),
      what: fc.constantFrom<"opcode" | "flags" | "stream" | "claim">(
        "opcode",
        "flags",
        "stream",
        "claim",
      ),
      value: fc.nat(0xffff),
      claim: claimArb,
    }).map((e) => ({ ...NONE, headerEdits: [e] })),
    weight: 2,
  },
  {
    arbitrary: fc.array(fc.record({ pos: fc.nat(), bit: fc.nat(7) }), {
      minLength: 1,
      maxLength: 4,
    }).map((flips) => ({ ...NONE, flips })),
    weight: 3,
  },
  {
    arbitrary: fc.array(fc.record({ pos: fc.nat(), byte: fc.nat(255) }), {
      minLength: 1,
      maxLength: 3,
    }).map((sets) => ({ ...NONE, sets })),
    weight: 1,
  },
  { arbitrary: fc.nat().map((cut) => ({ ...NONE, cut })), weight: 1 },
);

/** Random plans: usually one kind of damage, sometimes two combined. */
export const planArb: fc.Arbitrary<Plan> = fc.oneof(
  { arbitrary: singlePlanArb, weight: 4 },
  {
    arbitrary: fc.tuple(singlePlanArb, singlePlanArb).map(([x, y]) => ({
      fieldEdits: [...x.fieldEdits, ...y.fieldEdits],
      bodyEdits: [...x.bodyEdits, ...y.bodyEdits],
      headerEdits: [...x.headerEdits, ...y.headerEdits],
      flips: [...x.flips, ...y.flips],
      sets: [...x.sets, ...y.sets],
      cut: x.cut ?? y.cut,
    })),
    weight: 1,
  },
);

function applyInt(v: IntValue, old: number): number {
  return "abs" in v ? v.abs : old + v.rel;
}

/** Applies `plan` to `s` (which it changes) and returns the hostile bytes. */
export function applyPlan(s: Stream, plan: Plan): Uint8Array {
  const n = s.bodies.length;
  for (const e of plan.fieldEdits) {
    const i = e.frame % n;
    const fields = s.fields[i];
    if (fields.length === 0) continue;
    const f = fields[e.field % fields.length];
    const body = s.bodies[i] = s.bodies[i].slice();
    const view = new DataView(body.buffer);
    if (f.size === 4) view.setInt32(f.at, applyInt(e.int, view.getInt32(f.at)) | 0);
    else view.setUint16(f.at, applyInt(e.short, view.getUint16(f.at)) & 0xffff);
  }
  for (const e of plan.bodyEdits) {
    const i = e.frame % n;
    const body = s.bodies[i];
    const at = body.length === 0 ? 0 : e.at % (body.length + 1);
    let next: Uint8Array;
    if (e.kind === "truncate") next = body.slice(0, at);
    else if (e.kind === "delete") {
      next = new Uint8Array([...body.subarray(0, at), ...body.subarray(at + e.len)]);
    } else next = new Uint8Array([...body.subarray(0, at), ...e.bytes, ...body.subarray(at)]);
    // Without the fix-up the header keeps claiming the old length.
    if (!e.fixHeader && s.headers[i].claim === null) s.headers[i].claim = body.length;
    s.bodies[i] = next;
  }
  for (const e of plan.headerEdits) {
    const h = s.headers[e.frame % n];
    if (e.what === "opcode") h.opcode = e.value & 0xff;
    else if (e.what === "flags") h.flags = e.value & 0xff;
    else if (e.what === "stream") h.stream = (e.value << 16) >> 16;
    else h.claim = applyInt(e.claim, h.claim ?? s.bodies[e.frame % n].length) >>> 0;
  }
  let bytes = streamBytes(s);
  for (const f of plan.flips) if (bytes.length) bytes[f.pos % bytes.length] ^= 1 << f.bit;
  for (const e of plan.sets) if (bytes.length) bytes[e.pos % bytes.length] = e.byte;
  if (plan.cut !== null) bytes = bytes.slice(0, plan.cut % (bytes.length + 1));
  return bytes;
}

/**
 * Whether some frame header in `bytes` claims a body within {@link MAX_FRAME_BODY}
 * but more than `slack` bytes beyond what the stream holds. The decoder walks
 * headers the same way; such a claim makes it allocate the whole claimed body up
 * front (see the skipped "eager allocation" test in tests/unit/fuzz_test.ts).
 */
export function claimsUnsentBody(bytes: Uint8Array, slack = 64 * 1024): boolean {
  let at = 0;
  while (bytes.length - at >= HEADER_LENGTH) {
    if ((bytes[at] & 0x7f) !== 4) return false;
    const claim = new DataView(bytes.buffer, bytes.byteOffset).getUint32(at + 5);
    if (claim > MAX_FRAME_BODY) return false;
    const rest = bytes.length - at - HEADER_LENGTH;
    if (claim > rest) return claim - rest > slack;
    at += HEADER_LENGTH + claim;
  }
  return false;
}
