/**
 * `Uuid` and `TimeUuid` value classes shaped like `cassandra-driver`'s: 16
 * bytes with a canonical text form. The driver itself speaks uuids as
 * lowercase strings; the facade converts at its boundary.
 * @module
 */

const HEX = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `Buffer.from(bytes)` where a global `Buffer` exists (Node, Bun), else the bytes. */
export function toBuffer(bytes: Uint8Array): Uint8Array {
  const B = (globalThis as { Buffer?: { from(b: Uint8Array): Uint8Array } }).Buffer;
  return B ? B.from(bytes) : bytes.slice();
}

/**
 * A UUID, as `cassandra-driver`'s `types.Uuid`.
 * @example
 * ```ts
 * import { types } from "./mod.ts";
 * const id = types.Uuid.random();
 * types.Uuid.fromString(id.toString()).equals(id); // true
 * ```
 */
export class Uuid {
  readonly #bytes: Uint8Array;

  /**
   * A UUID from its 16 bytes.
   * @throws {TypeError} not 16 bytes
   */
  constructor(buffer: Uint8Array) {
    if (!(buffer instanceof Uint8Array) || buffer.length !== 16) {
      throw new TypeError("a Uuid needs a buffer of 16 bytes");
    }
    this.#bytes = buffer.slice();
  }

  /**
   * Parses the canonical text form `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
   * @throws {TypeError} malformed text
   */
  static fromString(value: string): Uuid {
    return new this(parseUuid(value));
  }

  /** A random (version 4) UUID. */
  static random(): Uuid {
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    return new Uuid(b);
  }

  /** The 16 bytes (a `Buffer` where the runtime has one). */
  getBuffer(): Uint8Array {
    return toBuffer(this.#bytes);
  }

  /** Whether `other` is a Uuid with the same bytes. */
  equals(other: Uuid): boolean {
    return other instanceof Uuid && other.toString() === this.toString();
  }

  /** The lowercase canonical text form. */
  toString(): string {
    const h = [...this.#bytes].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${
      h.slice(20)
    }`;
  }

  /** JSON form: the text form. */
  toJSON(): string {
    return this.toString();
  }
}

/** The 16 bytes of a canonical UUID text. */
function parseUuid(value: string): Uint8Array {
  if (typeof value !== "string" || !HEX.test(value)) {
    throw new TypeError(`not a UUID: ${JSON.stringify(String(value)).slice(0, 60)}`);
  }
  const h = value.replaceAll("-", "");
  const b = new Uint8Array(16);
  for (let i = 0; i < 16; i++) b[i] = parseInt(h.slice(i * 2, i * 2 + 2), 16);
  return b;
}

/** 100-ns intervals between 1582-10-15 (the UUID epoch) and 1970-01-01. */
const GREGORIAN_OFFSET = 122192928000000000n;
let lastMs = 0;
let ticks = 0;

/**
 * A version 1 (time-based) UUID, as `cassandra-driver`'s `types.TimeUuid`.
 * @example
 * ```ts
 * import { types } from "./mod.ts";
 * const t = types.TimeUuid.now();
 * t.getDate() instanceof Date; // true
 * ```
 */
export class TimeUuid extends Uuid {
  /**
   * A time UUID for `date` (plus `ticks` of 100 ns), with a random node and
   * clock id unless given.
   * @throws {TypeError} a node id not of 6 bytes or a clock id not of 2
   */
  static fromDate(
    date: Date,
    ticks = 0,
    nodeId?: Uint8Array | string,
    clockId?: Uint8Array | string,
  ): TimeUuid {
    const t = BigInt(date.getTime()) * 10000n + BigInt(ticks) + GREGORIAN_OFFSET;
    const b = new Uint8Array(16);
    const low = Number(t & 0xffffffffn), mid = Number((t >> 32n) & 0xffffn);
    const hi = Number((t >> 48n) & 0x0fffn) | 0x1000;
    b.set([low >>> 24, (low >>> 16) & 0xff, (low >>> 8) & 0xff, low & 0xff], 0);
    b.set([mid >> 8, mid & 0xff, hi >> 8, hi & 0xff], 4);
    const clock = bytesOf(clockId, 2) ?? crypto.getRandomValues(new Uint8Array(2));
    b[8] = (clock[0] & 0x3f) | 0x80;
    b[9] = clock[1];
    b.set(bytesOf(nodeId, 6) ?? crypto.getRandomValues(new Uint8Array(6)), 10);
    return new TimeUuid(b);
  }

  /** A time UUID for now; ids generated in the same millisecond differ by their ticks. */
  static now(nodeId?: Uint8Array | string, clockId?: Uint8Array | string): TimeUuid {
    const ms = Date.now();
    ticks = ms === lastMs ? ticks + 1 : 0;
    lastMs = ms;
    return TimeUuid.fromDate(new Date(ms), ticks % 10000, nodeId, clockId);
  }

  /** The smallest time UUID of `date` (for range queries). */
  static min(date: Date, ticks = 0): TimeUuid {
    return TimeUuid.fromDate(
      date,
      ticks,
      new Uint8Array(6).fill(0x80),
      new Uint8Array([0x80, 0x80]),
    );
  }

  /**
   * The largest time UUID of `date` (for range queries): by default at the
   * millisecond's last 100-ns tick, so every id made within it sorts before.
   */
  static max(date: Date, ticks = 9999): TimeUuid {
    return TimeUuid.fromDate(
      date,
      ticks,
      new Uint8Array(6).fill(0x7f),
      new Uint8Array([0x7f, 0x7f]),
    );
  }

  /**
   * Parses the text form of a version 1 UUID.
   * @throws {TypeError} malformed text
   */
  static override fromString(value: string): TimeUuid {
    return new TimeUuid(parseUuid(value));
  }

  /** The date and the 100-ns ticks within its millisecond. */
  getDatePrecision(): { date: Date; ticks: number } {
    const b = this.getBuffer();
    const hex = (from: number, to: number) =>
      [...b.subarray(from, to)].map((x) => x.toString(16).padStart(2, "0")).join("");
    const t = BigInt(`0x${(hex(6, 8) + hex(4, 6) + hex(0, 4)).slice(1)}`) - GREGORIAN_OFFSET;
    return { date: new Date(Number(t / 10000n)), ticks: Number(t % 10000n) };
  }

  /** The date the UUID was made for. */
  getDate(): Date {
    return this.getDatePrecision().date;
  }
}

function bytesOf(v: Uint8Array | string | undefined, n: number): Uint8Array | undefined {
  if (v === undefined) return undefined;
  const b = typeof v === "string" ? new TextEncoder().encode(v) : v;
  if (b.length !== n) throw new TypeError(`expected ${n} bytes, got ${b.length}`);
  return b;
}

/**
 * Makes `console.log` (Node, Bun, Deno) show `Name: text` for a value class,
 * as `cassandra-driver`'s `inspect()`, where the private fields would show
 * nothing.
 */
export function inspectAsText(cls: { prototype: object }): void {
  const show = function (this: object): string {
    return `${this.constructor.name}: ${String(this)}`;
  };
  for (const key of [Symbol.for("nodejs.util.inspect.custom"), Symbol.for("Deno.customInspect")]) {
    Object.defineProperty(cls.prototype, key, { value: show, configurable: true, writable: true });
  }
  Object.defineProperty(cls.prototype, "inspect", {
    value: show,
    configurable: true,
    writable: true,
  });
}
inspectAsText(Uuid);
