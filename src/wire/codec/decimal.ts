/**
 * `decimal`: `[int]` scale then a varint unscaled value, meaning
 * `unscaled × 10^-scale`. JS side is an exact string.
 * @module
 */

import { badCell, kindProblem, malformed, rangeProblem } from "./problems.ts";
import { readVarint, writeVarintBytes } from "./numbers.ts";
import type { Decoder, ValueWriter } from "./types.ts";

/**
 * Formats `unscaled × 10^-scale` like Java's `BigDecimal.toString()` (the
 * General Decimal Arithmetic "to-scientific-string"): plain notation keeping
 * trailing zeros (`"-12.3450"`) unless the scale is negative or the number is
 * below 1e-6, then `1.5E-7` / `1.2E+4`. This keeps both the value and the
 * scale, so parsing the text back gives the same bytes, and a hostile scale
 * cannot produce a gigabyte of zeros.
 */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  const n = digits.length;
  const adjusted = n - 1 - scale;
  let out: string;
  if (scale >= 0 && adjusted >= -6) {
    if (scale === 0) out = digits;
    else if (n > scale) out = digits.slice(0, n - scale) + "." + digits.slice(n - scale);
    else out = "0." + "0".repeat(scale - n) + digits;
  } else {
    out = digits[0] + (n > 1 ? "." + digits.slice(1) : "") + "E" + (adjusted >= 0 ? "+" : "") +
      adjusted;
  }
  return negative ? "-" + out : out;
}

const DECIMAL_TEXT = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/;

/**
 * Parses decimal text (`"-12.3450"`, `"1.5e-3"`, `"12E+3"`) into its unscaled
 * value and scale; `null` when malformed.
 */
export function parseDecimal(text: string): { unscaled: bigint; scale: number } | null {
  const m = DECIMAL_TEXT.exec(text);
  if (m === null) return null;
  const [, sign, int, frac = "", exp = "0"] = m;
  if (int === "" && frac === "") return null;
  return { unscaled: BigInt(sign + (int + frac)), scale: frac.length - Number(exp) };
}

/**
 * Largest unscaled value of a decimal decoded: 64 KiB (~158 000 digits).
 * Turning a bigint into text takes time that grows faster than its size
 * (64 KiB: ~30 ms, 1 MiB: ~0.7 s, blocking every connection), so larger
 * ones are refused.
 */
export const MAX_DECIMAL_BYTES = 64 * 1024;

/** `decimal` as an exact string. */
export const decodeDecimal: Decoder = (buf, view, start, len) => {
  if (len < 4) {
    return len === 0 ? null : badCell("decimal", `expected at least 4 bytes, got ${len}`);
  }
  if (len - 4 > MAX_DECIMAL_BYTES) {
    badCell("decimal", `${len - 4} digit bytes exceed the ${MAX_DECIMAL_BYTES}-byte limit`);
  }
  return formatDecimal(readVarint(buf, start + 4, len - 4), view.getInt32(start));
};

const DECIMAL_KIND = "a decimal string, a finite number or a bigint";

/** `decimal` from a string (plain or exponent form), a finite number or a bigint. */
export const writeDecimal: ValueWriter = (w, v) => {
  let unscaled: bigint, scale: number;
  if (typeof v === "bigint") {
    unscaled = v;
    scale = 0;
  } else {
    let text: string;
    if (typeof v === "string") {
      text = v;
    } else if (typeof v === "number") {
      if (!Number.isFinite(v)) throw rangeProblem(`${v} is not a finite number`);
      text = String(v);
    } else {
      throw kindProblem(DECIMAL_KIND, v);
    }
    const d = parseDecimal(text);
    if (d === null) throw malformed("a decimal string");
    ({ unscaled, scale } = d);
    if (!(scale >= -2147483648 && scale <= 2147483647)) {
      throw rangeProblem(`the exponent is out of range (scale ${scale} does not fit an int)`);
    }
  }
  w.ensure(8);
  const at = w.length;
  w.view.setInt32(at + 4, scale);
  w.length = at + 8;
  writeVarintBytes(w, unscaled);
  w.view.setInt32(at, w.length - at - 4);
};
