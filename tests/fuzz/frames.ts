/**
 * Generators of VALID server-to-client CQL v4 frames for the fuzzers: RESULT
 * (Void, Rows over random column types, Set_keyspace, Prepared, Schema_change),
 * ERROR of every code, EVENT, SUPPORTED, READY, AUTHENTICATE and AUTH_*
 * bodies, with the optional tracing / warning / custom-payload prefix, and
 * what each must decode to.
 *
 * Written by hand from native_protocol_v4.spec §4.2 and §9, not with the
 * driver's encoders; count and length fields are recorded for the mutators.
 * @module
 */

// @ts-types="../../node_modules/fast-check/lib/fast-check.d.ts"
import fc from "fast-check";
import { FrameFlag, HEADER_LENGTH, Opcode } from "../../src/wire/frame.ts";
import { ErrorCode } from "../../src/errors.ts";
import type { ColumnSpec } from "../../src/wire/metadata.ts";
import {
  Body,
  fixedBytes,
  type GenType,
  identArb,
  maybe,
  typeArb,
  writeElement,
} from "./cql_types.ts";

// ───────────────────────────── frames ─────────────────────────────

/** What a valid frame must decode to. */
export type Expect =
  | { kind: "rows"; columns: string[]; nulls: boolean[][]; paging: boolean }
  | { kind: "void" | "set_keyspace" | "schema_change" | "none" }
  | { kind: "prepared"; bind: number; result: number; pk: number }
  | { kind: "error"; code: number }
  | { kind: "event"; type: string }
  | { kind: "supported"; keys: number };

/** One generated server-to-client frame, before serialization. */
export interface GenFrame {
  flags: number;
  stream: number;
  opcode: number;
  /** The body (prefix included), with its recorded fields. */
  body: Body;
  /** Columns a No_metadata Rows result is decoded with (the prepared statement's). */
  known?: ColumnSpec[];
  expect: Expect;
}

/** The ScyllaDB rate-limit error code the fuzz "connection" announced. */
export const RATE_LIMIT_CODE = 0xf000;

const uuidBytes = fixedBytes(16);
const shortString = fc.string({ unit: "binary", maxLength: 10 });
const stringList = fc.array(shortString, { maxLength: 3 });

/** The optional prefix: tracing id, warnings, custom payload (flags chosen with it). */
const prefixArb = fc.record({
  tracing: fc.option(uuidBytes, { nil: null }),
  warnings: fc.option(stringList, { nil: null }),
  payload: fc.option(
    fc.array(fc.tuple(shortString, fc.option(fc.uint8Array({ maxLength: 8 }), { nil: null })), {
      maxLength: 2,
    }),
    { nil: null },
  ),
  beta: fc.boolean(),
});

type Prefix = typeof prefixArb extends fc.Arbitrary<infer P> ? P : never;

function writePrefix(b: Body, p: Prefix): number {
  let flags = p.beta ? FrameFlag.USE_BETA : 0;
  if (p.tracing) {
    flags |= FrameFlag.TRACING;
    p.tracing(b);
  }
  if (p.warnings) {
    flags |= FrameFlag.WARNING;
    b.stringList(p.warnings);
  }
  if (p.payload) {
    flags |= FrameFlag.CUSTOM_PAYLOAD;
    b.short(p.payload.length);
    for (const [k, v] of p.payload) b.string(k).bytes(v);
  }
  return flags;
}

/** Writes `<col_spec>`s; `global` puts keyspace and table once before them. */
function writeSpecs(b: Body, global: boolean, ks: string, table: string, cols: Col[]): void {
  if (global) b.string(ks).string(table);
  for (const c of cols) {
    if (!global) b.string(ks).string(table);
    b.string(c.name);
    c.type.option(b);
  }
}

interface Col {
  name: string;
  type: GenType;
}

const columnsArb = (depth: number, max: number) =>
  fc.uniqueArray(fc.record({ name: identArb, type: typeArb(depth) }), {
    maxLength: max,
    selector: (c) => c.name,
  });

/** A Rows result: metadata (global or per-column spec, paging state, No_metadata) and rows. */
export function rowsArb(depth = 2): fc.Arbitrary<Omit<GenFrame, "flags" | "stream">> {
  return fc.tuple(
    columnsArb(depth, 5),
    identArb,
    identArb,
    fc.boolean(),
    fc.boolean(),
    fc.boolean(),
  )
    .chain(([cols, ks, table, global, noMeta, paging]) =>
      fc.tuple(
        fc.array(fc.tuple(...cols.map((c) => maybe(c.type.cell))), { maxLength: 4 }),
        fc.option(fc.uint8Array({ maxLength: 12 }), { nil: null }),
      ).map(([rows, pagingState]) => {
        const b = new Body();
        b.int(2); // kind Rows
        b.int((global ? 1 : 0) | (paging ? 2 : 0) | (noMeta ? 4 : 0));
        b.int(cols.length);
        if (paging) b.bytes(pagingState);
        if (!noMeta) writeSpecs(b, global, ks, table, cols);
        b.int(rows.length);
        for (const row of rows) for (const cell of row) writeElement(b, cell);
        const known = cols.map((c) => ({ keyspace: ks, table, name: c.name, type: c.type.cql }));
        return {
          opcode: Opcode.RESULT,
          body: b,
          known: noMeta ? known : undefined,
          expect: {
            kind: "rows" as const,
            columns: cols.map((c) => c.name),
            nulls: rows.map((r) => r.map((c) => c === null)),
            paging: paging && pagingState !== null,
          },
        };
      })
    );
}

