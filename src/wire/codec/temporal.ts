/**
 * timestamp (Date), date ("YYYY-MM-DD"), time (bigint ns) and duration.
 * @module
 */

import {
  badCell,
  badLength,
  describe,
  EncodeProblem,
  kindProblem,
  malformed,
  rangeProblem,
} from "./problems.ts";
import { checkLong, reserve, setLong } from "./numbers.ts";
import { type Cursor, readUnsignedVint, unzigzag, writeUnsignedVint, zigzag } from "./vint.ts";
import type { Decoder, ValueWriter } from "./types.ts";

// ---- timestamp ----

/**
 * `timestamp` as a Date. Milliseconds beyond the Date range (±8.64e15, about
 * ±273,790 years) give an invalid Date rather than failing the whole result.
 */
export const decodeTimestamp: Decoder = (_buf, view, start, len) => {
  if (len !== 8) return len === 0 ? null : badLength("timestamp", 8, len);
  // Two 32-bit reads avoid allocating a BigInt; exact within the Date range.
  return new Date(view.getInt32(start) * 4294967296 + view.getUint32(start + 4));
};

/** `timestamp` from a valid Date, integer epoch milliseconds, or a bigint of them. */
export const writeTimestamp: ValueWriter = (w, v) => {
  let ms: number | bigint;
  if (v instanceof Date) {
    ms = v.getTime();
    if (Number.isNaN(ms)) throw rangeProblem("invalid Date");
  } else if (typeof v === "number" || typeof v === "bigint") {
    ms = checkLong(v);
  } else {
    throw kindProblem("a Date, an epoch-milliseconds number or a bigint", v);
  }
  const at = reserve(w, 8);
  setLong(w.view, at, ms);
};

// ---- date ----

