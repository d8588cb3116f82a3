/**
 * The facade's `types` namespace, as `cassandra-driver`'s: value classes,
 * `consistencies`, `dataTypes`, `responseErrorCodes`, `distance`, `Row`,
 * `ResultSet` and `ResultStream`.
 * @module
 */

import { BigDecimal, Duration } from "./decimal_duration.ts";
import { Integer } from "./integer.ts";
import { Long } from "./long.ts";
import { ResultSet, Row } from "./result_set.ts";
import { ResultStream } from "./row_stream.ts";
import { TimeUuid, Uuid } from "./uuid.ts";
import { InetAddress, LocalDate, LocalTime, Tuple } from "./values.ts";
import { Vector } from "./vector.ts";

/** Consistency levels by `cassandra-driver` name. */
export const consistencies = {
  any: 0x00,
  one: 0x01,
  two: 0x02,
  three: 0x03,
  quorum: 0x04,
  all: 0x05,
  localQuorum: 0x06,
  eachQuorum: 0x07,
  serial: 0x08,
  localSerial: 0x09,
  localOne: 0x0a,
} as const; // deno-fmt-ignore

/** CQL type codes. */
export const dataTypes = {
  custom: 0x00, ascii: 0x01, bigint: 0x02, blob: 0x03, boolean: 0x04, counter: 0x05,
  decimal: 0x06, double: 0x07, float: 0x08, int: 0x09, text: 0x0a, timestamp: 0x0b,
  uuid: 0x0c, varchar: 0x0d, varint: 0x0e, timeuuid: 0x0f, inet: 0x10, date: 0x11,
  time: 0x12, smallint: 0x13, tinyint: 0x14, duration: 0x15, list: 0x20, map: 0x21,
  set: 0x22, udt: 0x30, tuple: 0x31,
} as const; // deno-fmt-ignore

/** CQL error codes, the `code` of a `ResponseError`. */
export const responseErrorCodes = {
  serverError: 0x0000, protocolError: 0x000a, badCredentials: 0x0100,
  unavailableException: 0x1000, overloaded: 0x1001, isBootstrapping: 0x1002,
  truncateError: 0x1003, writeTimeout: 0x1100, readTimeout: 0x1200, readFailure: 0x1300,
  functionFailure: 0x1400, writeFailure: 0x1500, syntaxError: 0x2000, unauthorized: 0x2100,
  invalid: 0x2200, configError: 0x2300, alreadyExists: 0x2400, unprepared: 0x2500,
  clientWriteFailure: 0x8000,
} as const; // deno-fmt-ignore

/** Host distances. */
export const distance = { local: 0, remote: 1, ignored: 2 } as const;

/** The `unset` marker: leaves a bound column untouched (the driver's `undefined`). */
export const unset: undefined = undefined;

/** Consistency names by code (`6` → `"LOCAL_QUORUM"`), as `types.consistencyToString`. */
export const consistencyToString: Record<number, string> = Object.fromEntries(
  Object.entries(consistencies).map(([name, code]) => [
    code,
    name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase(),
  ]),
);

/** A random (version 4) UUID as text, as `types.uuid()`. */
export function uuid(): string {
  return Uuid.random().toString();
}

/** A time-based (version 1) UUID for now as text, as `types.timeuuid()`. */
export function timeuuid(): string {
  return TimeUuid.now().toString();
}

let timestampTicks = 0;

/**
 * A client timestamp in microseconds since the epoch, as
 * `types.generateTimestamp(date, microseconds)`: `microseconds` (0..999) is
 * added to the date's milliseconds, else a counter that wraps at 1000.
 */
export function generateTimestamp(date?: Date, microseconds?: number): Long {
  const ms = (date ?? new Date()).getTime();
  let micros: number;
  if (typeof microseconds === "number" && microseconds >= 0 && microseconds < 1000) {
    micros = microseconds;
  } else {
    if (timestampTicks > 999) timestampTicks = 0;
    micros = timestampTicks++;
  }
  return Long.fromBigInt(BigInt(ms) * 1000n + BigInt(micros));
}

/** The facade's `types` namespace. */
export const types = {
  Long,
  Integer,
  Uuid,
  TimeUuid,
  InetAddress,
  LocalDate,
  LocalTime,
  Tuple,
  BigDecimal,
  Duration,
  Vector,
  Row,
  ResultSet,
  ResultStream,
  consistencies,
  dataTypes,
  responseErrorCodes,
  distance,
  unset,
  consistencyToString,
  uuid,
  timeuuid,
  generateTimestamp,
} as const;
