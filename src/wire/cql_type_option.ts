/**
 * Reading a CQL type in `[option]` form (v4 §4.2.5.2), as result and prepared
 * metadata carry it; custom class names go through the marshal-type parser.
 * @module
 */

import { ProtocolError } from "../errors.ts";
import type { Reader } from "./bytes.ts";
import {
  type CqlType,
  MAX_TYPE_DEPTH,
  nativeType,
  type NativeTypeName,
  TypeId,
} from "./cql_type.ts";
import { parseMarshalType } from "./cql_type_text.ts";

const BY_ID: readonly (NativeTypeName | undefined)[] = (() => {
  const t: (NativeTypeName | undefined)[] = [];
  t[TypeId.ASCII] = "ascii";
  t[TypeId.BIGINT] = "bigint";
  t[TypeId.BLOB] = "blob";
  t[TypeId.BOOLEAN] = "boolean";
  t[TypeId.COUNTER] = "counter";
  t[TypeId.DECIMAL] = "decimal";
  t[TypeId.DOUBLE] = "double";
  t[TypeId.FLOAT] = "float";
  t[TypeId.INT] = "int";
  t[0x000a] = "text";
  t[TypeId.TIMESTAMP] = "timestamp";
  t[TypeId.UUID] = "uuid";
  t[TypeId.VARCHAR] = "text";
  t[TypeId.VARINT] = "varint";
  t[TypeId.TIMEUUID] = "timeuuid";
  t[TypeId.INET] = "inet";
  t[TypeId.DATE] = "date";
  t[TypeId.TIME] = "time";
  t[TypeId.SMALLINT] = "smallint";
  t[TypeId.TINYINT] = "tinyint";
  t[TypeId.DURATION] = "duration";
  return t;
})();

/**
 * Reads one `[option]` type from result or prepared metadata. Custom class
 * names the driver understands (`VectorType(...)`, `DurationType`, …) become
 * the matching type; unknown ones stay `{ kind: "custom" }`.
 * @throws {ProtocolError} unknown option id, truncated input, or nesting deeper than 64
 */
export function readOption(r: Reader): CqlType {
  return readOptionAt(r, 0);
}

function readOptionAt(r: Reader, depth: number): CqlType {
  if (depth > MAX_TYPE_DEPTH) {
    throw new ProtocolError(`type nesting deeper than ${MAX_TYPE_DEPTH} levels`);
  }
  const id = r.readShort();
  const native = BY_ID[id];
  if (native !== undefined) return nativeType(native);
  switch (id) {
    case TypeId.CUSTOM:
      return parseMarshalType(r.readString());
    case TypeId.LIST:
      return { kind: "list", element: readOptionAt(r, depth + 1) };
    case TypeId.SET:
      return { kind: "set", element: readOptionAt(r, depth + 1) };
    case TypeId.MAP: {
      const key = readOptionAt(r, depth + 1);
      return { kind: "map", key, value: readOptionAt(r, depth + 1) };
    }
    case TypeId.UDT: {
      const keyspace = r.readString();
      const name = r.readString();
      const n = r.readShort();
      const fields = [];
      for (let i = 0; i < n; i++) {
        const fieldName = r.readString();
        fields.push({ name: fieldName, type: readOptionAt(r, depth + 1) });
      }
      return { kind: "udt", keyspace, name, fields };
    }
    case TypeId.TUPLE: {
      const n = r.readShort();
      const elements = [];
      for (let i = 0; i < n; i++) elements.push(readOptionAt(r, depth + 1));
      return { kind: "tuple", elements };
    }
    default:
      throw new ProtocolError(`unknown type option id 0x${id.toString(16).padStart(4, "0")}`);
  }
}
