/**
 * text/varchar, ascii, blob and custom types (raw bytes).
 * @module
 */

import { decodeUtf8 } from "../bytes.ts";
import { kindProblem, rangeProblem } from "./problems.ts";
import type { Decoder, ValueWriter } from "./types.ts";

const utf8 = new TextEncoder();

// Up to this length a JS loop beats the native TextDecoder call (V8 and JSC: 3-9x faster at
// 4-8 bytes, even at 16; Deno's TextDecoder call costs ~0.8 us, so there the loop wins up to
// ~80 bytes). Column values are often this short. The runtime shim tunes it.
let shortText = 16;

/** Sets the length up to which text is decoded by a JS loop rather than `TextDecoder`. */
export function setShortTextLimit(bytes: number): void {
  shortText = bytes;
}

/** `text` / `varchar` / `ascii`: UTF-8. */
export const decodeText: Decoder = (buf, _view, start, len) => {
  if (len <= shortText) {
    let s = "";
    for (let i = start, end = start + len; i < end; i++) {
      const b = buf[i];
      if (b >= 0x80) return decodeUtf8(buf.subarray(start, start + len));
      s += String.fromCharCode(b);
    }
    return s;
  }
  return decodeUtf8(buf.subarray(start, start + len));
};

/** `text` from a string; unpaired surrogates are refused rather than silently replaced. */
export const writeText: ValueWriter = (w, v) => {
  if (typeof v !== "string") throw kindProblem("a string", v);
  const n = v.length;
  w.ensure(4 + n * 3);
  const at = w.length;
  const buf = w.buf;
  let i = 0;
  if (n <= 64) {
    for (; i < n; i++) {
      const c = v.charCodeAt(i);
      if (c >= 0x80) break;
      buf[at + 4 + i] = c;
    }
    if (i === n) {
      w.view.setInt32(at, n);
      w.length = at + 4 + n;
      return;
    }
  }
  if (!isWellFormed(v)) throw rangeProblem("contains an unpaired surrogate");
  const { written } = utf8.encodeInto(v, buf.subarray(at + 4));
  w.view.setInt32(at, written);
  w.length = at + 4 + written;
};

const isWellFormed: (s: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === "function"
    ? (s) => (s as unknown as { isWellFormed(): boolean }).isWellFormed()
    : (s) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

/** `ascii` from a string of code points below 128. */
export const writeAscii: ValueWriter = (w, v) => {
  if (typeof v !== "string") throw kindProblem("a string", v);
  const n = v.length;
  w.ensure(4 + n);
  const at = w.length;
  const buf = w.buf;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c >= 0x80) throw rangeProblem(`contains a non-ASCII character at index ${i}`);
    buf[at + 4 + i] = c;
  }
  w.view.setInt32(at, n);
  w.length = at + 4 + n;
};

/**
 * `blob` (and custom types): a view. Callers hand decoders a buffer of their own
 * (`readRows` copies a page's cells once), since frame buffers are reused;
 * one copy per page is much cheaper than one per cell.
 */
export const decodeBlob: Decoder = (buf, _view, start, len) => buf.subarray(start, start + len);

/** `blob` from a Uint8Array (Node's Buffer included) or an ArrayBuffer. */
export const writeBlob: ValueWriter = (w, v) => {
  let bytes: Uint8Array;
  if (v instanceof Uint8Array) bytes = v;
  else if (v instanceof ArrayBuffer) bytes = new Uint8Array(v);
  else throw kindProblem("a Uint8Array", v);
  w.writeInt(bytes.length);
  w.writeRaw(bytes);
};