const preparedArb: fc.Arbitrary<Omit<GenFrame, "flags" | "stream">> = fc.tuple(
  fc.uint8Array({ minLength: 1, maxLength: 16 }),
  columnsArb(2, 4),
  columnsArb(2, 4),
  identArb,
  identArb,
  fc.boolean(),
  fc.boolean(),
  fc.boolean(),
).chain(([id, bind, result, ks, table, global, resultGlobal, noMeta]) =>
  fc.uniqueArray(fc.nat(Math.max(0, bind.length - 1)), { maxLength: bind.length }).map((pk) => {
    const b = new Body();
    b.int(4).shortBytes(id);
    b.intValue(global ? 1 : 0).int(bind.length).int(pk.length);
    for (const i of pk) b.short(i);
    writeSpecs(b, global, ks, table, bind);
    b.intValue((resultGlobal ? 1 : 0) | (noMeta ? 4 : 0)).int(result.length);
    if (!noMeta) writeSpecs(b, resultGlobal, ks, table, result);
    return {
      opcode: Opcode.RESULT,
      body: b,
      expect: {
        kind: "prepared" as const,
        bind: bind.length,
        result: noMeta ? 0 : result.length,
        pk: pk.length,
      },
    };
  })
);

const schemaChangeArb = fc.record({
  change: fc.constantFrom("CREATED", "UPDATED", "DROPPED"),
  target: fc.constantFrom("KEYSPACE", "TABLE", "TYPE", "FUNCTION", "AGGREGATE"),
  keyspace: identArb,
  name: identArb,
  args: fc.array(fc.constantFrom("int", "text", "list<int>"), { maxLength: 3 }),
});

function writeSchemaChange(
  b: Body,
  s: typeof schemaChangeArb extends fc.Arbitrary<infer S> ? S : never,
) {
  b.string(s.change).string(s.target).string(s.keyspace);
  if (s.target === "KEYSPACE") return;
  b.string(s.name);
  if (s.target === "FUNCTION" || s.target === "AGGREGATE") b.stringList(s.args);
}

const otherResultArb: fc.Arbitrary<Omit<GenFrame, "flags" | "stream">> = fc.oneof(
  fc.constant(null).map(() => ({
    opcode: Opcode.RESULT,
    body: new Body().int(1),
    expect: { kind: "void" as const },
  })),
  identArb.map((ks) => ({
    opcode: Opcode.RESULT,
    body: new Body().int(3).string(ks),
    expect: { kind: "set_keyspace" as const },
  })),
  schemaChangeArb.map((s) => {
    const b = new Body().int(5);
    writeSchemaChange(b, s);
    return { opcode: Opcode.RESULT, body: b, expect: { kind: "schema_change" as const } };
  }),
);

const CONSISTENCY = fc.integer({ min: 0, max: 10 });

