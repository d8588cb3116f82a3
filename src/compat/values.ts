/**
 * The other value classes of `cassandra-driver`'s `types`: `InetAddress`,
 * `LocalDate`, `LocalTime`, `Tuple`, `BigDecimal` and `Duration`, each a thin
 * shape over the value the driver itself uses (text, bigint nanoseconds,
 * arrays, exact decimal text).
 * @module
 */

import { Long } from "./long.ts";
import { inspectAsText, toBuffer } from "./uuid.ts";

/** An IPv4 or IPv6 address, as `types.InetAddress`; the driver's form is its text. */
export class InetAddress {
  readonly #text: string;
  /** 4 or 16 (bytes). */
  readonly length: number;
  /** 4 or 6. */
  readonly version: number;

  /**
   * An address from its 4 or 16 bytes.
   * @throws {TypeError} another length
   */
  constructor(buffer: Uint8Array) {
    if (!(buffer instanceof Uint8Array) || (buffer.length !== 4 && buffer.length !== 16)) {
      throw new TypeError("an InetAddress needs 4 or 16 bytes");
    }
    this.length = buffer.length;
    this.version = buffer.length === 4 ? 4 : 6;
    if (buffer.length === 4) this.#text = [...buffer].join(".");
    else {
      const groups: string[] = [];
      for (let i = 0; i < 16; i += 2) groups.push(((buffer[i] << 8) | buffer[i + 1]).toString(16));
      this.#text = compressV6(groups);
    }
  }

  /**
   * Parses IPv4 (`10.0.0.1`) or IPv6 (`::1`) text.
   * @throws {TypeError} malformed text
   */
  static fromString(value: string): InetAddress {
    return new InetAddress(inetBytes(value));
  }

  /** The 4 or 16 bytes. */
  getBuffer(): Uint8Array {
    return toBuffer(inetBytes(this.#text));
  }

  /** Whether both are the same address. */
  equals(other: InetAddress): boolean {
    return other instanceof InetAddress && other.toString() === this.#text;
  }

  /** The text form. */
  toString(): string {
    return this.#text;
  }

  /** JSON form: the text form. */
  toJSON(): string {
    return this.#text;
  }
}

function compressV6(groups: string[]): string {
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return groups.join(":");
  return `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLen).join(":")}`;
}

function inetBytes(text: string): Uint8Array {
  const bad = () =>
    new TypeError(`not an IP address: ${JSON.stringify(String(text)).slice(0, 60)}`);
  if (typeof text !== "string") throw bad();
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const parts = text.split(".").map(Number);
    if (parts.some((p) => p > 255)) throw bad();
    return new Uint8Array(parts);
  }
  // A trailing dotted quad (`::ffff:1.2.3.4`) is two groups.
  const quad = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  let v6 = text;
  if (quad) {
    const v4 = inetBytes(quad[2]);
    const hex = (i: number) => ((v4[i] << 8) | v4[i + 1]).toString(16);
    v6 = `${quad[1]}${hex(0)}:${hex(2)}`;
  }
  const halves = v6.split("::");
  if (halves.length > 2 || !/^[0-9a-f:]+$/i.test(v6)) throw bad();
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0]), tail = halves.length === 2 ? groups(halves[1]) : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) throw bad();
  const all = [...head, ...Array(halves.length === 2 ? fill : 0).fill("0"), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) throw bad();
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

/** A date without time zone, as `types.LocalDate`; the driver's form is `"YYYY-MM-DD"`. */
export class LocalDate {
  /** The year. */
  readonly year: number;
  /** The month, 1..12. */
  readonly month: number;
  /** The day of the month, 1..31. */
  readonly day: number;

  /** A date from its parts (month 1..12). */
  constructor(year: number, month: number, day: number) {
    this.year = year;
    this.month = month;
    this.day = day;
  }

  /** The UTC date of `date`. */
  static fromDate(date: Date): LocalDate {
    return new LocalDate(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
  }

  /**
   * Parses `"YYYY-MM-DD"` (a leading `-` for years before 0), or a number of
   * days since 1970-01-01 (`"-1"`), as `cassandra-driver`.
   * @throws {TypeError} malformed text
   */
  static fromString(value: string): LocalDate {
    if (/^-?\d+$/.test(String(value))) {
      return LocalDate.fromDate(new Date(Number(value) * 86_400_000));
    }
    const m = /^(-?\d+)-(\d{1,2})-(\d{1,2})$/.exec(String(value));
    if (m === null) {
      throw new TypeError(`not a date: ${JSON.stringify(String(value)).slice(0, 40)}`);
    }
    return new LocalDate(Number(m[1]), Number(m[2]), Number(m[3]));
  }

  /** Today in local time. */
  static now(): LocalDate {
    const d = new Date();
    return new LocalDate(d.getFullYear(), d.getMonth() + 1, d.getDate());
  }

  /** Today in UTC. */
  static utcNow(): LocalDate {
    return LocalDate.fromDate(new Date());
  }

  /** Whether both are the same date. */
  equals(other: LocalDate): boolean {
    return other instanceof LocalDate && other.toString() === this.toString();
  }

  /** `"YYYY-MM-DD"`. */
  toString(): string {
    const y = this.year < 0
      ? `-${String(-this.year).padStart(4, "0")}`
      : String(this.year).padStart(4, "0");
    return `${y}-${String(this.month).padStart(2, "0")}-${String(this.day).padStart(2, "0")}`;
  }

  /** JSON form: the text form. */
  toJSON(): string {
    return this.toString();
  }
}

const NS_PER = { h: 3_600_000_000_000n, m: 60_000_000_000n, s: 1_000_000_000n };

/** A time of day with nanoseconds, as `types.LocalTime`; the driver's form is bigint nanoseconds. */
export class LocalTime {
  readonly #nanos: bigint;
  /** Hour, 0..23. */
  readonly hour: number;
  /** Minute, 0..59. */
  readonly minute: number;
  /** Second, 0..59. */
  readonly second: number;
  /** Nanoseconds within the second. */
  readonly nanosecond: number;

