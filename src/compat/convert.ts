/**
 * The facade's value boundary: `cassandra-driver` value classes (`Long`,
 * `Uuid`, `InetAddress`, …) to the driver's own forms for binding, and the
 * driver's decoded values back to those classes, guided by each column's CQL
 * type.
 * @module
 */

import type { CqlType } from "../wire/cql_type.ts";
import { BigDecimal, Duration } from "./decimal_duration.ts";
import { Integer } from "./integer.ts";
import { Long } from "./long.ts";
import { TimeUuid, toBuffer, Uuid } from "./uuid.ts";
import { InetAddress, LocalDate, LocalTime, Tuple } from "./values.ts";
import { Vector } from "./vector.ts";

/**
 * A bound value in the driver's own form: value classes become text, bigint or
 * arrays; arrays, Maps and plain objects (UDTs, maps) are converted inside.
 */
export function toNative(v: unknown): unknown {
  if (v === null || v === undefined || typeof v !== "object") return v;
  if (v instanceof Long || v instanceof Integer) return v.toBigInt();
  if (v instanceof Uuid || v instanceof InetAddress || v instanceof LocalDate) return v.toString();
  if (v instanceof BigDecimal) return v.toString();
  if (v instanceof LocalTime) return v.getTotalNanoseconds().toBigInt();
  if (v instanceof Duration) {
    return { months: v.months, days: v.days, nanoseconds: v.nanoseconds.toBigInt() };
  }
  if (v instanceof Tuple) return v.elements.map(toNative);
  // A Vector's elements (an Array); a Float32Array (also `instanceof Vector`) stays as it is.
  if (v instanceof Vector && !ArrayBuffer.isView(v)) return v.elements.map(toNative);
  if (v instanceof Date || ArrayBuffer.isView(v)) return v;
  if (Array.isArray(v)) return v.map(toNative);
  if (v instanceof Set) return [...v].map(toNative);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [toNative(k), toNative(x)]));
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = toNative(x);
  return out;
}

/** Bound values (positional or by name) in the driver's form. */
export function paramsToNative(params: unknown): unknown[] | Record<string, unknown> | undefined {
  if (params === undefined || params === null) return undefined;
  if (Array.isArray(params)) return params.map(toNative);
  if (typeof params === "object") return toNative(params) as Record<string, unknown>;
  throw new TypeError(`params must be an array or an object, got ${typeof params}`);
}

/**
 * A decoded value as `cassandra-driver` returns it for a column of type `t`:
 * `bigint`/`counter` → `Long`, `uuid` → `Uuid`, `timeuuid` → `TimeUuid`,
 * `inet` → `InetAddress`, `date` → `LocalDate`, `time` → `LocalTime`,
 * `decimal` → `BigDecimal`, `duration` → `Duration`, `varint` → `Integer`,
 * tuples → `Tuple`, vectors → `Vector` (elements converted, subtype named as
 * `cassandra-driver` names it), `blob` → `Buffer` where the runtime has one,
 * sets → arrays, maps → plain objects.
 */
export function fromNative(v: unknown, t: CqlType): unknown {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case "native":
      switch (t.name) {
        case "bigint":
        case "counter":
          return Long.fromBigInt(v as bigint);
        case "uuid":
          return Uuid.fromString(v as string);
        case "timeuuid":
          return TimeUuid.fromString(v as string);
        case "inet":
          return InetAddress.fromString(v as string);
        case "date":
          return LocalDate.fromString(v as string);
        case "time":
          return new LocalTime(v as bigint);
        case "decimal":
          return BigDecimal.fromString(v as string);
        case "varint":
          return Integer.fromBigInt(v as bigint);
        case "duration": {
          const d = v as { months: number; days: number; nanoseconds: bigint };
          return new Duration(d.months, d.days, d.nanoseconds);
        }
        case "blob":
          return toBuffer(v as Uint8Array);
        default:
          return v;
      }
      // falls through: every native case returns
    case "list":
    case "set":
      return (v as unknown[]).map((x) => fromNative(x, t.element));
    case "map": {
      const out: Record<string, unknown> = {};
      for (const [k, x] of v as Map<unknown, unknown>) {
        out[String(fromNative(k, t.key))] = fromNative(x, t.value);
      }
      return out;
    }
    case "tuple":
      return Tuple.fromArray((v as unknown[]).map((x, i) => fromNative(x, t.elements[i])));
    case "udt": {
      if (t.fields.length === 0) return v;
      const obj = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of t.fields) out[f.name] = fromNative(obj[f.name], f.type);
      return out;
    }
    case "vector":
      return new Vector(
        Array.from(v as ArrayLike<unknown>, (x) => fromNative(x, t.element)),
        subtypeName(t.element),
      );
    case "custom":
      return v;
  }
}

/**
 * A CQL type as `cassandra-driver` names a vector's subtype
 * (`types.getDataTypeNameByCode`): `text` is `"varchar"` (the server sends
 * `UTF8Type`), collections and tuples list their parameters after `", "`, a
 * UDT is its name, a custom type is `"custom"`.
 */
export function subtypeName(t: CqlType): string {
  switch (t.kind) {
    case "native":
      return t.name === "text" ? "varchar" : t.name;
    case "list":
    case "set":
      return `${t.kind}<${subtypeName(t.element)}>`;
    case "map":
      return `map<${subtypeName(t.key)}, ${subtypeName(t.value)}>`;
    case "tuple":
      return `tuple<${t.elements.map(subtypeName).join(", ")}>`;
    case "udt":
      return t.name;
    case "vector":
      return `vector<${subtypeName(t.element)}, ${t.dimension}>`;
    case "custom":
      return "custom";
  }
}
