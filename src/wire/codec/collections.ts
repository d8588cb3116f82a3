/**
 * list, set, map (an `[int]` count then `[bytes]` elements), tuple and UDT
 * (successive `[bytes]`), built around the element codecs by `index.ts`.
 * Element NULLs are length -1 both ways; `undefined` has no meaning inside a
 * value (unset exists only for a whole bind value) and is refused.
 * @module
 */

import type { Writer } from "../bytes.ts";
import { badCell, EncodeProblem, kindProblem, within } from "./problems.ts";
import type { Decoder, ValueWriter } from "./types.ts";

function truncated(type: string): never {
  return badCell(type, "truncated element");
}

/** Checks the `[int]` count at `start` against the bytes that must follow it. */
function readCount(view: DataView, start: number, len: number, min: number, type: string): number {
  if (len < 4) badCell(type, `expected at least 4 bytes, got ${len}`);
  const n = view.getInt32(start);
  // Every element takes at least `min` bytes, so a hostile count cannot make us allocate.
  if (n < 0 || n * min > len - 4) badCell(type, `element count ${n} does not fit ${len} bytes`);
  return n;
}

/** `list<T>` / `set<T>` as an Array. */
export function listDecoder(element: Decoder, type: "list" | "set"): Decoder {
  return (buf, view, start, len) => {
    if (len === 0) return null;
    const n = readCount(view, start, len, 4, type);
    const end = start + len;
    const out: unknown[] = [];
    let p = start + 4;
    for (let i = 0; i < n; i++) {
      if (p + 4 > end) truncated(type);
      const l = view.getInt32(p);
      p += 4;
      if (l < 0) {
        out.push(null);
        continue;
      }
      if (p + l > end) truncated(type);
      out.push(element(buf, view, p, l));
      p += l;
    }
    if (p !== end) badCell(type, `${end - p} bytes after the last element`);
    return out;
  };
}

/** `map<K, V>` as a Map. */
export function mapDecoder(key: Decoder, value: Decoder): Decoder {
  return (buf, view, start, len) => {
    if (len === 0) return null;
    const n = readCount(view, start, len, 8, "map");
    const end = start + len;
    const out = new Map<unknown, unknown>();
    let p = start + 4;
    for (let i = 0; i < n; i++) {
      if (p + 4 > end) truncated("map");
      let l = view.getInt32(p);
      p += 4;
      let k: unknown = null;
      if (l >= 0) {
        if (p + l > end) truncated("map");
        k = key(buf, view, p, l);
        p += l;
      }
      if (p + 4 > end) truncated("map");
      l = view.getInt32(p);
      p += 4;
      let v: unknown = null;
      if (l >= 0) {
        if (p + l > end) truncated("map");
        v = value(buf, view, p, l);
        p += l;
      }
      out.set(k, v);
    }
    if (p !== end) badCell("map", `${end - p} bytes after the last entry`);
    return out;
  };
}

/**
 * Decodes successive `[bytes]` into `put(i, value)`; components missing at
 * the end stay as the caller initialised them (`null`).
 */
function readSequence(
  buf: Uint8Array,
  view: DataView,
  start: number,
  len: number,
  decoders: readonly Decoder[],
  type: string,
  put: (i: number, v: unknown) => void,
): void {
  const end = start + len;
  let p = start;
  for (let i = 0; i < decoders.length && p < end; i++) {
    if (p + 4 > end) truncated(type);
    const l = view.getInt32(p);
    p += 4;
    if (l < 0) continue;
    if (p + l > end) truncated(type);
    put(i, decoders[i](buf, view, p, l));
    p += l;
  }
  if (p !== end) badCell(type, `${end - p} bytes after the last component`);
}

/** `tuple<...>` as an Array, `null` for NULL or absent trailing components. */
export function tupleDecoder(elements: readonly Decoder[]): Decoder {
  return (buf, view, start, len) => {
    const out: unknown[] = elements.map(() => null);
    readSequence(buf, view, start, len, elements, "tuple", (i, v) => out[i] = v);
    return out;
  };
}

/** A UDT as a plain object with every field, `null` for NULL or absent trailing fields. */
export function udtDecoder(names: readonly string[], fields: readonly Decoder[]): Decoder {
  // A field literally named "__proto__" must be an own property, not the prototype.
  const define = names.includes("__proto__");
  return (buf, view, start, len) => {
    const out: Record<string, unknown> = {};
    if (define) {
      for (const name of names) Object.defineProperty(out, name, NULL_FIELD);
    } else {
      for (let i = 0; i < names.length; i++) out[names[i]] = null;
    }
    readSequence(buf, view, start, len, fields, "udt", (i, v) => {
      if (define) Object.defineProperty(out, names[i], { ...NULL_FIELD, value: v });
      else out[names[i]] = v;
    });
    return out;
  };
}

