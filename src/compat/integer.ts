/**
 * `Integer`: an arbitrary-precision signed integer shaped like the Closure
 * Library class that `cassandra-driver` hands out for `varint` columns, backed
 * by a native `bigint`. Same values, text, bytes and 32-bit pieces as
 * `cassandra-driver`'s, with exact arithmetic.
 * @module
 */

import { toBuffer } from "./uuid.ts";

const TWO_32 = 4294967296;

/** Set by {@link Integer.fromBigInt} for the constructor to take instead of `bits` and `sign`. */
let pending: bigint | undefined;

/** Small integers, as `cassandra-driver` caches them (`fromInt(0) === ZERO`). */
const cache = new Map<number, Integer>();

/**
 * An arbitrary-precision signed integer, as `cassandra-driver`'s
 * `types.Integer` (the form of `varint` columns). Values are immutable.
 * @example
 * ```ts
 * import { types } from "./mod.ts";
 * const n = types.Integer.fromString("123456789012345678901234567890");
 * n.multiply(n).toString(); // "15241578753238836750495351562536198787501905199875019052100"
 * ```
 */
export class Integer {
  readonly #v: bigint;

  /**
   * An integer from its 32-bit pieces, lowest first, each read as unsigned,
   * and the sign of everything above them: `-1` (all ones) or `0`, as
   * `cassandra-driver`'s `new Integer(bits, sign)`.
   */
  constructor(bits: ArrayLike<number>, sign: number) {
    if (pending !== undefined) {
      this.#v = pending;
      pending = undefined;
      return;
    }
    let v = 0n;
    for (let i = bits.length - 1; i >= 0; i--) v = (v << 32n) | BigInt(bits[i] >>> 0);
    this.#v = sign < 0 ? v - (1n << BigInt(32 * bits.length)) : v;
  }

  /** An integer holding `v` (an rsylla extra). */
  static fromBigInt(v: bigint): Integer {
    pending = BigInt(v);
    return new Integer([], 0);
  }

  /**
   * An integer from a 32-bit integer: `value | 0`, taken as unsigned when
   * `value` is not negative (`fromInt(2 ** 31)` is 2^31), exactly as
   * `cassandra-driver`'s.
   */
  static fromInt(value: number): Integer {
    const small = -128 <= value && value < 128;
    if (small) {
      const hit = cache.get(value);
      if (hit !== undefined) return hit;
    }
    const piece = BigInt((value | 0) >>> 0);
    const out = Integer.fromBigInt(value < 0 ? piece - (1n << 32n) : piece);
    if (small) cache.set(value, out);
    return out;
  }

  /** An integer from a number, truncated toward zero; NaN and infinities are 0. */
  static fromNumber(value: number): Integer {
    if (!Number.isFinite(value)) return Integer.ZERO;
    return Integer.fromBigInt(BigInt(Math.trunc(value)));
  }

  /**
   * An integer from 32-bit pieces, lowest first, the last one's top bit
   * giving the sign (two's complement).
   */
  static fromBits(bits: ArrayLike<number>): Integer {
    const high = bits[bits.length - 1];
    return new Integer(bits, high & (1 << 31) ? -1 : 0);
  }

  /**
   * Parses an integer written in `radix` (2..36, default 10): digits with an
   * optional leading `-`, in either case.
   * @throws {TypeError} empty text, or anything else than the digits of that radix
   * @throws {RangeError} a radix out of range
   */
  static fromString(str: string, radix?: number): Integer {
    if (typeof str !== "string") {
      throw new TypeError(`not a string: ${typeof str}`);
    }
    if (str.length === 0) throw new TypeError("number format error: empty string");
    const r = checkRadix(radix);
    const m = /^(-?)([0-9a-z]+)$/i.exec(str);
    if (m === null) throw new TypeError(`number format error: ${JSON.stringify(str.slice(0, 60))}`);
    const v = parseDigits(m[2].toLowerCase(), r);
    if (v === undefined) {
      throw new TypeError(`number format error in radix ${r}: ${JSON.stringify(str.slice(0, 60))}`);
    }
    return Integer.fromBigInt(m[1] === "-" ? -v : v);
  }

  /** An integer from its big-endian two's complement bytes (a `varint` cell); no bytes is 0. */
  static fromBuffer(buf: Uint8Array): Integer {
    if (buf.length === 0) return Integer.ZERO;
    let hex = "";
    for (let i = 0; i < buf.length; i++) hex += (buf[i] < 16 ? "0" : "") + buf[i].toString(16);
    return Integer.fromBigInt(BigInt.asIntN(8 * buf.length, BigInt(`0x${hex}`)));
  }

