/**
 * CQL type descriptors as the server sends them in `[option]` form (v4 §4.2.5.2).
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

/** A CQL type. */
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
  }
  | { readonly kind: "vector"; readonly element: CqlType; readonly dimension: number }
  | { readonly kind: "custom"; readonly className: string };