const NULL_FIELD: PropertyDescriptor = {
  value: null,
  writable: true,
  enumerable: true,
  configurable: true,
};

// ---- encoders ----

/** Reserves the `[int]` length and writes the `[int]` count; returns where the length goes. */
function begin(w: Writer, count: number): number {
  w.ensure(8);
  const at = w.length;
  w.view.setInt32(at + 4, count);
  w.length = at + 8;
  return at;
}

function finish(w: Writer, at: number): void {
  w.view.setInt32(at, w.length - at - 4);
}

/** One element `[bytes]`: NULL is -1, `undefined` is refused. */
function writeElement(w: Writer, write: ValueWriter, v: unknown): void {
  if (v === null) w.writeInt(-1);
  else if (v === undefined) throw unsetInside();
  else write(w, v);
}

function unsetInside(): EncodeProblem {
  return new EncodeProblem(false, "undefined (unset) is not allowed inside a value; use null");
}

/** `list<T>` from an Array. */
export function listWriter(element: ValueWriter): ValueWriter {
  return (w, v) => {
    if (!Array.isArray(v)) throw kindProblem("an Array", v);
    const at = begin(w, v.length);
    let i = 0;
    try {
      for (; i < v.length; i++) writeElement(w, element, v[i]);
    } catch (e) {
      throw within(e, `element ${i}`);
    }
    finish(w, at);
  };
}

/** `set<T>` from an Array or a Set. */
export function setWriter(element: ValueWriter): ValueWriter {
  const list = listWriter(element);
  return (w, v) => {
    if (Array.isArray(v)) return list(w, v);
    if (!(v instanceof Set)) throw kindProblem("an Array or a Set", v);
    const at = begin(w, v.size);
    let i = 0;
    try {
      for (const x of v) {
        writeElement(w, element, x);
        i++;
      }
    } catch (e) {
      throw within(e, `element ${i}`);
    }
    finish(w, at);
  };
}

/** Whether `v` is an object literal or `Object.create(null)`, not an Array, Map, Date… */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * `map<K, V>` from a Map; when `textKeys` (K is text, varchar or ascii) also
 * from a plain object, whose own enumerable keys become the map keys.
 */
export function mapWriter(key: ValueWriter, value: ValueWriter, textKeys: boolean): ValueWriter {
  const expected = textKeys ? "a Map or a plain object" : "a Map";
  return (w, v) => {
    let entries: Iterable<[unknown, unknown]>;
    let size: number;
    if (v instanceof Map) {
      entries = v;
      size = v.size;
    } else if (textKeys && isPlainObject(v)) {
      const e = Object.entries(v);
      entries = e;
      size = e.length;
    } else {
      throw kindProblem(expected, v);
    }
    const at = begin(w, size);
    let i = 0, where = "key";
    try {
      for (const [k, x] of entries) {
        where = "key";
        writeElement(w, key, k);
        where = "value";
        writeElement(w, value, x);
        i++;
      }
    } catch (e) {
      throw within(e, `${where} ${i}`);
    }
    finish(w, at);
  };
}

/** `tuple<...>` from an Array of exactly as many components. */
export function tupleWriter(elements: readonly ValueWriter[]): ValueWriter {
  const n = elements.length;
  return (w, v) => {
    if (!Array.isArray(v)) throw kindProblem(`an Array of ${n} elements`, v);
    if (v.length !== n) {
      throw new EncodeProblem(false, `expected an Array of ${n} elements, got ${v.length}`);
    }
    w.ensure(4);
    const at = w.length;
    w.length = at + 4;
    let i = 0;
    try {
      for (; i < n; i++) writeElement(w, elements[i], v[i]);
    } catch (e) {
      throw within(e, `element ${i}`);
    }
    finish(w, at);
  };
}

/**
 * A UDT from a plain object keyed by field name (exact case). Missing or
 * `undefined` fields are NULL; a key that is not a field is refused.
 */
export function udtWriter(names: readonly string[], fields: readonly ValueWriter[]): ValueWriter {
  const known = new Set(names);
  return (w, v) => {
    if (!isPlainObject(v)) throw kindProblem("a plain object", v);
    for (const k of Object.keys(v)) {
      if (!known.has(k)) throw new EncodeProblem(false, `unknown field "${k}"`);
    }
    w.ensure(4);
    const at = w.length;
    w.length = at + 4;
    let i = 0;
    try {
      for (; i < names.length; i++) {
        const x = Object.hasOwn(v, names[i]) ? v[names[i]] : undefined;
        if (x === undefined || x === null) w.writeInt(-1);
        else fields[i](w, x);
      }
    } catch (e) {
      throw within(e, `field "${names[i]}"`);
    }
    finish(w, at);
  };
}
