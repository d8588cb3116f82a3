/**
 * Schema → TypeScript: pure functions from `system_schema.columns` and
 * `system_schema.types` rows to the text of a TypeScript module with one
 * `interface` per table and per user-defined type, using the driver's CQL → JS
 * mapping (see API.md, "Types"). `scripts/gen_types.ts` and the npm `bin` read
 * the rows and write the text.
 * @module
 */

import type { CqlType } from "../wire/cql_type.ts";
import { parseType } from "../wire/cql_type_text.ts";

/** One row of `system_schema.columns` (the fields gen-types reads). */
export interface SchemaColumnRow {
  /** Table the column belongs to. */
  table_name: string;
  /** Column name as stored (case kept). */
  column_name: string;
  /** `partition_key`, `clustering`, `static` or `regular`. */
  kind: string;
  /** Position in the partition or clustering key, -1 otherwise. */
  position: number;
  /** CQL type text, e.g. `frozen<map<text, int>>`. */
  type: string;
}

/** One row of `system_schema.types`. */
export interface SchemaTypeRow {
  /** UDT name. */
  type_name: string;
  /** Field names in order. */
  field_names: readonly string[];
  /** Field CQL type texts, in the order of `field_names`. */
  field_types: readonly string[];
}

const NATIVE_TS: Record<string, string> = {
  ascii: "string",
  bigint: "bigint",
  blob: "Uint8Array",
  boolean: "boolean",
  counter: "bigint",
  date: "string",
  decimal: "string",
  double: "number",
  duration: "{ months: number; days: number; nanoseconds: bigint }",
  float: "number",
  inet: "string",
  int: "number",
  smallint: "number",
  text: "string",
  time: "bigint",
  timestamp: "Date",
  timeuuid: "string",
  tinyint: "number",
  uuid: "string",
  varint: "bigint",
};

/**
 * PascalCase of a CQL name: `all_types` → `AllTypes`, `"MyTable"` → `MyTable`;
 * characters not allowed in a TypeScript name are dropped, a leading digit gets `_`.
 */
export function pascalCase(name: string): string {
  const parts = name.split(/[^A-Za-z0-9]+/).filter((p) => p !== "");
  const out = parts.map((p) => p[0].toUpperCase() + p.slice(1)).join("");
  if (out === "") return "_";
  return /^[0-9]/.test(out) ? `_${out}` : out;
}

/** A property key: bare when it is an identifier, else a quoted string. */
function propertyKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}

/**
 * The TypeScript type of a decoded CQL value (never `null` itself; callers add
 * `| null` where the value may be absent).
 * @param udtName the interface name of a UDT, by CQL name
 */
export function tsType(t: CqlType, udtName: (name: string) => string): string {
  switch (t.kind) {
    case "native":
      return NATIVE_TS[t.name];
    case "list":
    case "set":
      return `${wrap(tsType(t.element, udtName))}[]`;
    case "map":
      return `Map<${tsType(t.key, udtName)}, ${tsType(t.value, udtName)}>`;
    case "tuple":
      return `[${t.elements.map((e) => `${tsType(e, udtName)} | null`).join(", ")}]`;
    case "udt":
      return udtName(t.name);
    case "vector":
      return t.element.kind === "native" && t.element.name === "float"
        ? "Float32Array"
        : `${wrap(tsType(t.element, udtName))}[]`;
    case "custom":
      return "unknown";
  }
}

/** Parenthesises a type before `[]` when it is a union or an object literal. */
function wrap(ts: string): string {
  return /[|{ ]/.test(ts) && !ts.startsWith("Map<") ? `(${ts})` : ts;
}

/**
 * The TypeScript module text for one keyspace: an `interface` per UDT (fields
 * `T | null`) and per table (primary-key columns non-null, others `T | null`),
 * in name order.
 * @param keyspace the keyspace name, for the header and UDT resolution
 * @throws {ProtocolError} a type text cannot be parsed
 * @example
 * ```ts
 * import { generateTypes } from "./gen_types.ts";
 * const ts = generateTypes("ks", [
 *   { table_name: "users", column_name: "id", kind: "partition_key", position: 0, type: "int" },
 *   { table_name: "users", column_name: "name", kind: "regular", position: -1, type: "text" },
 * ], []);
 * // export interface Users { id: number; name: string | null; }
 * ```
 */
export function generateTypes(
  keyspace: string,
  columns: readonly SchemaColumnRow[],
  types: readonly SchemaTypeRow[],
): string {
  const tables = new Map<string, SchemaColumnRow[]>();
  for (const c of columns) {
    const list = tables.get(c.table_name) ?? [];
    list.push(c);
    tables.set(c.table_name, list);
  }
  const tableNames = [...tables.keys()].sort();
  const taken = new Set(tableNames.map(pascalCase));
  const udtNames = new Map<string, string>();
  for (const t of [...types].sort((a, b) => cmp(a.type_name, b.type_name))) {
    let n = pascalCase(t.type_name);
    if (taken.has(n)) n += "Udt";
    while (taken.has(n)) n += "_";
    taken.add(n);
    udtNames.set(t.type_name, n);
  }
  const udtName = (name: string) => udtNames.get(name) ?? "Record<string, unknown>";
  const parse = (text: string) => tsType(parseType(text, keyspace), udtName);

  const out = [
    `// Generated by \`rsylla gen-types --keyspace ${keyspace}\` from system_schema. Do not edit.`,
    `// Regenerate after schema changes. Row types follow rsylla's CQL → TypeScript mapping.`,
    "",
  ];
  for (const t of [...types].sort((a, b) => cmp(a.type_name, b.type_name))) {
    out.push(`/** User-defined type \`${keyspace}.${t.type_name}\`. */`);
    out.push(`export interface ${udtNames.get(t.type_name)} {`);
    t.field_names.forEach((f, i) => {
      out.push(`  ${propertyKey(f)}: ${parse(t.field_types[i])} | null;`);
    });
    out.push("}", "");
  }
  for (const name of tableNames) {
    const cols = tables.get(name)!.sort(columnOrder);
    out.push(`/** A row of table \`${keyspace}.${name}\`. */`);
    out.push(`export interface ${pascalCase(name)} {`);
    for (const c of cols) {
      const key = c.kind === "partition_key" || c.kind === "clustering";
      out.push(`  ${propertyKey(c.column_name)}: ${parse(c.type)}${key ? "" : " | null"};`);
    }
    out.push("}", "");
  }
  return out.join("\n");
}

const KIND_ORDER: Record<string, number> = { partition_key: 0, clustering: 1, static: 2 };

function columnOrder(a: SchemaColumnRow, b: SchemaColumnRow): number {
  const ka = KIND_ORDER[a.kind] ?? 3, kb = KIND_ORDER[b.kind] ?? 3;
  if (ka !== kb) return ka - kb;
  if (ka < 2 && a.position !== b.position) return a.position - b.position;
  return cmp(a.column_name, b.column_name);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
