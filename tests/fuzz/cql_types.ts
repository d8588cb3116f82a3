/**
 * Random CQL column types for the fuzzers, each with its `[option]` bytes (native
 * form, legacy id or Java marshal class name), the driver's model of it, and
 * an arbitrary of VALID cell contents: natives, custom types, list/set/map,
 * tuple, UDT and vector (fixed- and variable-size elements), nested.
 *
 * Written by hand from the spec (native_protocol_v4.spec §6, Cassandra's
 * `VectorType` framing), not with the driver's encoders. Every `[short]`/`[int]`
 * count or length written is recorded in {@link Body.fields} for the mutators.
 * @module
 */

// @ts-types="../../node_modules/fast-check/lib/fast-check.d.ts"
import fc from "fast-check";
import { Writer } from "../../src/wire/bytes.ts";
import { type CqlType, nativeType, type NativeTypeName } from "../../src/wire/cql_type.ts";

// ───────────────────────────── body builder ─────────────────────────────

/** Where a `[short]` or `[int]` count/length sits in a body. */
export interface Field {
  at: number;
  size: 2 | 4;
}

/** A body under construction that remembers its count and length fields. */
export class Body {
  readonly w: Writer = new Writer(64);
  readonly fields: Field[] = [];

  get length(): number {
    return this.w.length;
  }

  bytesOut(): Uint8Array {
    return this.w.toBytes();
  }

  byte(v: number): this {
    this.w.writeByte(v & 0xff);
    return this;
  }

  /** A `[short]` that is a count or a length (recorded). */
  short(v: number): this {
    this.fields.push({ at: this.w.length, size: 2 });
    this.w.writeShort(v);
    return this;
  }

  /** A `[short]` that is plain data (not recorded). */
  shortValue(v: number): this {
    this.w.writeShort(v);
    return this;
  }

  /** An `[int]` that is a count, a length or a kind (recorded). */
  int(v: number): this {
    this.fields.push({ at: this.w.length, size: 4 });
    this.w.writeInt(v);
    return this;
  }

  /** An `[int]` that is plain data (not recorded). */
  intValue(v: number): this {
    this.w.writeInt(v);
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.w.writeRaw(bytes);
    return this;
  }

  string(s: string): this {
    const b = UTF8.encode(s);
    return this.short(b.length).raw(b);
  }

  shortBytes(b: Uint8Array): this {
    return this.short(b.length).raw(b);
  }

  bytes(b: Uint8Array | null): this {
    if (b === null) return this.int(-1);
    return this.int(b.length).raw(b);
  }

  stringList(list: readonly string[]): this {
    this.short(list.length);
    for (const s of list) this.string(s);
    return this;
  }

  /** `[int]` length, then whatever `write` puts, the length patched afterwards. */
  sized(write: CellWrite): this {
    const at = this.w.length;
    this.int(0);
    write(this);
    this.w.patchInt(at, this.w.length - at - 4);
    return this;
  }

  /** Appends another body, keeping its recorded fields. */
  append(other: Body): this {
    const base = this.w.length;
    for (const f of other.fields) this.fields.push({ at: base + f.at, size: f.size });
    this.w.writeRaw(other.w.written());
    return this;
  }

