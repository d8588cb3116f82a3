/**
 * `Vector`: the value of a `vector<T, n>` column (Cassandra 5), shaped like
 * `cassandra-driver`'s `types.Vector` (4.8+): its elements readable by index,
 * iterable, and `instanceof Vector` true for vectors and for `Float32Array`s.
 * @module
 */

/** The vectors this module built (their proxies), for `instanceof`. */
const built = new WeakSet<object>();

/** Whether a property key is an index for `cassandra-driver`'s proxy (`"0"`, `"12"`). */
function isIndex(key: string | symbol): key is string {
  return typeof key === "string" && Number.isInteger(Number(key));
}

/**
 * A CQL vector, as `cassandra-driver`'s `types.Vector`: `new
 * Vector(elements, subtype?)` with a `Float32Array` (copied to an Array) or an
 * Array of at least one element. `v[i]`, `v.at(i)`, `for … of`, `forEach`,
 * `length` and `toString()` read the elements; `x instanceof Vector` is true
 * for a `Vector` and for any `Float32Array`.
 * @example
 * ```ts
 * import { types } from "./mod.ts";
 * const v = new types.Vector(new Float32Array([0.5, 1.5, 2]), "float");
 * v[1]; // 1.5
 * v.toString(); // "[0.5,1.5,2]"
 * new Float32Array(2) instanceof types.Vector; // true
 * ```
 */
export class Vector {
  /** The elements (an Array even when built from a `Float32Array`). */
  elements: unknown[];
  /** The number of elements. */
  length: number;
  /** The CQL type of the elements as `cassandra-driver` names it (`"float"`), if known. */
  subtype: string | undefined;
  /** The element at an index. */
  [index: number]: unknown;

  /**
   * A vector of `elements`, with the CQL name of their type when known.
   * @throws {TypeError} neither a `Float32Array` nor an Array, or no elements
   */
  constructor(elements: Float32Array | unknown[], subtype?: string | null) {
    if (elements instanceof Float32Array) this.elements = Array.from(elements);
    else if (Array.isArray(elements)) this.elements = elements;
    else throw new TypeError("Vector must be constructed with a Float32Array or an Array");
    if (this.elements.length === 0) throw new TypeError("Vector must contain at least one value");
    this.length = this.elements.length;
    this.subtype = subtype ?? undefined;
    // The same proxy as cassandra-driver's: indexes read and write the elements,
    // own keys are those of the array (or typed array) it was built from.
    const proxy = new Proxy(this, {
      get(obj, key) {
        if (key === "IDENTITY") return "Vector";
        if (isIndex(key)) return obj.elements[key as unknown as number];
        return Reflect.get(obj, key);
      },
      set(obj, key, value) {
        if (isIndex(key)) obj.elements[key as unknown as number] = value;
        else (obj as unknown as Record<string | symbol, unknown>)[key] = value;
        return true;
      },
      ownKeys() {
        return Reflect.ownKeys(elements);
      },
      getOwnPropertyDescriptor(target, key) {
        if (isIndex(key)) return { enumerable: true, configurable: true };
        return Reflect.getOwnPropertyDescriptor(target, key);
      },
    });
    built.add(proxy);
    return proxy;
  }

  /** `"[a,b,c]"`. */
  toString(): string {
    return `[${this.elements.toString()}]`;
  }

  /** The element at `index` (no negative indexes, unlike `Array.prototype.at`). */
  at(index: number): unknown {
    return this.elements[index];
  }

  /** An iterator over the elements. */
  [Symbol.iterator](): IterableIterator<unknown> {
    return this.elements[Symbol.iterator]();
  }

  /** Calls `callback(value, index, elements)` for each element. */
  forEach(callback: (value: unknown, index: number, array: unknown[]) => void): void {
    return this.elements.forEach(callback);
  }

  /** The CQL type name of the elements (`"float"`), or `undefined` when not given. */
  getSubtype(): string | undefined {
    return this.subtype;
  }

  /** `Vector`, as `cassandra-driver`'s species. */
  static get [Symbol.species](): typeof Vector {
    return Vector;
  }

  /** Whether `v` is a `Vector` built here or a `Float32Array`, as `cassandra-driver`'s `instanceof`. */
  static [Symbol.hasInstance](v: unknown): v is Vector | Float32Array {
    return (typeof v === "object" && v !== null && built.has(v)) || v instanceof Float32Array;
  }
}
