/**
 * `vector<T, n>` (Cassandra 5 `VectorType`, sent as a custom type): n
 * elements back to back, without `[bytes]` lengths when T has a fixed size,
 * else each prefixed by its length as an unsigned vint. No element is NULL.
 * @module
 */

import { badCell, EncodeProblem, kindProblem, within } from "./problems.ts";
import { reserve } from "./numbers.ts";
import { type Cursor, putUnsignedVint, readUnsignedVint, unsignedVintSize } from "./vint.ts";
import type { Decoder, ValueWriter } from "./types.ts";

/** `vector<float, n>` as a Float32Array. */
export function floatVectorDecoder(dimension: number): Decoder {
  const size = 4 * dimension;
  return (_buf, view, start, len) => {
    if (len !== size) return len === 0 ? null : vectorLength(size, len);
    const out = new Float32Array(dimension);
    for (let i = 0; i < dimension; i++) out[i] = view.getFloat32(start + 4 * i);
    return out;
  };
}

function vectorLength(expected: number, got: number): never {
  return badCell("vector", `expected ${expected} bytes, got ${got}`);
}

/** `vector<T, n>` of a fixed-size T (`elementSize` bytes each) as an Array. */
export function fixedVectorDecoder(
  element: Decoder,
  elementSize: number,
  dimension: number,
): Decoder {
  const size = elementSize * dimension;
  return (buf, view, start, len) => {
    if (len !== size) return len === 0 ? null : vectorLength(size, len);
    const out: unknown[] = [];
    for (let i = 0; i < dimension; i++) {
      out.push(element(buf, view, start + i * elementSize, elementSize));
    }
    return out;
  };
}

const cursor: Cursor = { pos: 0 };

/** `vector<T, n>` of a variable-size T as an Array. */
export function variableVectorDecoder(element: Decoder, dimension: number): Decoder {
  return (buf, view, start, len) => {
    if (len === 0) return null;
    const end = start + len;
    const out: unknown[] = [];
    let p = start;
    for (let i = 0; i < dimension; i++) {
      cursor.pos = p;
      const l = Number(readUnsignedVint(buf, cursor, end, "vector"));
      p = cursor.pos;
      if (p + l > end) badCell("vector", "truncated element");
      // The element decoder may itself read vints through `cursor`: `p` is ours.
      out.push(element(buf, view, p, l));
      p += l;
    }
    if (p !== end) badCell("vector", `${end - p} bytes after the last element`);
    return out;
  };
}

/** `vector<float, n>` from a Float32Array or an Array of n numbers. */
export function floatVectorWriter(dimension: number): ValueWriter {
  const expected = `a Float32Array or an Array of ${dimension} numbers`;
  return (w, v) => {
    if (!(v instanceof Float32Array) && !Array.isArray(v)) throw kindProblem(expected, v);
    if (v.length !== dimension) {
      throw new EncodeProblem(false, `expected ${dimension} elements, got ${v.length}`);
    }
    const at0 = w.length;
    const at = reserve(w, 4 * dimension);
    const view = w.view;
    for (let i = 0; i < dimension; i++) {
      const x = v[i];
      if (typeof x !== "number") {
        w.length = at0;
        throw within(
          x === null || x === undefined
            ? new EncodeProblem(false, `vector elements cannot be ${x}`)
            : kindProblem("a number", x),
          `element ${i}`,
        );
      }
      view.setFloat32(at + 4 * i, x);
    }
  };
}

/**
 * `vector<T, n>` from an Array of n non-null elements. Each element is
 * written by T's encoder (with its `[int]` length) and the length is then
 * dropped (`fixed`) or turned into an unsigned vint.
 */
export function vectorWriter(element: ValueWriter, dimension: number, fixed: boolean): ValueWriter {
  return (w, v) => {
    if (!Array.isArray(v)) throw kindProblem(`an Array of ${dimension} elements`, v);
    if (v.length !== dimension) {
      throw new EncodeProblem(false, `expected ${dimension} elements, got ${v.length}`);
    }
    w.ensure(4);
    const at = w.length;
    w.length = at + 4;
    let i = 0;
    try {
      for (; i < dimension; i++) {
        const x = v[i];
        if (x === null || x === undefined) {
          throw new EncodeProblem(false, `vector elements cannot be ${x}`);
        }
        const p = w.length;
        element(w, x);
        const l = w.length - p - 4;
        const s = fixed ? 0 : unsignedVintSize(l);
        if (s > 4) w.ensure(s - 4);
        w.buf.copyWithin(p + s, p + 4, p + 4 + l);
        if (!fixed) putUnsignedVint(w.buf, p, l);
        w.length = p + s + l;
      }
    } catch (e) {
      throw within(e, `element ${i}`);
    }
    w.view.setInt32(at, w.length - at - 4);
  };
}
