/**
 * `Long`: a signed 64-bit integer shaped like the long.js class that
 * `cassandra-driver` hands out for `bigint` and `counter` columns (the part of
 * its API applications use), backed by a native `bigint`.
 * @module
 */

const MASK = (1n << 64n) - 1n;

/** Wraps any bigint to the signed 64-bit range. */
function wrap64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/**
 * A signed 64-bit integer, as `cassandra-driver`'s `types.Long`. Values are
 * immutable; arithmetic wraps around like Java's `long`.
 * @example
 * ```ts
 * import { types } from "./mod.ts";
 * const n = types.Long.fromString("9007199254740993");
 * n.add(types.Long.ONE).toString(); // "9007199254740994"
 * ```
 */
export class Long {
  /** The low 32 bits, as a signed 32-bit number. */
  readonly low: number;
  /** The high 32 bits, as a signed 32-bit number. */
  readonly high: number;
  /** Always `false`: only signed longs are supported. */
  readonly unsigned: boolean = false;

  /**
   * A long from its two 32-bit halves (as long.js `new Long(low, high)`).
   * @throws {TypeError} `unsigned` is `true` (unsigned longs are not supported)
   */
  constructor(low: number, high: number, unsigned?: boolean) {
    if (unsigned) throw new TypeError("unsigned Long is not supported by @rsylla/rsylla/compat");
    this.low = low | 0;
    this.high = high | 0;
  }

  /** Zero. */
  static readonly ZERO: Long = new Long(0, 0);
  /** One. */
  static readonly ONE: Long = new Long(1, 0);
  /** Minus one. */
  static readonly NEG_ONE: Long = new Long(-1, -1);
  /** 2^63 - 1. */
  static readonly MAX_VALUE: Long = new Long(-1, 0x7fffffff);
  /** -2^63. */
  static readonly MIN_VALUE: Long = new Long(0, 0x80000000 | 0);

  /** A long holding `v` wrapped to 64 bits. */
  static fromBigInt(v: bigint): Long {
    const w = BigInt.asUintN(64, v);
    return new Long(Number(w & 0xffffffffn) | 0, Number(w >> 32n) | 0);
  }

  /** A long from a 32-bit integer. */
  static fromInt(v: number): Long {
    return Long.fromBigInt(BigInt(v | 0));
  }

  /** A long from a number: truncated toward zero, NaN is 0, beyond the range saturates. */
  static fromNumber(v: number): Long {
    if (Number.isNaN(v)) return Long.ZERO;
    if (v <= -9223372036854775808) return Long.MIN_VALUE;
    if (v >= 9223372036854775807) return Long.MAX_VALUE;
    return Long.fromBigInt(BigInt(Math.trunc(v)));
  }

  /** A long from its low and high 32-bit halves. */
  static fromBits(low: number, high: number): Long {
    return new Long(low, high);
  }

  /**
   * Parses a long written in `radix` (2..36, default 10), e.g. `"-42"`, `"ff"`.
   * @throws {RangeError} a radix out of range
   * @throws {TypeError} text that is not an integer in that radix
   */
  static fromString(text: string, radix = 10): Long {
    if (radix < 2 || radix > 36) throw new RangeError(`radix ${radix} is not in 2..36`);
    const m = /^(-?)([0-9a-z]+)$/i.exec(String(text).trim());
    if (m === null) throw new TypeError(`not an integer: ${JSON.stringify(text)}`);
    let v = 0n;
    const r = BigInt(radix);
    for (const ch of m[2].toLowerCase()) {
      const d = parseInt(ch, 36);
      if (d >= radix) {
        throw new TypeError(`not an integer in radix ${radix}: ${JSON.stringify(text)}`);
      }
      v = v * r + BigInt(d);
    }
    return Long.fromBigInt(m[1] === "-" ? -v : v);
  }

