/**
 * Bind values: turns the caller's `Values` (an array by position or a plain
 * object by marker name) into the `<n>[value]...` of QUERY/EXECUTE/BATCH,
 * encoded with the server's types for each marker.
 * @module
 */

import type { Writer } from "./bytes.ts";
import { type Encoder, encoderFor } from "./codec/index.ts";
import { isPlainObject } from "./codec/collections.ts";
import { describe } from "./codec/problems.ts";
import type { ColumnSpec } from "./metadata.ts";

/**
 * Values for a statement's bind markers: an array by position or a plain
 * object by marker name. `null` is NULL, `undefined` is unset.
 */
export type BindValues = readonly unknown[] | Record<string, unknown>;

/** What `writeBoundValues` compiles once per bind-marker list. */
interface Binding {
  readonly encoders: readonly Encoder[];
  /** Marker name as the server sent it → marker indexes (a name may repeat). */
  readonly exact: ReadonlyMap<string, readonly number[]>;
  /** Lowercased marker name → marker indexes. */
  readonly folded: ReadonlyMap<string, readonly number[]>;
}

const bindings = new WeakMap<readonly ColumnSpec[], Binding>();

function bindingFor(specs: readonly ColumnSpec[]): Binding {
  let b = bindings.get(specs);
  if (b === undefined) {
    if (specs.length > 0xffff) throw new RangeError(`${specs.length} bind markers exceed 65535`);
    const exact = new Map<string, number[]>();
    const folded = new Map<string, number[]>();
    specs.forEach(({ name }, i) => {
      for (const [map, key] of [[exact, name], [folded, name.toLowerCase()]] as const) {
        const list = map.get(key);
        if (list === undefined) map.set(key, [i]);
        else list.push(i);
      }
    });
    b = { encoders: specs.map((s) => encoderFor(s.type, s.name)), exact, folded };
    bindings.set(specs, b);
  }
  return b;
}

/**
 * Encodes values for the bind markers `specs` into `w` as `<n>[value]...`
 * (the `[short]` count, then one `[value]` per marker). `null` is NULL and
 * `undefined` is unset. By name, keys match marker names exactly or else
 * case-insensitively; a name used by several markers (`a > :a AND a < :a`,
 * or a column bound twice with `?`) gives all of them the value.
 *
 * Encoders are compiled once per `specs` array (cached weakly on it), so pass
 * the same array on every execute. On any error `w.length` is restored to
 * its value on entry: nothing of the values is left in the writer.
 * @throws {TypeError} wrong count of positional values; missing, unknown or
 *   duplicate names; `values` not an array or plain object; a value of the
 *   wrong kind (the message names the column and its CQL type)
 * @throws {RangeError} a value out of range for its column
 * @example
 * ```ts
 * import { Writer } from "./bytes.ts";
 * import { writeBoundValues } from "./bind.ts";
 * const specs = [{ keyspace: "ks", table: "t", name: "id", type: { kind: "native", name: "int" } as const }];
 * writeBoundValues(new Writer(), specs, { ID: 7 });
 * ```
 */
export function writeBoundValues(
  w: Writer,
  specs: readonly ColumnSpec[],
  values: BindValues | undefined,
): void {
  const b = bindingFor(specs);
  const n = specs.length;
  const start = w.length;
  try {
    w.writeShort(n);
    if (values === undefined) {
      if (n !== 0) throw new TypeError(`expected ${n} values (one per bind marker), got none`);
    } else if (Array.isArray(values)) {
      if (values.length !== n) {
        throw new TypeError(`expected ${n} values (one per bind marker), got ${values.length}`);
      }
      for (let i = 0; i < n; i++) b.encoders[i](w, values[i]);
    } else if (isPlainObject(values)) {
      const ordered = byName(b, specs, values);
      for (let i = 0; i < n; i++) b.encoders[i](w, ordered[i]);
    } else {
      throw new TypeError(`values must be an Array or a plain object, got ${describe(values)}`);
    }
  } catch (e) {
    w.length = start;
    throw e;
  }
}

const MISSING = Symbol("missing");

/** Lines named values up with the markers, checking every name first. */
function byName(
  b: Binding,
  specs: readonly ColumnSpec[],
  values: Record<string, unknown>,
): unknown[] {
  const out: unknown[] = specs.map(() => MISSING);
  for (const key of Object.keys(values)) {
    const indexes = b.exact.get(key) ?? b.folded.get(key.toLowerCase());
    if (indexes === undefined) {
      const names = [...b.exact.keys()].map((k) => `"${k}"`).join(", ");
      throw new TypeError(`unknown bind marker "${key}"; the statement has ${names || "none"}`);
    }
    for (const i of indexes) {
      if (out[i] !== MISSING) {
        throw new TypeError(`bind marker "${specs[i].name}" is given twice (names ignore case)`);
      }
      out[i] = values[key];
    }
  }
  const missing = out.indexOf(MISSING);
  if (missing >= 0) throw new TypeError(`missing value for bind marker "${specs[missing].name}"`);
  return out;
}
