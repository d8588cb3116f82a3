/**
 * CQL type descriptors as the server sends them in `[option]` form (v4 §4.2.5.2),
 * and their CQL text (`formatType`). Schema type text is parsed in `cql_type_text.ts`,
 * `[option]` bytes are read in `cql_type_option.ts`.
 * @module
 */

/** Option ids of the native types and the composite kinds. */
export const TypeId = {
  CUSTOM: 0x0000,
  ASCII: 0x0001,
  BIGINT: 0x0002,
  BLOB: 0x0003,
  BOOLEAN: 0x0004,
  COUNTER: 0x0005,
  DECIMAL: 0x0006,
  DOUBLE: 0x0007,
  FLOAT: 0x0008,
  INT: 0x0009,
  TIMESTAMP: 0x000b,
  UUID: 0x000c,
  VARCHAR: 0x000d,
  VARINT: 0x000e,
  TIMEUUID: 0x000f,
  INET: 0x0010,
  DATE: 0x0011,
  TIME: 0x0012,
  SMALLINT: 0x0013,
  TINYINT: 0x0014,
  DURATION: 0x0015,
  LIST: 0x0020,
  MAP: 0x0021,
  SET: 0x0022,
  UDT: 0x0030,
  TUPLE: 0x0031,
} as const;

/** Names of the native (non-composite) CQL types. */
export type NativeTypeName =
  | "ascii"
  | "bigint"
  | "blob"
  | "boolean"
  | "counter"
  | "decimal"
  | "double"
  | "float"
  | "int"
  | "timestamp"
  | "uuid"
  | "text"
  | "varint"
  | "timeuuid"
  | "inet"
  | "date"
  | "time"
  | "smallint"
  | "tinyint"
  | "duration";

/**
 * A CQL type. `frozen` is known only for types parsed from schema text; the
 * protocol's `[option]` form does not carry it, so it is then `undefined`.
 */
export type CqlType =
  | { readonly kind: "native"; readonly name: NativeTypeName }
  | { readonly kind: "list"; readonly element: CqlType; readonly frozen?: boolean }
  | { readonly kind: "set"; readonly element: CqlType; readonly frozen?: boolean }
  | {
    readonly kind: "map";
    readonly key: CqlType;
    readonly value: CqlType;
    readonly frozen?: boolean;
  }
  | { readonly kind: "tuple"; readonly elements: readonly CqlType[] }
  | {
    readonly kind: "udt";
    readonly keyspace: string;
    readonly name: string;
    readonly fields: readonly { readonly name: string; readonly type: CqlType }[];
    /** `false` only for a non-frozen UDT column parsed from schema text. */
    readonly frozen?: boolean;
  }
  | { readonly kind: "vector"; readonly element: CqlType; readonly dimension: number }
  | { readonly kind: "custom"; readonly className: string };

/** A user-defined type. */
export type UdtType = Extract<CqlType, { kind: "udt" }>;

/** Nesting deeper than this in server-sent or parsed types is refused as hostile. */
export const MAX_TYPE_DEPTH = 64;

const NATIVE_NAMES: readonly NativeTypeName[] = [
  "ascii",
  "bigint",
  "blob",
  "boolean",
  "counter",
  "decimal",
  "double",
  "float",
  "int",
  "timestamp",
  "uuid",
  "text",
  "varint",
  "timeuuid",
  "inet",
  "date",
  "time",
  "smallint",
  "tinyint",
  "duration",
];

// One shared object per native type: cheap to compare and to cache on.
const NATIVE: { readonly [K in NativeTypeName]: CqlType } = Object.fromEntries(
  NATIVE_NAMES.map((name) => [name, Object.freeze({ kind: "native", name })]),
) as { [K in NativeTypeName]: CqlType };

/** The shared descriptor of a native type, e.g. `nativeType("int")`. */
export function nativeType(name: NativeTypeName): CqlType {
  return NATIVE[name];
}

/** Whether `name` is a native type name (`varchar` is not: it is an alias of `text`). */
export function isNativeTypeName(name: string): name is NativeTypeName {
  return Object.hasOwn(NATIVE, name);
}

// Option id → native name; 0x000A was `text` in protocol v1/v2 and some servers still send it.

/**
 * CQL text of a type, as `QueryResult.colSpecs()` shows it: `map<text, int>`,
 * `frozen<addr>` (UDT name without keyspace), `set<frozen<list<int>>>`,
 * `vector<float, 3>`. Collections and UDTs nested in another type are always
 * shown frozen, since CQL requires it.
 */
export function formatType(t: CqlType): string {
  return format(t, false);
}

function format(t: CqlType, nested: boolean): string {
  switch (t.kind) {
    case "native":
      return t.name;
    case "list":
    case "set":
      return frozen(`${t.kind}<${format(t.element, true)}>`, nested || t.frozen === true);
    case "map":
      return frozen(
        `map<${format(t.key, true)}, ${format(t.value, true)}>`,
        nested || t.frozen === true,
      );
    case "tuple":
      return `tuple<${t.elements.map((e) => format(e, true)).join(", ")}>`;
    case "udt":
      return frozen(quoteIdentifier(t.name), nested || t.frozen !== false);
    case "vector":
      return `vector<${format(t.element, true)}, ${t.dimension}>`;
    case "custom":
      return `'${t.className.replaceAll("'", "''")}'`;
  }
}

function frozen(text: string, on: boolean): string {
  return on ? `frozen<${text}>` : text;
}

/** Quotes a CQL identifier unless it is a plain lowercase one. */
export function quoteIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/**
 * A string that is equal for structurally equal types (the codec caches on it).
 * Unlike {@link formatType} it includes UDT keyspaces and fields and ignores `frozen`.
 */
export function typeKey(t: CqlType): string {
  switch (t.kind) {
    case "native":
      return t.name;
    case "list":
    case "set":
      return `${t.kind}<${typeKey(t.element)}>`;
    case "map":
      return `map<${typeKey(t.key)},${typeKey(t.value)}>`;
    case "tuple":
      return `tuple<${t.elements.map(typeKey).join(",")}>`;
    case "udt":
      return `udt<${JSON.stringify(t.keyspace)},${JSON.stringify(t.name)}` +
        t.fields.map((f) => `,${JSON.stringify(f.name)}:${typeKey(f.type)}`).join("") + ">";
    case "vector":
      return `vector<${typeKey(t.element)},${t.dimension}>`;
    case "custom":
      return `custom<${JSON.stringify(t.className)}>`;
  }
}