const EPOCH_DAY = 2 ** 31;
const MS_PER_DAY = 86400000;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of {@link daysFromCivil}. */
export function civilFromDays(days: number): [year: number, month: number, day: number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

function pad2(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

/**
 * Formats days since the epoch as ISO 8601 text like Java's `LocalDate`:
 * `YYYY-MM-DD` for years 0–9999, `+10000-01-01` above, `-0001-01-01` below
 * (year 0 is 1 BC).
 */
export function formatDate(days: number): string {
  const [y, m, d] = civilFromDays(days);
  const year = y > 9999
    ? "+" + y
    : y < 0
    ? "-" + String(-y).padStart(4, "0")
    : String(y).padStart(4, "0");
  return `${year}-${pad2(m)}-${pad2(d)}`;
}

/** `date`: days with the epoch at 2^31, as `"YYYY-MM-DD"`. */
export const decodeDate: Decoder = (_buf, view, start, len) => {
  if (len !== 4) return len === 0 ? null : badLength("date", 4, len);
  return formatDate(view.getUint32(start) - EPOCH_DAY);
};

const DATE_TEXT = /^([+-]?)([0-9]{4,9})-([0-9]{2})-([0-9]{2})$/;
const DATE_KIND = 'a "YYYY-MM-DD" string or a Date';

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

/** Days since the epoch of `"YYYY-MM-DD"` text (signed and 5+ digit years allowed). */
export function parseDate(text: string): number {
  const m = DATE_TEXT.exec(text);
  if (m === null) throw malformed(DATE_KIND);
  const year = Number(m[1] + m[2]), month = Number(m[3]), day = Number(m[4]);
  if (month < 1 || month > 12) throw rangeProblem(`month ${month} is out of range [1, 12]`);
  const last = month === 2 ? (isLeap(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  if (day < 1 || day > last) throw rangeProblem(`day ${day} is out of range [1, ${last}]`);
  return daysFromCivil(year, month, day);
}

/** `date` from `"YYYY-MM-DD"` text or a valid Date (its UTC calendar day). */
export const writeDate: ValueWriter = (w, v) => {
  let days: number;
  if (typeof v === "string") {
    days = parseDate(v);
  } else if (v instanceof Date) {
    const ms = v.getTime();
    if (Number.isNaN(ms)) throw rangeProblem("invalid Date");
    days = Math.floor(ms / MS_PER_DAY);
  } else {
    throw kindProblem(DATE_KIND, v);
  }
  if (days < -EPOCH_DAY || days >= EPOCH_DAY) {
    throw rangeProblem(
      `the date is out of range [${formatDate(-EPOCH_DAY)}, ${formatDate(EPOCH_DAY - 1)}]`,
    );
  }
  const at = reserve(w, 4);
  w.view.setUint32(at, days + EPOCH_DAY);
};

// ---- time ----

const NS_PER_DAY = 86400000000000;

/** `time`: nanoseconds since midnight as a bigint. */
export const decodeTime: Decoder = (_buf, view, start, len) => {
  if (len !== 8) return len === 0 ? null : badLength("time", 8, len);
  return view.getBigInt64(start);
};

const TIME_TEXT = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?$/;
const TIME_KIND = 'a bigint, a number of nanoseconds or an "HH:MM:SS[.fffffffff]" string';

/** Nanoseconds since midnight of `"HH:MM:SS[.fffffffff]"` text. */
export function parseTime(text: string): number {
  const m = TIME_TEXT.exec(text);
  if (m === null) throw malformed(TIME_KIND);
  const h = Number(m[1]), min = Number(m[2]), s = Number(m[3]);
  if (h > 23) throw rangeProblem(`hour ${h} is out of range [0, 23]`);
  if (min > 59) throw rangeProblem(`minute ${min} is out of range [0, 59]`);
  if (s > 59) throw rangeProblem(`second ${s} is out of range [0, 59]`);
  return ((h * 60 + min) * 60 + s) * 1e9 + Number((m[4] ?? "").padEnd(9, "0"));
}

/** `time` from a bigint or number of nanoseconds in [0, 86400e9), or `"HH:MM:SS[.f…]"`. */
export const writeTime: ValueWriter = (w, v) => {
  let ns: number | bigint;
  if (typeof v === "string") {
    ns = parseTime(v);
  } else if (typeof v === "bigint" || typeof v === "number") {
    ns = checkLong(v);
    if (ns < 0 || ns >= NS_PER_DAY) {
      throw rangeProblem(`${ns} is out of range [0, ${NS_PER_DAY - 1}]`);
    }
  } else {
    throw kindProblem(TIME_KIND, v);
  }
  const at = reserve(w, 8);
  setLong(w.view, at, ns);
};

// ---- duration ----

/** The JS form of a CQL `duration`. */
export interface Duration {
  /** Months, a 32-bit integer. */
  months: number;
  /** Days, a 32-bit integer. */
  days: number;
  /** Nanoseconds, a 64-bit integer. */
  nanoseconds: bigint;
}

const INT_MIN = -2147483648, INT_MAX = 2147483647;
const cursor: Cursor = { pos: 0 };

/** `duration`: three zig-zag vints (months, days, nanoseconds). */
export const decodeDuration: Decoder = (buf, _view, start, len) => {
  if (len === 0) return null;
  const end = start + len;
  cursor.pos = start;
  const months = unzigzag(readUnsignedVint(buf, cursor, end, "duration"));
  const days = unzigzag(readUnsignedVint(buf, cursor, end, "duration"));
  const nanoseconds = unzigzag(readUnsignedVint(buf, cursor, end, "duration"));
  if (cursor.pos !== end) badCell("duration", `${end - cursor.pos} bytes after the value`);
  if (months < INT_MIN || months > INT_MAX || days < INT_MIN || days > INT_MAX) {
    badCell("duration", "months or days do not fit a 32-bit integer");
  }
  return { months: Number(months), days: Number(days), nanoseconds } satisfies Duration;
};

const DURATION_KIND = "a { months, days, nanoseconds } object";

/**
 * `duration` from `{ months, days, nanoseconds }`; an omitted field is 0.
 * All three must share a sign, as the server requires.
 */
export const writeDuration: ValueWriter = (w, v) => {
  // Only plain objects: a Date or a Map has none of the fields and would encode as zero.
  if (
    typeof v !== "object" || v === null ||
    (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null)
  ) throw kindProblem(DURATION_KIND, v);
  for (const key of Object.keys(v)) {
    if (key !== "months" && key !== "days" && key !== "nanoseconds") {
      throw new EncodeProblem(
        false,
        `unknown field "${key}"; a duration has months, days and nanoseconds`,
      );
    }
  }
  const d = v as Partial<Record<keyof Duration, unknown>>;
  const months = durationInt(d.months, "months");
  const days = durationInt(d.days, "days");
  let ns: bigint;
  try {
    const n = d.nanoseconds === undefined ? 0 : checkLong(d.nanoseconds);
    ns = typeof n === "bigint" ? n : BigInt(n);
  } catch (e) {
    throw prefix(e, "nanoseconds");
  }
  if (
    (months > 0 || days > 0 || ns > 0n) && (months < 0 || days < 0 || ns < 0n)
  ) {
    throw rangeProblem("months, days and nanoseconds must not have different signs");
  }
  w.ensure(4);
  const at = w.length;
  w.length = at + 4;
  writeUnsignedVint(w, zigzag(BigInt(months)));
  writeUnsignedVint(w, zigzag(BigInt(days)));
  writeUnsignedVint(w, zigzag(ns));
  w.view.setInt32(at, w.length - at - 4);
};

function durationInt(v: unknown, field: string): number {
  if (v === undefined) return 0;
  if (typeof v !== "number") {
    throw new EncodeProblem(false, `${field}: expected an integer number, got ${describe(v)}`);
  }
  if (!Number.isInteger(v) || v < INT_MIN || v > INT_MAX) {
    throw rangeProblem(`${field}: ${v} is not an integer in [${INT_MIN}, ${INT_MAX}]`);
  }
  return v;
}

function prefix(e: unknown, field: string): unknown {
  return e instanceof EncodeProblem ? new EncodeProblem(e.range, `${field}: ${e.problem}`) : e;
}