  /**
   * The big-endian two's complement bytes of `value`, as few as hold it (a
   * `varint` cell): a `Buffer` where the runtime has one.
   */
  static toBuffer(value: Integer): Uint8Array {
    const v = value.#v;
    // Bits of the magnitude in two's complement, plus one for the sign.
    const bits = (v < 0n ? ~v : v).toString(2).length + 1;
    const len = Math.ceil(bits / 8);
    let u = BigInt.asUintN(8 * len, v);
    const out = new Uint8Array(len);
    for (let i = len - 1; i >= 0; i--, u >>= 8n) out[i] = Number(u & 0xffn);
    return toBuffer(out);
  }

  /** Zero. */
  static readonly ZERO: Integer = Integer.fromInt(0);
  /** One. */
  static readonly ONE: Integer = Integer.fromInt(1);

  /** The value as a native `bigint` (an rsylla extra). */
  toBigInt(): bigint {
    return this.#v;
  }

  /** The lowest 32 bits as a signed number. */
  toInt(): number {
    return Number(BigInt.asIntN(32, this.#v));
  }

  /**
   * The value as a number, summed from its 32-bit pieces as
   * `cassandra-driver` does (so the same rounding).
   */
  toNumber(): number {
    if (this.#v < 0n) return -Integer.fromBigInt(-this.#v).toNumber();
    let val = 0, pow = 1;
    for (let v = this.#v; v !== 0n; v >>= 32n) {
      val += Number(v & 0xffffffffn) * pow;
      pow *= TWO_32;
    }
    return val;
  }

  /**
   * Text in `radix` (2..36, default 10), lowercase, `-` before negatives.
   * @throws {RangeError} a radix out of range
   */
  toString(radix?: number): string {
    return this.#v.toString(checkRadix(radix));
  }

  /** JSON form: the decimal text, as `cassandra-driver` writes it. */
  toJSON(): string {
    return this.toString();
  }

  /** `"Integer: <decimal text>"`, as `cassandra-driver`'s `inspect()`. */
  inspect(): string {
    return `${this.constructor.name}: ${this.toString()}`;
  }

  /**
   * The `index`-th 32-bit piece, lowest first, as a signed number (two's
   * complement: pieces above the value repeat its sign, `-1` or `0`; a
   * negative index is 0).
   */
  getBits(index: number): number {
    if (index < 0) return 0;
    return Number(BigInt.asIntN(32, this.#v >> BigInt(Math.trunc(index) * 32)));
  }

  /** The `index`-th 32-bit piece as an unsigned number. */
  getBitsUnsigned(index: number): number {
    const v = this.getBits(index);
    return v >= 0 ? v : TWO_32 + v;
  }

  /** -1 for a negative value, else 0. */
  getSign(): number {
    return this.#v < 0n ? -1 : 0;
  }

  /** Whether the value is 0. */
  isZero(): boolean {
    return this.#v === 0n;
  }

  /** Whether the value is below 0. */
  isNegative(): boolean {
    return this.#v < 0n;
  }

  /** Whether the value is odd. */
  isOdd(): boolean {
    return (this.#v & 1n) === 1n;
  }

  /** Whether `other` is an `Integer` of the same value. */
  equals(other: Integer): boolean {
    return other instanceof Integer && other.#v === this.#v;
  }

  /** Whether `other` is not an `Integer` of the same value. */
  notEquals(other: Integer): boolean {
    return !this.equals(other);
  }

  /**
   * -1, 0 or 1 as this is below, equal to or above `other`.
   * @throws {TypeError} `other` is not an `Integer`
   */
  compare(other: Integer): number {
    const b = valueOf(other);
    return this.#v < b ? -1 : this.#v > b ? 1 : 0;
  }

  /** Whether this is above `other`. */
  greaterThan(other: Integer): boolean {
    return this.compare(other) > 0;
  }

  /** Whether this is above or equal to `other`. */
  greaterThanOrEqual(other: Integer): boolean {
    return this.compare(other) >= 0;
  }

  /** Whether this is below `other`. */
  lessThan(other: Integer): boolean {
    return this.compare(other) < 0;
  }

  /** Whether this is below or equal to `other`. */
  lessThanOrEqual(other: Integer): boolean {
    return this.compare(other) <= 0;
  }

  /** The lowest `numBits` bits, sign-extended from the last of them. */
  shorten(numBits: number): Integer {
    return Integer.fromBigInt(BigInt.asIntN(Math.max(0, Math.trunc(numBits) || 0), this.#v));
  }

  /** The negation. */
  negate(): Integer {
    return Integer.fromBigInt(-this.#v);
  }

  /** The absolute value (this one when not negative). */
  abs(): Integer {
    return this.#v < 0n ? this.negate() : this;
  }

  /** The sum. */
  add(other: Integer): Integer {
    return Integer.fromBigInt(this.#v + valueOf(other));
  }

  /** The difference. */
  subtract(other: Integer): Integer {
    return Integer.fromBigInt(this.#v - valueOf(other));
  }

  /** The product. */
  multiply(other: Integer): Integer {
    return Integer.fromBigInt(this.#v * valueOf(other));
  }

  /**
   * The quotient, truncated toward zero.
   * @throws {RangeError} division by zero
   */
  divide(other: Integer): Integer {
    const d = valueOf(other);
    if (d === 0n) throw new RangeError("division by zero");
    return Integer.fromBigInt(this.#v / d);
  }

  /**
   * The remainder of the truncated division (its sign is this one's).
   * @throws {RangeError} division by zero
   */
  modulo(other: Integer): Integer {
    const d = valueOf(other);
    if (d === 0n) throw new RangeError("division by zero");
    return Integer.fromBigInt(this.#v % d);
  }

  /** The bitwise NOT (`-1 - this`). */
  not(): Integer {
    return Integer.fromBigInt(~this.#v);
  }

  /** The bitwise AND, in two's complement. */
  and(other: Integer): Integer {
    return Integer.fromBigInt(this.#v & valueOf(other));
  }

  /** The bitwise OR, in two's complement. */
  or(other: Integer): Integer {
    return Integer.fromBigInt(this.#v | valueOf(other));
  }

  /** The bitwise XOR, in two's complement. */
  xor(other: Integer): Integer {
    return Integer.fromBigInt(this.#v ^ valueOf(other));
  }

  /** Shifted left by `numBits` (a negative count shifts right). */
  shiftLeft(numBits: number): Integer {
    return Integer.fromBigInt(this.#v << BigInt(Math.trunc(numBits) || 0));
  }

  /** Shifted right by `numBits`, keeping the sign (a negative count shifts left). */
  shiftRight(numBits: number): Integer {
    return Integer.fromBigInt(this.#v >> BigInt(Math.trunc(numBits) || 0));
  }

  /** Whether `v` is an `Integer` (an rsylla extra). */
  static isInteger(v: unknown): v is Integer {
    return v instanceof Integer;
  }

  static {
    const show = function (this: Integer): string {
      return this.inspect();
    };
    for (
      const key of [Symbol.for("nodejs.util.inspect.custom"), Symbol.for("Deno.customInspect")]
    ) {
      Object.defineProperty(Integer.prototype, key, {
        value: show,
        configurable: true,
        writable: true,
      });
    }
  }
}

function valueOf(other: Integer): bigint {
  if (!(other instanceof Integer)) {
    throw new TypeError(`expected an Integer, got ${other === null ? "null" : typeof other}`);
  }
  return other.toBigInt();
}

/** `radix || 10`, checked to be in 2..36 as `cassandra-driver` does. */
function checkRadix(radix: number | undefined): number {
  const r = radix || 10;
  if (!(r >= 2 && r <= 36)) throw new RangeError(`radix out of range: ${radix}`);
  return Math.trunc(r);
}

const PREFIX: Record<number, string> = { 2: "0b", 8: "0o", 16: "0x" };

/** Digits (lowercase, no sign) in `radix`, or `undefined` when one is not a digit of it. */
function parseDigits(digits: string, radix: number): bigint | undefined {
  for (const ch of digits) if (parseInt(ch, 36) >= radix) return undefined;
  if (radix === 10) return BigInt(digits);
  if (PREFIX[radix] !== undefined) return BigInt(PREFIX[radix] + digits);
  // Nine digits at a time: radix^9 < 2^53 for every radix up to 36.
  const step = BigInt(radix) ** 9n;
  let v = 0n;
  let i = digits.length % 9 || 9;
  v = BigInt(parseInt(digits.slice(0, i), radix));
  for (; i < digits.length; i += 9) v = v * step + BigInt(parseInt(digits.slice(i, i + 9), radix));
  return v;
}
