/**
 * `BigDecimal` and `Duration` shaped like `cassandra-driver`'s; the driver's
 * own forms are exact decimal text and `{ months, days, nanoseconds }`.
 * @module
 */

import { Long } from "./long.ts";
import { inspectAsText } from "./uuid.ts";

/**
 * An exact decimal: an unscaled integer and a scale, as `types.BigDecimal`.
 * @example
 * ```ts
 * import { types } from "./mod.ts";
 * new types.BigDecimal(11, 1).toString(); // "1.1"
 * types.BigDecimal.fromString("-12.3450").scale; // 4
 * ```
 */
export class BigDecimal {
  /** The unscaled value. */
  readonly unscaled: bigint;
  /** Digits after the decimal point (may be negative). */
  readonly scale: number;

  /** `unscaledValue × 10^-scale`. */
  constructor(unscaledValue: number | bigint | Long, scale: number) {
    this.unscaled = unscaledValue instanceof Long
      ? unscaledValue.toBigInt()
      : BigInt(unscaledValue);
    this.scale = scale;
  }

  /**
   * Parses `"-12.3450"`, `"1e-3"`.
   * @throws {TypeError} malformed text
   */
  static fromString(value: string): BigDecimal {
    const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(String(value).trim());
    if (m === null || (m[2] === "" && (m[3] ?? "") === "")) {
      throw new TypeError(`not a decimal: ${JSON.stringify(String(value)).slice(0, 40)}`);
    }
    const frac = m[3] ?? "";
    const digits = BigInt(`${m[2]}${frac}` || "0");
    return new BigDecimal(m[1] === "-" ? -digits : digits, frac.length - Number(m[4] ?? 0));
  }

  /** The decimal of a number's shortest text form. */
  static fromNumber(value: number): BigDecimal {
    return BigDecimal.fromString(String(value));
  }

  /** The value as a number (may round). */
  toNumber(): number {
    return Number(this.toString());
  }

  /** Whether the value is 0. */
  isZero(): boolean {
    return this.unscaled === 0n;
  }

  /** Whether the value is below 0. */
  isNegative(): boolean {
    return this.unscaled < 0n;
  }

