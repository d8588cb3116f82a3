/**
 * Parsers of the two textual type forms servers use: CQL type text as in
 * `system_schema.columns.type` (`frozen<map<text, frozen<list<int>>>>`) and the
 * Java marshal class names of `[option]` custom types
 * (`org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.FloatType, 3)`).
 * @module
 */

import { ProtocolError } from "../errors.ts";
import {
  type CqlType,
  isNativeTypeName,
  MAX_TYPE_DEPTH,
  nativeType,
  type NativeTypeName,
  type UdtType,
} from "./cql_type.ts";

/**
 * Resolves a UDT name met in type text to its definition; `undefined` when
 * unknown, in which case {@link parseType} returns a UDT with no fields.
 */
export type UdtLookup = (keyspace: string, name: string) => UdtType | undefined;

/**
 * Parses CQL type text as found in `system_schema.columns.type`. Keywords are
 * case-insensitive, unquoted identifiers fold to lowercase, `"Quoted"` ones
 * keep their case; `varchar` becomes `text`; any other name is a UDT of
 * `keyspace` (or of `ks.name` when qualified) resolved through `udts`.
 * @throws {ProtocolError} malformed text, naming the offset of the problem
 * @example
 * ```ts
 * import { parseType } from "./cql_type_text.ts";
 * parseType("frozen<map<text, frozen<list<int>>>>"); // { kind: "map", frozen: true, … }
 * ```
 */
export function parseType(text: string, keyspace?: string, udts?: UdtLookup): CqlType {
  const p = new TypeTextParser(text, keyspace ?? "", udts);
  const t = p.type(0);
  p.skipSpace();
  if (p.pos !== text.length) p.fail("unexpected text after the type");
  return t;
}

class TypeTextParser {
  pos = 0;
  constructor(
    readonly text: string,
    readonly keyspace: string,
    readonly udts: UdtLookup | undefined,
  ) {}

  fail(problem: string): never {
    throw new ProtocolError(
      `cannot parse CQL type "${this.text}": ${problem} at offset ${this.pos}`,
    );
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  expect(ch: string): void {
    this.skipSpace();
    if (this.text[this.pos] !== ch) this.fail(`expected "${ch}"`);
    this.pos++;
  }

  /** An identifier: unquoted ones are folded to lowercase. */
  identifier(): { name: string; quoted: boolean } {
    this.skipSpace();
    const s = this.text;
    if (s[this.pos] === '"') {
      let name = "";
      for (let i = this.pos + 1; i < s.length; i++) {
        if (s[i] !== '"') {
          name += s[i];
        } else if (s[i + 1] === '"') {
          name += '"';
          i++;
        } else {
          this.pos = i + 1;
          if (name === "") this.fail("empty quoted identifier");
          return { name, quoted: true };
        }
      }
      this.fail("unterminated quoted identifier");
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(this.pos));
    if (m === null) this.fail("expected a type name");
    this.pos += m[0].length;
    return { name: m[0].toLowerCase(), quoted: false };
  }

  type(depth: number): CqlType {
    if (depth > MAX_TYPE_DEPTH) this.fail(`nesting deeper than ${MAX_TYPE_DEPTH} levels`);
    this.skipSpace();
    if (this.text[this.pos] === "'") return this.customString();
    const { name, quoted } = this.identifier();
    this.skipSpace();
    if (!quoted && this.text[this.pos] === "<") return this.parameterized(name, depth);
    if (!quoted) {
      if (name === "varchar") return nativeType("text");
      if (isNativeTypeName(name)) return nativeType(name as NativeTypeName);
    }
    return this.udt(name, false);
  }

  parameterized(name: string, depth: number): CqlType {
    this.expect("<");
    let t: CqlType;
    switch (name) {
      case "frozen":
        t = freeze(this.type(depth + 1));
        break;
      case "list":
      case "set":
        t = { kind: name, element: this.type(depth + 1), frozen: false };
        break;
      case "map": {
        const key = this.type(depth + 1);
        this.expect(",");
        t = { kind: "map", key, value: this.type(depth + 1), frozen: false };
        break;
      }
      case "tuple": {
        const elements = [this.type(depth + 1)];
        this.skipSpace();
        while (this.text[this.pos] === ",") {
          this.pos++;
          elements.push(this.type(depth + 1));
          this.skipSpace();
        }
        t = { kind: "tuple", elements };
        break;
      }
      case "vector": {
        const element = this.type(depth + 1);
        this.expect(",");
        this.skipSpace();
        const m = /^[0-9]+/.exec(this.text.slice(this.pos));
        const dimension = m === null ? 0 : Number(m[0]);
        if (!(dimension >= 1 && dimension <= 0x7fffffff)) {
          this.fail("expected a positive dimension");
        }
        this.pos += m![0].length;
        t = { kind: "vector", element, dimension };
        break;
      }
      default:
        this.pos -= 1;
        this.fail(`"${name}" takes no type parameters`);
    }
    this.expect(">");
    return t;
  }

  /** A UDT name, possibly `keyspace.name`; the first identifier is already read. */
  udt(first: string, frozen: boolean): CqlType {
    let keyspace = this.keyspace;
    let name = first;
    if (this.text[this.pos] === ".") {
      this.pos++;
      keyspace = first;
      name = this.identifier().name;
    }
    const found = this.udts?.(keyspace, name);
    if (found !== undefined) return { ...found, frozen };
    return { kind: "udt", keyspace, name, fields: [], frozen };
  }

  /** `'org.apache…Type'`: a custom type given by class name. */
  customString(): CqlType {
    const s = this.text;
    let name = "";
    for (let i = this.pos + 1; i < s.length; i++) {
      if (s[i] !== "'") {
        name += s[i];
      } else if (s[i + 1] === "'") {
        name += "'";
        i++;
      } else {
        this.pos = i + 1;
        return parseMarshalType(name);
      }
    }
    return this.fail("unterminated quoted class name");
  }
}

function freeze(t: CqlType): CqlType {
  switch (t.kind) {
    case "list":
    case "set":
    case "map":
    case "udt":
      return { ...t, frozen: true };
    default:
      return t;
  }
}

const MARSHAL_PREFIX = "org.apache.cassandra.db.marshal.";

const MARSHAL_NATIVE: Readonly<Record<string, NativeTypeName>> = {
  AsciiType: "ascii",
  LongType: "bigint",
  BytesType: "blob",
  BooleanType: "boolean",
  CounterColumnType: "counter",
  DecimalType: "decimal",
  DoubleType: "double",
  FloatType: "float",
  Int32Type: "int",
  TimestampType: "timestamp",
  DateType: "timestamp",
  UUIDType: "uuid",
  UTF8Type: "text",
  IntegerType: "varint",
  TimeUUIDType: "timeuuid",
  InetAddressType: "inet",
  SimpleDateType: "date",
  TimeType: "time",
  ShortType: "smallint",
  ByteType: "tinyint",
  DurationType: "duration",
};

/**
 * Maps a marshal class name (as sent with `[option]` id 0x0000) to a type:
 * native types, `List/Set/Map/Tuple/User/Vector/Frozen/ReversedType(...)`.
 * Anything not understood stays `{ kind: "custom", className }` with the text
 * of that part, so a bad name never fails a whole result.
 * @throws {ProtocolError} only for nesting deeper than 64 levels
 */
export function parseMarshalType(className: string): CqlType {
  const p = new MarshalParser(className);
  try {
    const t = p.type(0);
    p.skipSpace();
    return p.pos === className.length ? t : { kind: "custom", className };
  } catch (e) {
    if (e === UNPARSEABLE) return { kind: "custom", className };
    throw e;
  }
}

const UNPARSEABLE = Symbol("unparseable");

class MarshalParser {
  pos = 0;
  constructor(readonly text: string) {}