  /**
   * A time from nanoseconds since midnight.
   * @throws {RangeError} outside one day
   */
  constructor(totalNanoseconds: Long | bigint | number) {
    const n = totalNanoseconds instanceof Long
      ? totalNanoseconds.toBigInt()
      : BigInt(totalNanoseconds);
    if (n < 0n || n >= 24n * NS_PER.h) throw new RangeError("a LocalTime is within one day");
    this.#nanos = n;
    this.hour = Number(n / NS_PER.h);
    this.minute = Number((n % NS_PER.h) / NS_PER.m);
    this.second = Number((n % NS_PER.m) / NS_PER.s);
    this.nanosecond = Number(n % NS_PER.s);
  }

  /**
   * Parses `"HH:MM[:SS[.fffffffff]]"`.
   * @throws {TypeError} malformed text
   */
  static fromString(value: string): LocalTime {
    const m = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/.exec(String(value));
    if (m === null) {
      throw new TypeError(`not a time: ${JSON.stringify(String(value)).slice(0, 40)}`);
    }
    return new LocalTime(
      BigInt(m[1]) * NS_PER.h + BigInt(m[2]) * NS_PER.m + BigInt(m[3] ?? 0) * NS_PER.s +
        BigInt((m[4] ?? "").padEnd(9, "0")),
    );
  }

  /** A time from milliseconds since midnight plus nanoseconds. */
  static fromMilliseconds(milliseconds: number, nanoseconds = 0): LocalTime {
    return new LocalTime(BigInt(Math.trunc(milliseconds)) * 1_000_000n + BigInt(nanoseconds));
  }

  /** The local time of day of `date`, plus nanoseconds. */
  static fromDate(date: Date, nanoseconds = 0): LocalTime {
    const ms = ((date.getHours() * 60 + date.getMinutes()) * 60 + date.getSeconds()) * 1000 +
      date.getMilliseconds();
    return LocalTime.fromMilliseconds(ms, nanoseconds);
  }

  /** The local time now. */
  static now(nanoseconds = 0): LocalTime {
    return LocalTime.fromDate(new Date(), nanoseconds);
  }

  /** Nanoseconds since midnight as a `Long`. */
  getTotalNanoseconds(): Long {
    return Long.fromBigInt(this.#nanos);
  }

  /** -1, 0 or 1 as this is before, equal to or after `other`. */
  compare(other: LocalTime): number {
    const a = this.#nanos, b = other.getTotalNanoseconds().toBigInt();
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** Whether both are the same time. */
  equals(other: LocalTime): boolean {
    return other instanceof LocalTime && this.compare(other) === 0;
  }

  /** `"HH:MM:SS[.fffffffff]"` (fraction without trailing zeros). */
  toString(): string {
    const p = (n: number) => String(n).padStart(2, "0");
    const frac = this.nanosecond === 0
      ? ""
      : `.${String(this.nanosecond).padStart(9, "0").replace(/0+$/, "")}`;
    return `${p(this.hour)}:${p(this.minute)}:${p(this.second)}${frac}`;
  }

  /** JSON form: the text form. */
  toJSON(): string {
    return this.toString();
  }
}

/** A CQL tuple, as `types.Tuple`; the driver's form is an array. */
export class Tuple {
  /** The elements. */
  readonly elements: unknown[];
  /** Number of elements. */
  readonly length: number;

  /** A tuple of the given elements. */
  constructor(...elements: unknown[]) {
    this.elements = elements;
    this.length = elements.length;
  }

  /** A tuple of an array's elements. */
  static fromArray(elements: unknown[]): Tuple {
    return new Tuple(...elements);
  }

  /** The element at `index`. */
  get(index: number): unknown {
    return this.elements[index];
  }

  /** A copy of the elements. */
  values(): unknown[] {
    return this.elements.slice();
  }

  /** `"(a,b)"`. */
  toString(): string {
    return `(${this.elements.map(String).join(",")})`;
  }

  /** JSON form: the elements. */
  toJSON(): unknown[] {
    return this.elements;
  }
}

inspectAsText(InetAddress);
inspectAsText(LocalDate);