  /** A long from a number, a bigint, a decimal string or a `{ low, high }` object. */
  static fromValue(v: number | bigint | string | { low: number; high: number }): Long {
    if (typeof v === "number") return Long.fromNumber(v);
    if (typeof v === "bigint") return Long.fromBigInt(v);
    if (typeof v === "string") return Long.fromString(v);
    return new Long(v.low, v.high);
  }

  /** Whether `v` is a `Long`. */
  static isLong(v: unknown): v is Long {
    return v instanceof Long;
  }

  /** The value as a native `bigint`. */
  toBigInt(): bigint {
    return (BigInt(this.high) << 32n) | BigInt(this.low >>> 0);
  }

  /** The value as a number (precision lost beyond 2^53). */
  toNumber(): number {
    return this.high * 4294967296 + (this.low >>> 0);
  }

  /** The low 32 bits as a signed number. */
  toInt(): number {
    return this.low;
  }

  /** Text in `radix` (default 10). */
  toString(radix = 10): string {
    return this.toBigInt().toString(radix);
  }

  /** JSON form: the decimal text, as `cassandra-driver` writes it. */
  toJSON(): string {
    return this.toString();
  }

  /** The high 32 bits. */
  getHighBits(): number {
    return this.high;
  }

  /** The low 32 bits. */
  getLowBits(): number {
    return this.low;
  }

  /** Whether the value is 0. */
  isZero(): boolean {
    return this.high === 0 && this.low === 0;
  }

  /** Whether the value is below 0. */
  isNegative(): boolean {
    return this.high < 0;
  }

  /** Whether the value is odd. */
  isOdd(): boolean {
    return (this.low & 1) === 1;
  }

  /** Whether both hold the same value (numbers and strings are converted). */
  equals(other: Long | number | string | bigint): boolean {
    return this.toBigInt() === toLong(other).toBigInt();
  }