  skipSpace(): void {
    while (this.pos < this.text.length && this.text[this.pos] === " ") this.pos++;
  }

  token(re: RegExp): string {
    this.skipSpace();
    const m = re.exec(this.text.slice(this.pos));
    if (m === null) throw UNPARSEABLE;
    this.pos += m[0].length;
    return m[0];
  }

  expect(ch: string): void {
    this.skipSpace();
    if (this.text[this.pos] !== ch) throw UNPARSEABLE;
    this.pos++;
  }

  type(depth: number): CqlType {
    if (depth > MAX_TYPE_DEPTH) {
      throw new ProtocolError(`custom type nesting deeper than ${MAX_TYPE_DEPTH} levels`);
    }
    this.skipSpace();
    const start = this.pos;
    const full = this.token(/^[A-Za-z0-9_.$]+/);
    const name = full.startsWith(MARSHAL_PREFIX) ? full.slice(MARSHAL_PREFIX.length) : full;
    const native = Object.hasOwn(MARSHAL_NATIVE, name) ? MARSHAL_NATIVE[name] : undefined;
    this.skipSpace();
    if (this.text[this.pos] !== "(") {
      return native !== undefined ? nativeType(native) : { kind: "custom", className: full };
    }
    this.pos++;
    const d = depth + 1;
    let t: CqlType;
    switch (name) {
      case "ListType":
      case "SetType":
        t = { kind: name === "ListType" ? "list" : "set", element: this.type(d) };
        break;
      case "MapType": {
        const key = this.type(d);
        this.expect(",");
        t = { kind: "map", key, value: this.type(d) };
        break;
      }
      case "FrozenType":
      case "ReversedType":
        t = this.type(d);
        break;
      case "TupleType":
        t = { kind: "tuple", elements: this.list(() => this.type(d)) };
        break;
      case "VectorType": {
        const element = this.type(d);
        this.expect(",");
        const dimension = Number(this.token(/^[0-9]{1,10}/));
        if (dimension < 1 || dimension > 0x7fffffff) throw UNPARSEABLE;
        t = { kind: "vector", element, dimension };
        break;
      }
      case "UserType": {
        const keyspace = this.token(/^[A-Za-z0-9_]+/);
        this.expect(",");
        const udtName = hexUtf8(this.token(/^[0-9A-Fa-f]+/));
        const fields: { name: string; type: CqlType }[] = [];
        this.skipSpace();
        while (this.text[this.pos] === ",") {
          this.pos++;
          const fieldName = hexUtf8(this.token(/^[0-9A-Fa-f]+/));
          this.expect(":");
          fields.push({ name: fieldName, type: this.type(d) });
          this.skipSpace();
        }
        t = { kind: "udt", keyspace, name: udtName, fields };
        break;
      }
      default:
        this.skipBalanced();
        return { kind: "custom", className: this.text.slice(start, this.pos) };
    }
    this.expect(")");
    return t;
  }

  list<T>(item: () => T): T[] {
    const out = [item()];
    this.skipSpace();
    while (this.text[this.pos] === ",") {
      this.pos++;
      out.push(item());
      this.skipSpace();
    }
    return out;
  }

  /** Skips to just after the `)` matching an already consumed `(`. */
  skipBalanced(): void {
    let open = 1;
    for (; this.pos < this.text.length; this.pos++) {
      const c = this.text[this.pos];
      if (c === "(") open++;
      else if (c === ")" && --open === 0) {
        this.pos++;
        return;
      }
    }
    throw UNPARSEABLE;
  }
}

function hexUtf8(hex: string): string {
  if (hex.length % 2 !== 0) throw UNPARSEABLE;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw UNPARSEABLE;
  }
}
