/**
 * `BigDecimal` and `Duration` shaped like `cassandra-driver`'s; the driver's
 * own forms are exact decimal text and `{ months, days, nanoseconds }`.
 * @module
 */

import { Long } from "./long.ts";

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
   * Parses the CQL standard form, e.g. `"1y2mo3w4d5h6m7s8ms9us10ns"` or `"-3d"`.
   * @throws {TypeError} malformed text
   */
  static fromString(input: string): Duration {
    const text = String(input).trim();
    const neg = text.startsWith("-");
    const body = neg ? text.slice(1) : text;
    const re = /(\d+)(y|mo|w|d|h|m|s|ms|us|µs|ns)/gi;
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
    if (used === 0 || used !== body.length) {
      throw new TypeError(`not a duration: ${JSON.stringify(text).slice(0, 40)}`);
    }
    return neg ? new Duration(-months, -days, -nanos) : new Duration(months, days, nanos);
  }

  /** Whether all three parts are equal. */
  equals(other: Duration): boolean {
    return other instanceof Duration && other.months === this.months &&
      other.days === this.days && other.nanoseconds.equals(this.nanoseconds);
  }

  /** The CQL standard form, e.g. `"1y2mo3d4h"`. */
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
    return `${neg ? "-" : ""}${out || "0s"}`;
  }

  /** JSON form: the text form. */
  toJSON(): string {
    return this.toString();
  }
}