  /** -1, 0 or 1 as this is below, equal to or above `other`. */
  compare(other: Long | number | string | bigint): number {
    const a = this.toBigInt(), b = toLong(other).toBigInt();
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** Whether this is below `other`. */
  lessThan(other: Long | number | string | bigint): boolean {
    return this.compare(other) < 0;
  }

  /** Whether this is above `other`. */
  greaterThan(other: Long | number | string | bigint): boolean {
    return this.compare(other) > 0;
  }

  /** Whether this is below or equal to `other`. */
  lessThanOrEqual(other: Long | number | string | bigint): boolean {
    return this.compare(other) <= 0;
  }

  /** Whether this is above or equal to `other`. */
  greaterThanOrEqual(other: Long | number | string | bigint): boolean {
    return this.compare(other) >= 0;
  }

  /** The negation (MIN_VALUE stays MIN_VALUE). */
  negate(): Long {
    return Long.fromBigInt(-this.toBigInt());
  }

  /** The sum, wrapped to 64 bits. */
  add(other: Long | number | string | bigint): Long {
    return Long.fromBigInt(wrap64(this.toBigInt() + toLong(other).toBigInt()));
  }

  /** The difference, wrapped to 64 bits. */
  subtract(other: Long | number | string | bigint): Long {
    return Long.fromBigInt(wrap64(this.toBigInt() - toLong(other).toBigInt()));
  }

  /** The product, wrapped to 64 bits. */
  multiply(other: Long | number | string | bigint): Long {
    return Long.fromBigInt((this.toBigInt() * toLong(other).toBigInt()) & MASK);
  }

  /**
   * The quotient, truncated toward zero.
   * @throws {RangeError} division by zero
   */
  divide(other: Long | number | string | bigint): Long {
    const d = toLong(other).toBigInt();
    if (d === 0n) throw new RangeError("division by zero");
    return Long.fromBigInt(this.toBigInt() / d);
  }

  /**
   * The remainder of the truncated division.
   * @throws {RangeError} division by zero
   */
  modulo(other: Long | number | string | bigint): Long {
    const d = toLong(other).toBigInt();
    if (d === 0n) throw new RangeError("division by zero");
    return Long.fromBigInt(this.toBigInt() % d);
  }

  /** The bitwise AND. */
  and(other: Long | number | string | bigint): Long {
    return Long.fromBigInt(this.toBigInt() & toLong(other).toBigInt());
  }

  /** The bitwise OR. */
  or(other: Long | number | string | bigint): Long {
    return Long.fromBigInt(this.toBigInt() | toLong(other).toBigInt());
  }

  /** The bitwise XOR. */
  xor(other: Long | number | string | bigint): Long {
    return Long.fromBigInt(this.toBigInt() ^ toLong(other).toBigInt());
  }

  /** The bitwise NOT. */
  not(): Long {
    return Long.fromBigInt(~this.toBigInt());
  }

  /** Shifted left by `numBits` (mod 64), wrapped to 64 bits. */
  shiftLeft(numBits: number | Long): Long {
    return Long.fromBigInt(this.toBigInt() << shiftOf(numBits));
  }

  /** Shifted right by `numBits` (mod 64), keeping the sign. */
  shiftRight(numBits: number | Long): Long {
    return Long.fromBigInt(this.toBigInt() >> shiftOf(numBits));
  }

  /** Shifted right by `numBits` (mod 64), filling with zeros. */
  shiftRightUnsigned(numBits: number | Long): Long {
    return Long.fromBigInt(BigInt.asUintN(64, this.toBigInt()) >> shiftOf(numBits));
  }

  /** Whether the value is 0 or above. */
  isPositive(): boolean {
    return this.high >= 0;
  }

  /** Whether the value is even. */
  isEven(): boolean {
    return (this.low & 1) === 0;
  }

  /** Whether the values differ. */
  notEquals(other: Long | number | string | bigint): boolean {
    return !this.equals(other);
  }

  /** This long (only signed longs exist here). */
  toSigned(): Long {
    return this;
  }

  /** The 8 bytes, big-endian when `le` is not `true`. */
  toBytes(le?: boolean): number[] {
    const out: number[] = [];
    let v = BigInt.asUintN(64, this.toBigInt());
    for (let i = 0; i < 8; i++, v >>= 8n) out.push(Number(v & 0xffn));
    return le ? out : out.reverse();
  }

  /** A long from 8 bytes, big-endian unless `le`. */
  static fromBytes(bytes: ArrayLike<number>, _unsigned?: boolean, le?: boolean): Long {
    let v = 0n;
    for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(bytes[le ? 7 - i : i] & 0xff);
    return Long.fromBigInt(v);
  }
}

function toLong(v: Long | number | string | bigint): Long {
  return v instanceof Long ? v : Long.fromValue(v);
}

function shiftOf(numBits: number | Long): bigint {
  return BigInt((numBits instanceof Long ? numBits.toInt() : numBits) & 63);
}

// long.js's short aliases, for code written against cassandra-driver.
const ALIASES: Record<string, string> = {
  eq: "equals",
  neq: "notEquals",
  ne: "notEquals",
  lt: "lessThan",
  lte: "lessThanOrEqual",
  le: "lessThanOrEqual",
  gt: "greaterThan",
  gte: "greaterThanOrEqual",
  ge: "greaterThanOrEqual",
  comp: "compare",
  neg: "negate",
  sub: "subtract",
  mul: "multiply",
  div: "divide",
  mod: "modulo",
  rem: "modulo",
  shl: "shiftLeft",
  shr: "shiftRight",
  shru: "shiftRightUnsigned",
  shr_u: "shiftRightUnsigned",
}; // deno-fmt-ignore
for (const [alias, name] of Object.entries(ALIASES)) {
  Object.defineProperty(Long.prototype, alias, {
    value: (Long.prototype as unknown as Record<string, unknown>)[name],
    writable: true,
    configurable: true,
  });
}