  /** Cassandra's unsigned vint (as `duration` and vectors use it). */
  uvint(u: bigint): this {
    if (u < 0x80n) return this.byte(Number(u));
    const bits = u.toString(2).length;
    const size = bits <= 56 ? Math.ceil(bits / 7) : 9;
    const out = new Uint8Array(size);
    let v = u;
    for (let i = size - 1; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
    out[0] |= ~(0xff >> (size - 1)) & 0xff;
    return this.raw(out);
  }
}

const UTF8 = new TextEncoder();

/** Writes one cell's content (without its `[bytes]` length). */
export type CellWrite = (b: Body) => void;

// ───────────────────────────── column types ─────────────────────────────

/** A generated CQL type: how it is sent, what the driver should make of it, and its cells. */
export interface GenType {
  /** The type as the driver models it. */
  readonly cql: CqlType;
  /** Writes the `[option]` (native form where there is one). */
  readonly option: (b: Body) => void;
  /** Java marshal class name (`org.apache.cassandra.db.marshal.…`). */
  readonly marshal: string;
  /** Bytes every value takes, -1 when variable (decides vector element framing). */
  readonly fixed: number;
  /** Valid non-null cell contents. */
  readonly cell: fc.Arbitrary<CellWrite>;
}

const M = "org.apache.cassandra.db.marshal.";

/** `n` random bytes. */
export function fixedBytes(n: number): fc.Arbitrary<CellWrite> {
  return fc.uint8Array({ minLength: n, maxLength: n }).map((bytes) => (b: Body) => b.raw(bytes));
}

const textCell: fc.Arbitrary<CellWrite> = fc.string({ unit: "binary", maxLength: 12 }).map((s) => {
  const bytes = UTF8.encode(s);
  return (b: Body) => b.raw(bytes);
});

const asciiCell: fc.Arbitrary<CellWrite> = fc.string({ unit: "binary-ascii", maxLength: 12 })
  .map((s) => {
    const bytes = UTF8.encode(s);
    return (b: Body) => b.raw(bytes);
  });

const INT32 = fc.integer({ min: -2147483648, max: 2147483647 });

function zigzag(n: bigint): bigint {
  return n >= 0n ? n << 1n : ((-n) << 1n) - 1n;
}

const durationCell: fc.Arbitrary<CellWrite> = fc.tuple(
  INT32,
  INT32,
  fc.bigInt({
    min: -(2n ** 63n),
    max: 2n ** 63n - 1n,
  }),
).map(([months, days, ns]) => (b: Body) => {
  b.uvint(zigzag(BigInt(months))).uvint(zigzag(BigInt(days))).uvint(zigzag(ns));
});

const NATIVES: readonly {
  name: NativeTypeName;
  id: number;
  marshal: string;
  fixed: number;
  cell: fc.Arbitrary<CellWrite>;
}[] = [
  { name: "ascii", id: 0x01, marshal: "AsciiType", fixed: -1, cell: asciiCell },
  { name: "bigint", id: 0x02, marshal: "LongType", fixed: 8, cell: fixedBytes(8) },
  {
    name: "blob",
    id: 0x03,
    marshal: "BytesType",
    fixed: -1,
    cell: fc.uint8Array({ maxLength: 24 }).map((x) => (b: Body) => b.raw(x)),
  },
  { name: "boolean", id: 0x04, marshal: "BooleanType", fixed: 1, cell: fixedBytes(1) },
  { name: "counter", id: 0x05, marshal: "CounterColumnType", fixed: 8, cell: fixedBytes(8) },
  {
    name: "decimal",
    id: 0x06,
    marshal: "DecimalType",
    fixed: -1,
    cell: fc.tuple(INT32, fc.uint8Array({ minLength: 1, maxLength: 16 })).map(
      ([scale, u]) => (b: Body) => b.intValue(scale).raw(u),
    ),
  },
  { name: "double", id: 0x07, marshal: "DoubleType", fixed: 8, cell: fixedBytes(8) },
  { name: "float", id: 0x08, marshal: "FloatType", fixed: 4, cell: fixedBytes(4) },
  { name: "int", id: 0x09, marshal: "Int32Type", fixed: 4, cell: fixedBytes(4) },
  { name: "timestamp", id: 0x0b, marshal: "TimestampType", fixed: 8, cell: fixedBytes(8) },
  { name: "uuid", id: 0x0c, marshal: "UUIDType", fixed: 16, cell: fixedBytes(16) },
  { name: "text", id: 0x0d, marshal: "UTF8Type", fixed: -1, cell: textCell },
  {
    name: "varint",
    id: 0x0e,
    marshal: "IntegerType",
    fixed: -1,
    cell: fc.uint8Array({ minLength: 1, maxLength: 24 }).map((x) => (b: Body) => b.raw(x)),
  },
  { name: "timeuuid", id: 0x0f, marshal: "TimeUUIDType", fixed: 16, cell: fixedBytes(16) },
  {
    name: "inet",
    id: 0x10,
    marshal: "InetAddressType",
    fixed: -1,
    cell: fc.oneof(fixedBytes(4), fixedBytes(16)),
  },
  { name: "date", id: 0x11, marshal: "SimpleDateType", fixed: 4, cell: fixedBytes(4) },
  { name: "time", id: 0x12, marshal: "TimeType", fixed: 8, cell: fixedBytes(8) },
  { name: "smallint", id: 0x13, marshal: "ShortType", fixed: 2, cell: fixedBytes(2) },
  { name: "tinyint", id: 0x14, marshal: "ByteType", fixed: 1, cell: fixedBytes(1) },
  { name: "duration", id: 0x15, marshal: "DurationType", fixed: -1, cell: durationCell },
];

const nativeArb: fc.Arbitrary<GenType> = fc.constantFrom(...NATIVES).chain((n) =>
  // `text` also travels as the legacy id 0x000A, and any native as its marshal class.
  fc.constantFrom<"id" | "legacy" | "marshal">("id", "id", "id", "legacy", "marshal").map(
    (form): GenType => ({
      cql: nativeType(n.name),
      option: form === "marshal"
        ? (b) => b.short(0).string(M + n.marshal)
        : (b) => b.shortValue(form === "legacy" && n.name === "text" ? 0x0a : n.id),
      marshal: M + n.marshal,
      fixed: n.fixed,
      cell: n.cell,
    }),
  )
);

/** A custom type the driver does not know: its cells are raw bytes. */
const customArb: fc.Arbitrary<GenType> = fc.constantFrom(
  "com.example.GeoPoint",
  `${M}LexicalUUIDType`,
  `${M}CompositeType(${M}Int32Type,${M}UTF8Type)`,
).map((className): GenType => ({
  cql: { kind: "custom", className },
  option: (b) => b.short(0).string(className),
  marshal: className,
  fixed: -1,
  cell: fc.uint8Array({ maxLength: 16 }).map((x) => (b: Body) => b.raw(x)),
}));

/** A plain lowercase CQL identifier. */
export const identArb: fc.Arbitrary<string> = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/);

