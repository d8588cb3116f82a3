/**
 * Function shapes shared by the codec families.
 * @module
 */

import type { Writer } from "../bytes.ts";

/**
 * Decodes one non-null cell occupying `buf[start, start + len)`; `view` is a
 * DataView over exactly `buf` (same offsets).
 * @throws {ProtocolError} the bytes do not form a value of the type
 */
export type Decoder = (buf: Uint8Array, view: DataView, start: number, len: number) => unknown;

/**
 * Writes one full `[value]` into `w`: `[int]` length then the bytes. The
 * public encoders from `encoderFor` also take `null` (length -1) and
 * `undefined` (length -2, unset).
 * @throws {TypeError} the value is of the wrong kind for the column
 * @throws {RangeError} the value is of the right kind but out of range
 */
export type Encoder = (w: Writer, value: unknown) => void;

/**
 * The codec's internal form of an encoder: `value` is never `null` or
 * `undefined`, and a bad value throws an `EncodeProblem` that the public
 * encoder turns into an error naming the column.
 */
export type ValueWriter = (w: Writer, value: unknown) => void;
