/**
 * How the codec reports bad values. Element encoders throw an
 * {@link EncodeProblem} that knows only what is wrong; containers prepend
 * where (`element 3`, `field "zip"`), and the top-level encoder turns it into
 * a `TypeError`/`RangeError` that names the column and its CQL type.
 * Messages describe values by JS type and numbers, never by content.
 * @module
 */

import { ProtocolError } from "../../errors.ts";

/** A value that does not fit its CQL type; becomes a `TypeError` or `RangeError`. */
export class EncodeProblem {
  /** Where inside the column's value, outermost first, e.g. `["element 3", 'field "zip"']`. */
  readonly path: string[] = [];
  constructor(
    /** `true` for a `RangeError` (right kind, value out of range), else `TypeError`. */
    readonly range: boolean,
    /** What is wrong, e.g. `expected a boolean, got number`. */
    readonly problem: string,
  ) {}

  /** The error a caller sees, e.g. `column "tags" (list<int>) element 3: …`. */
  toError(column: string, typeText: string): TypeError | RangeError {
    const where = this.path.length === 0 ? "" : " " + this.path.join(" ");
    const message = `column "${column}" (${typeText})${where}: ${this.problem}`;
    return this.range ? new RangeError(message) : new TypeError(message);
  }
}

/** A `TypeError`-kind problem: `expected <expected>, got <JS type of value>`. */
export function kindProblem(expected: string, value: unknown): EncodeProblem {
  return new EncodeProblem(false, `expected ${expected}, got ${describe(value)}`);
}

/** A `TypeError`-kind problem for a string that does not parse: `expected <expected>, got a malformed string`. */
export function malformed(expected: string): EncodeProblem {
  return new EncodeProblem(false, `expected ${expected}, got a malformed string`);
}

/** A `RangeError`-kind problem. */
export function rangeProblem(problem: string): EncodeProblem {
  return new EncodeProblem(true, problem);
}

/** Prepends `where` to a problem's path and rethrows anything else untouched. */
export function within(e: unknown, where: string): unknown {
  if (e instanceof EncodeProblem) e.path.unshift(where);
  return e;
}

/** The JS type of a value for messages: `string`, `Array`, `Map`, `Object`, … */
export function describe(value: unknown): string {
  if (value === null) return "null";
  const t = typeof value;
  if (t !== "object") return t;
  if (Array.isArray(value)) return "Array";
  const proto = Object.getPrototypeOf(value);
  if (proto === null || proto === Object.prototype) return "Object";
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === "string" && name !== "" ? name : "object";
}

/** Throws a `ProtocolError` for a cell whose bytes do not match its type. */
export function badCell(type: string, problem: string): never {
  throw new ProtocolError(`cannot decode ${type} value: ${problem}`);
}

/** Throws a `ProtocolError` for a fixed-size cell of the wrong length. */
export function badLength(type: string, expected: number, got: number): never {
  return badCell(type, `expected ${expected} bytes, got ${got}`);
}