  /** -1, 0 or 1 as this is below, equal to or above `other`. */
  compare(other: BigDecimal): number {
    const s = Math.max(this.scale, other.scale);
    const a = this.unscaled * 10n ** BigInt(s - this.scale);
    const b = other.unscaled * 10n ** BigInt(s - other.scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** Whether both are the same number (`1.0` equals `1.00`). */
  equals(other: BigDecimal): boolean {
    return other instanceof BigDecimal && this.compare(other) === 0;
  }

  /** Whether they differ. */
  notEquals(other: BigDecimal): boolean {
    return !this.equals(other);
  }

  /** Whether this is above `other`. */
  greaterThan(other: BigDecimal): boolean {
    return this.compare(other) > 0;
  }

  /** The exact sum. */
  add(other: BigDecimal): BigDecimal {
    const s = Math.max(this.scale, other.scale);
    return new BigDecimal(
      this.unscaled * 10n ** BigInt(s - this.scale) +
        other.unscaled * 10n ** BigInt(s - other.scale),
      s,
    );
  }

  /** The exact difference. */
  subtract(other: BigDecimal): BigDecimal {
    return this.add(new BigDecimal(-other.unscaled, other.scale));
  }

  /** Plain decimal text, e.g. `"-12.3450"`. */
  toString(): string {
    const neg = this.unscaled < 0n;
    let digits = (neg ? -this.unscaled : this.unscaled).toString();
    if (this.scale <= 0) return `${neg ? "-" : ""}${digits}${"0".repeat(-this.scale)}`;
    digits = digits.padStart(this.scale + 1, "0");
    const cut = digits.length - this.scale;
    return `${neg ? "-" : ""}${digits.slice(0, cut)}.${digits.slice(cut)}`;
  }

  /** JSON form: the text form. */
  toJSON(): string {
    return this.toString();
  }
}

const UNITS: [string, bigint][] = [
  ["h", 3_600_000_000_000n],
  ["m", 60_000_000_000n],
  ["s", 1_000_000_000n],
  ["ms", 1_000_000n],
  ["us", 1_000n],
  ["ns", 1n],
];

/**
 * A CQL duration: months, days and nanoseconds, as `types.Duration`.
 * @example
 * ```ts
 * import { types } from "./mod.ts";
 * new types.Duration(1, 2, 3).toString(); // "1mo2d3ns"
 * ```
 */
export class Duration {
  /** Months. */
  readonly months: number;
  /** Days. */
  readonly days: number;
  /** Nanoseconds, as a `Long`. */
  readonly nanoseconds: Long;

  /** A duration from its three parts. */
  constructor(months: number, days: number, nanoseconds: number | bigint | Long) {
    this.months = months;
    this.days = days;
    this.nanoseconds = nanoseconds instanceof Long
      ? nanoseconds
      : Long.fromBigInt(BigInt(nanoseconds));
  }

  /**
   * Parses the CQL standard form (`"1y2mo3w4d5h6m7s8ms9us10ns"`, `"-3d"`) or an
   * ISO 8601 form (`"P1Y2M3DT4H5M6S"`, `"P2W"`, `"P0001-02-03T04:05:06"`), as
   * `cassandra-driver`.
   * @throws {TypeError} malformed text
   */
  static fromString(input: string): Duration {
    const text = String(input).trim();
    const neg = text.startsWith("-");
    const body = neg ? text.slice(1) : text;
    const parts = body.startsWith("P") ? isoParts(body) : standardParts(body);
    if (parts === null) throw new TypeError(`not a duration: ${JSON.stringify(text).slice(0, 40)}`);
    const [months, days, nanos] = parts;
    return neg ? new Duration(-months, -days, -nanos) : new Duration(months, days, nanos);
  }

  /** Whether all three parts are equal. */
  equals(other: Duration): boolean {
    return other instanceof Duration && other.months === this.months &&
      other.days === this.days && other.nanoseconds.equals(this.nanoseconds);
  }

  /** The CQL standard form, e.g. `"1y2mo3d4h"` (`""` for a zero duration, as `cassandra-driver`). */
  toString(): string {
    let nanos = this.nanoseconds.toBigInt();
    const neg = this.months < 0 || this.days < 0 || nanos < 0n;
    const abs = (n: number) => Math.abs(n);
    let out = "";
    const y = Math.trunc(abs(this.months) / 12), mo = abs(this.months) % 12;
    if (y) out += `${y}y`;
    if (mo) out += `${mo}mo`;
    if (this.days) out += `${abs(this.days)}d`;
    if (nanos < 0n) nanos = -nanos;
    for (const [u, size] of UNITS) {
      if (nanos >= size) {
        out += `${nanos / size}${u}`;
        nanos %= size;
      }
    }
    // An empty text for zero, as cassandra-driver writes it.
    return `${neg ? "-" : ""}${out}`;
  }

  /** JSON form: the text form. */
  toJSON(): string {
    return this.toString();
  }
}

/** Months, days and nanoseconds of the CQL standard form, or `null`. */
function standardParts(body: string): [number, number, bigint] | null {
  // Longer units first: "ms" must not be read as "m" followed by a stray "s".
  const re = /(\d+)(y|mo|ms|us|µs|ns|w|d|h|m|s)/giy;
  let months = 0, days = 0, nanos = 0n, used = 0;
  for (const [all, n, unitRaw] of body.matchAll(re)) {
    used += all.length;
    const unit = unitRaw.toLowerCase().replace("µs", "us");
    if (unit === "y") months += Number(n) * 12;
    else if (unit === "mo") months += Number(n);
    else if (unit === "w") days += Number(n) * 7;
    else if (unit === "d") days += Number(n);
    else nanos += BigInt(n) * UNITS.find(([u]) => u === unit)![1];
  }
  return used === 0 || used !== body.length ? null : [months, days, nanos];
}

/** Months, days and nanoseconds of an ISO 8601 duration (`P…`), or `null`. */
function isoParts(body: string): [number, number, bigint] | null {
  const week = /^P(\d+)W$/.exec(body);
  if (week) return [0, Number(week[1]) * 7, 0n];
  const alt = /^P(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (alt) {
    const [y, mo, d, h, m, s] = alt.slice(1).map(BigInt);
    return [Number(y * 12n + mo), Number(d), h * UNITS[0][1] + m * UNITS[1][1] + s * UNITS[2][1]];
  }
  const std = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/
    .exec(body);
  if (std === null || body === "P" || body.endsWith("T")) return null;
  const [y, mo, d, h, m, s] = std.slice(1).map((x) => BigInt(x ?? 0));
  return [Number(y * 12n + mo), Number(d), h * UNITS[0][1] + m * UNITS[1][1] + s * UNITS[2][1]];
}

inspectAsText(BigDecimal);