/** A nullable element: `null` is written as length -1. */
export function maybe(cell: fc.Arbitrary<CellWrite>): fc.Arbitrary<CellWrite | null> {
  return fc.option(cell, { nil: null, freq: 6 });
}

/** One `[bytes]` element, `null` as -1. */
export function writeElement(b: Body, e: CellWrite | null): void {
  if (e === null) b.int(-1);
  else b.sized(e);
}

function hex(s: string): string {
  return [...UTF8.encode(s)].map((x) => x.toString(16).padStart(2, "0")).join("");
}

function listLike(kind: "list" | "set", e: GenType): GenType {
  return {
    cql: { kind, element: e.cql },
    option: (b) => {
      b.shortValue(kind === "list" ? 0x20 : 0x22);
      e.option(b);
    },
    marshal: `${M}${kind === "list" ? "ListType" : "SetType"}(${e.marshal})`,
    fixed: -1,
    cell: fc.array(maybe(e.cell), { maxLength: 4 }).map((items) => (b: Body) => {
      b.int(items.length);
      for (const it of items) writeElement(b, it);
    }),
  };
}

function mapOf(k: GenType, v: GenType): GenType {
  return {
    cql: { kind: "map", key: k.cql, value: v.cql },
    option: (b) => {
      b.shortValue(0x21);
      k.option(b);
      v.option(b);
    },
    marshal: `${M}MapType(${k.marshal},${v.marshal})`,
    fixed: -1,
    cell: fc.array(fc.tuple(maybe(k.cell), maybe(v.cell)), { maxLength: 3 }).map(
      (entries) => (b: Body) => {
        b.int(entries.length);
        for (const [kk, vv] of entries) {
          writeElement(b, kk);
          writeElement(b, vv);
        }
      },
    ),
  };
}