/** ERROR bodies of every code in `ErrorCode`, the announced rate-limit code and unknown codes. */
const errorArb: fc.Arbitrary<Omit<GenFrame, "flags" | "stream">> = fc.tuple(
  fc.constantFrom(...Object.values(ErrorCode), RATE_LIMIT_CODE, 0x7777),
  shortString,
  fc.record({
    cl: CONSISTENCY,
    a: fc.nat(10),
    b: fc.nat(10),
    c: fc.nat(10),
    present: fc.nat(255),
    writeType: fc.constantFrom("SIMPLE", "BATCH", "BATCH_LOG", "CAS", "COUNTER"),
    ks: identArb,
    name: identArb,
    args: stringList,
    id: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
).map(([code, message, f]) => {
  const b = new Body().int(code).string(message);
  switch (code) {
    case ErrorCode.UNAVAILABLE:
      b.shortValue(f.cl).intValue(f.a).intValue(f.b);
      break;
    case ErrorCode.WRITE_TIMEOUT:
      b.shortValue(f.cl).intValue(f.a).intValue(f.b).string(f.writeType);
      break;
    case ErrorCode.READ_TIMEOUT:
      b.shortValue(f.cl).intValue(f.a).intValue(f.b).byte(f.present);
      break;
    case ErrorCode.READ_FAILURE:
      b.shortValue(f.cl).intValue(f.a).intValue(f.b).intValue(f.c).byte(f.present);
      break;
    case ErrorCode.WRITE_FAILURE:
      b.shortValue(f.cl).intValue(f.a).intValue(f.b).intValue(f.c).string(f.writeType);
      break;
    case ErrorCode.CAS_WRITE_UNKNOWN:
      b.shortValue(f.cl).intValue(f.a).intValue(f.b);
      break;
    case ErrorCode.FUNCTION_FAILURE:
      b.string(f.ks).string(f.name).stringList(f.args);
      break;
    case ErrorCode.ALREADY_EXISTS:
      b.string(f.ks).string(f.name);
      break;
    case ErrorCode.UNPREPARED:
      b.shortBytes(f.id);
      break;
    case RATE_LIMIT_CODE:
      b.byte(f.present & 1).byte(f.present >> 7);
      break;
  }
  return { opcode: Opcode.ERROR, body: b, expect: { kind: "error" as const, code } };
});

const inetArb = fc.tuple(fc.oneof(fixedBytes(4), fixedBytes(16)), fc.nat(65535));

const eventArb: fc.Arbitrary<Omit<GenFrame, "flags" | "stream">> = fc.oneof(
  fc.tuple(
    fc.constantFrom("TOPOLOGY_CHANGE", "STATUS_CHANGE"),
    fc.constantFrom("NEW_NODE", "REMOVED_NODE", "UP", "DOWN"),
    inetArb,
  ).map(([type, change, [addr, port]]) => {
    const b = new Body().string(type).string(change);
    const sub = new Body();
    addr(sub);
    b.byte(sub.length).append(sub).intValue(port);
    return { opcode: Opcode.EVENT, body: b, expect: { kind: "event" as const, type } };
  }),
  schemaChangeArb.map((s) => {
    const b = new Body().string("SCHEMA_CHANGE");
    writeSchemaChange(b, s);
    return {
      opcode: Opcode.EVENT,
      body: b,
      expect: { kind: "event" as const, type: "SCHEMA_CHANGE" },
    };
  }),
);

const controlArb: fc.Arbitrary<Omit<GenFrame, "flags" | "stream">> = fc.oneof(
  fc.array(fc.tuple(shortString, stringList), { maxLength: 4 }).map((entries) => {
    const keys = new Set(entries.map(([k]) => k));
    const b = new Body().short(entries.length);
    for (const [k, v] of entries) b.string(k).stringList(v);
    return {
      opcode: Opcode.SUPPORTED,
      body: b,
      expect: { kind: "supported" as const, keys: keys.size },
    };
  }),
  fc.constant(null).map(() => ({
    opcode: Opcode.READY,
    body: new Body(),
    expect: { kind: "none" as const },
  })),
  shortString.map((s) => ({
    opcode: Opcode.AUTHENTICATE,
    body: new Body().string(s),
    expect: { kind: "none" as const },
  })),
  fc.tuple(
    fc.constantFrom(Opcode.AUTH_CHALLENGE, Opcode.AUTH_SUCCESS),
    fc.option(fc.uint8Array({ maxLength: 16 }), { nil: null }),
  ).map(([opcode, token]) => ({
    opcode,
    body: new Body().bytes(token),
    expect: { kind: "none" as const },
  })),
);

/** Any valid message body of the kinds above. */
export const messageArb: fc.Arbitrary<Omit<GenFrame, "flags" | "stream">> = fc.oneof(
  { arbitrary: rowsArb(), weight: 6 },
  { arbitrary: preparedArb, weight: 2 },
  { arbitrary: otherResultArb, weight: 1 },
  { arbitrary: errorArb, weight: 2 },
  { arbitrary: eventArb, weight: 1 },
  { arbitrary: controlArb, weight: 1 },
);

/** One valid frame: a message with a random prefix, on a request stream (or -1 for EVENT). */
export const frameArb: fc.Arbitrary<GenFrame> = fc.tuple(
  messageArb,
  prefixArb,
  fc.integer({ min: 0, max: 32767 }),
).map(([m, prefix, stream]) => {
  const body = new Body();
  const flags = writePrefix(body, prefix);
  body.append(m.body);
  return { ...m, flags, stream: m.opcode === Opcode.EVENT ? -1 : stream, body };
});

/** A whole frame's bytes: the 9-byte header (length from the body) and the body. */
export function serialize(f: GenFrame, body: Uint8Array = f.body.bytesOut()): Uint8Array {
  const out = new Uint8Array(HEADER_LENGTH + body.length);
  out[0] = 0x84;
  out[1] = f.flags;
  out[2] = (f.stream >> 8) & 0xff;
  out[3] = f.stream & 0xff;
  out[4] = f.opcode;
  new DataView(out.buffer).setUint32(5, body.length);
  out.set(body, HEADER_LENGTH);
  return out;
}