/** Tuple and UDT cells: successive `[bytes]`, trailing components may be left out. */
function sequenceCell(parts: readonly GenType[]): fc.Arbitrary<CellWrite> {
  return fc.tuple(fc.tuple(...parts.map((p) => maybe(p.cell))), fc.nat(parts.length)).map(
    ([cells, drop]) => (b: Body) => {
      for (const c of cells.slice(0, cells.length - drop)) writeElement(b, c);
    },
  );
}

function tupleOf(elements: readonly GenType[]): GenType {
  return {
    cql: { kind: "tuple", elements: elements.map((e) => e.cql) },
    option: (b) => {
      b.shortValue(0x31).short(elements.length);
      for (const e of elements) e.option(b);
    },
    marshal: `${M}TupleType(${elements.map((e) => e.marshal).join(",")})`,
    fixed: -1,
    cell: sequenceCell(elements),
  };
}

function udtOf(keyspace: string, name: string, fields: [string, GenType][]): GenType {
  return {
    cql: {
      kind: "udt",
      keyspace,
      name,
      fields: fields.map(([n, t]) => ({ name: n, type: t.cql })),
    },
    option: (b) => {
      b.shortValue(0x30).string(keyspace).string(name).short(fields.length);
      for (const [n, t] of fields) {
        b.string(n);
        t.option(b);
      }
    },
    marshal: `${M}UserType(${keyspace},${hex(name)}` +
      fields.map(([n, t]) => `,${hex(n)}:${t.marshal}`).join("") + ")",
    fixed: -1,
    cell: sequenceCell(fields.map(([, t]) => t)),
  };
}

/** `vector<T, d>`: sent as a custom type; fixed-size elements back to back, others vint-framed. */
function vectorOf(e: GenType, dimension: number): GenType {
  const marshal = `${M}VectorType(${e.marshal}, ${dimension})`;
  return {
    cql: { kind: "vector", element: e.cql, dimension },
    option: (b) => b.short(0).string(marshal),
    marshal,
    fixed: e.fixed < 0 ? -1 : e.fixed * dimension,
    cell: fc.array(e.cell, { minLength: dimension, maxLength: dimension }).map(
      (cells) => (b: Body) => {
        for (const c of cells) {
          if (e.fixed >= 0) {
            c(b);
            continue;
          }
          const sub = new Body();
          c(sub);
          b.uvint(BigInt(sub.length)).append(sub);
        }
      },
    ),
  };
}

/** A random column type nested at most `depth` levels. */
export function typeArb(depth: number): fc.Arbitrary<GenType> {
  if (depth <= 0) return fc.oneof({ arbitrary: nativeArb, weight: 12 }, customArb);
  const inner = typeArb(depth - 1);
  return fc.oneof(
    { arbitrary: nativeArb, weight: 10 },
    { arbitrary: customArb, weight: 1 },
    {
      arbitrary: fc.tuple(fc.constantFrom<"list" | "set">("list", "set"), inner).map(([k, e]) =>
        listLike(k, e)
      ),
      weight: 3,
    },
    { arbitrary: fc.tuple(inner, inner).map(([k, v]) => mapOf(k, v)), weight: 2 },
    { arbitrary: fc.array(inner, { minLength: 1, maxLength: 4 }).map(tupleOf), weight: 2 },
    {
      arbitrary: fc.tuple(
        identArb,
        identArb,
        fc.uniqueArray(fc.tuple(identArb, inner), {
          minLength: 1,
          maxLength: 4,
          selector: ([n]) => n,
        }),
      ).map(([ks, name, fields]) => udtOf(ks, name, fields)),
      weight: 2,
    },
    {
      arbitrary: fc.tuple(inner, fc.integer({ min: 1, max: 4 })).map(([e, d]) => vectorOf(e, d)),
      weight: 2,
    },
  );
}
