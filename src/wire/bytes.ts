/**
 * Byte-level primitives of the CQL native protocol ([notation] section 3 of
 * `native_protocol_v4.spec`): a growable writer and a bounds-checked reader.
 *
 * Sans-IO: nothing here knows about sockets or timers. Names follow the spec:
 * `[int]` → `writeInt`/`readInt`, `[short bytes]` → `writeShortBytes`/`readShortBytes`.
 * @module
 */

import { ProtocolError } from "../errors.ts";

const encoder = new TextEncoder();
// A byte order mark in a CQL string is data: keep it.
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes UTF-8, turning malformed input into a `ProtocolError`. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new ProtocolError("server sent a string that is not valid UTF-8");
  }
}

/** Joins byte arrays into one (no copy when there is only one). */
export function concatBytes(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Encodes a string as UTF-8. */
export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Small, short-lived byte arrays (a request's routing key, its token's halves)
 * are carved from shared slabs: on Deno every typed array with a backing store
 * of its own costs ~0.3 µs to allocate, as much as the Murmur3 hash it feeds,
 * where Bun and Node allocate small ones on the heap for ~0.02 µs. A slab is
 * freed once nothing carved from it is referenced. Elsewhere a view of a slab
 * costs more than a small array of its own (Bun: 0.035 against 0.006 µs), so
 * only Deno carves (see {@link carveSmallArrays}).
 */
let carving = false;

/**
 * Whether small arrays are carved from slabs (the runtime shim's caller turns it on for Deno;
 * this sans-IO layer does not look at runtime globals). Off by default.
 * @returns whether it was on before
 */
export function carveSmallArrays(on: boolean): boolean {
  const was = carving;
  carving = on;
  return was;
}
const SLAB_SIZE = 16 * 1024;
/** Larger copies get their own buffer: they would use up slabs too quickly. */
const SLAB_MAX = 256;
let slab = new ArrayBuffer(SLAB_SIZE);
let slabAt = 0;

/**
 * A view of `length` elements made by `make` over `bytes` freshly reserved bytes of the
 * current slab (8-byte aligned). The slab is read only after the reservation, which may start
 * a new one: callers never hold a slab and an offset that belong to different slabs.
 */
function carve<T>(
  bytes: number,
  length: number,
  make: (slab: ArrayBuffer, at: number, length: number) => T,
): T {
  if (slabAt + bytes > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabAt = 0;
  }
  const at = slabAt;
  slabAt = (at + bytes + 7) & ~7;
  return make(slab, at, length);
}

const bytesView = (b: ArrayBuffer, at: number, n: number) => new Uint8Array(b, at, n);
const int32View = (b: ArrayBuffer, at: number, n: number) => new Int32Array(b, at, n);

/**
 * A copy of `src[start..end)` that the caller owns (nothing else writes it);
 * its `buffer` may be shared with other small copies.
 */
export function smallCopy(src: Uint8Array, start: number, end: number): Uint8Array {
  const n = end - start;
  if (!carving || n > SLAB_MAX) return src.slice(start, end);
  const out = carve(n, n, bytesView);
  for (let i = 0; i < n; i++) out[i] = src[start + i];
  return out;
}

/** A zeroed byte array of length `n`, owned by the caller; its `buffer` may be shared. */
export function smallBytes(n: number): Uint8Array {
  return !carving || n > SLAB_MAX ? new Uint8Array(n) : carve(n, n, bytesView);
}

/** A zeroed `Int32Array` of `n` (≤ 64) elements, owned by the caller; its `buffer` may be shared. */
export function smallInt32Array(n: number): Int32Array {
  return carving ? carve(n * 4, n, int32View) : new Int32Array(n);
}

/**
 * Writes `v` as a big-endian 32-bit integer at `buf[at..at+4)` (wrapping as `setInt32`).
 * Byte stores, not a DataView call: JavaScriptCore's DataView accessors cost more than four
 * stores, and engines inline this.
 */
export function putInt32(buf: Uint8Array, at: number, v: number): void {
  buf[at] = v >>> 24;
  buf[at + 1] = v >>> 16;
  buf[at + 2] = v >>> 8;
  buf[at + 3] = v;
}

/** The big-endian signed 32-bit integer at `buf[at..at+4)` (byte loads, as {@link putInt32}). */
export function getInt32(buf: Uint8Array, at: number): number {
  return (buf[at] << 24) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3];
}

/**
 * A growable byte buffer written front to back. One writer can be reused for
 * many frames (`reset()`), so the hot path allocates only when it grows.
 */
export class Writer {
  /** The backing store; valid bytes are `buf.subarray(0, length)`. */
  buf: Uint8Array;
  /** DataView over `buf`, kept in step with it. */
  view: DataView;
  /** Number of bytes written so far. */
  length = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  /** Forgets the content and keeps the storage. */
  reset(): this {
    this.length = 0;
    return this;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** A copy of the bytes written so far. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }

  /** A view (no copy) of the bytes written so far; invalid after the next write. */
  written(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  /** `[byte]` */
  writeByte(v: number): this {
    this.ensure(1);
    this.buf[this.length++] = v;
    return this;
  }

  /**
   * `[short]`: unsigned 16-bit big-endian.
   * @throws {RangeError} `v` is outside 0..65535 (a silent wrap would corrupt the frame)
   */
  writeShort(v: number): this {
    if (!(v >= 0 && v <= 0xffff)) throw new RangeError(`${v} does not fit a [short] (0..65535)`);
    this.ensure(2);
    // Byte stores rather than a DataView call (see putInt32).
    const buf = this.buf, at = this.length;
    buf[at] = v >> 8;
    buf[at + 1] = v;
    this.length = at + 2;
    return this;
  }

  /** `[int]`: signed 32-bit big-endian. */
  writeInt(v: number): this {
    this.ensure(4);
    putInt32(this.buf, this.length, v);
    this.length += 4;
    return this;
  }

  /** `[long]`: signed 64-bit big-endian. */
  writeLong(v: bigint): this {
    this.ensure(8);
    this.view.setBigInt64(this.length, v);
    this.length += 8;
    return this;
  }

  /** Raw bytes, no length prefix. */
  writeRaw(bytes: Uint8Array): this {
    const n = bytes.length;
    this.ensure(n);
    const buf = this.buf, at = this.length;
    // A statement id (16 bytes) or a short value: a loop beats set()'s call (10 ns against 6).
    if (n <= 32) { for (let i = 0; i < n; i++) buf[at + i] = bytes[i]; }
    else buf.set(bytes, at);
    this.length = at + n;
    return this;
  }

  /** `[string]`: `[short]` length then UTF-8. */
  writeString(s: string): this {
    return this.writeShortBytes(encoder.encode(s));
  }

  /** `[long string]`: `[int]` length then UTF-8. */
  writeLongString(s: string): this {
    const start = this.length;
    this.ensure(4 + s.length * 3);
    const { written } = encoder.encodeInto(s, this.buf.subarray(start + 4));
    this.view.setInt32(start, written);
    this.length = start + 4 + written;
    return this;
  }

  /**
   * `[short bytes]`: `[short]` length then bytes (every EXECUTE's statement id: one bounds
   * check and one copy loop, not writeShort's and writeRaw's).
   * @throws {RangeError} more than 65535 bytes
   */
  writeShortBytes(bytes: Uint8Array): this {
    const n = bytes.length;
    if (n > 0xffff) throw new RangeError(`${n} bytes do not fit [short bytes] (0..65535)`);
    this.ensure(2 + n);
    const buf = this.buf, at = this.length + 2;
    buf[at - 2] = n >> 8;
    buf[at - 1] = n & 0xff;
    if (n <= 32) { for (let i = 0; i < n; i++) buf[at + i] = bytes[i]; }
    else buf.set(bytes, at);
    this.length = at + n;
    return this;
  }

  /** `[bytes]`: `[int]` length then bytes; `null` is length -1. */
  writeBytes(bytes: Uint8Array | null): this {
    if (bytes === null) return this.writeInt(-1);
    this.writeInt(bytes.length);
    return this.writeRaw(bytes);
  }

  /** `[string list]` */
  writeStringList(list: readonly string[]): this {
    this.writeShort(list.length);
    for (const s of list) this.writeString(s);
    return this;
  }

  /** `[string map]` */
  writeStringMap(map: Readonly<Record<string, string>>): this {
    const keys = Object.keys(map);
    this.writeShort(keys.length);
    for (const k of keys) this.writeString(k).writeString(map[k]);
    return this;
  }

  /** `[bytes map]` */
  writeBytesMap(map: ReadonlyMap<string, Uint8Array>): this {
    this.writeShort(map.size);
    for (const [k, v] of map) this.writeString(k).writeBytes(v);
    return this;
  }

  /** Overwrites a big-endian `[int]` at `at` (for back-patched lengths). */
  patchInt(at: number, v: number): this {
    this.view.setInt32(at, v);
    return this;
  }
}

/**
 * Reads protocol notation from a byte array. Every read checks bounds and
 * throws `ProtocolError` on truncated input, so a hostile length field can
 * never make the reader allocate or read past the frame.
 */
export class Reader {
  /** The bytes being read. */
  buf: Uint8Array;
  /** DataView over `buf`. */
  view: DataView;
  /** Offset of the next unread byte. */
  pos: number;
  /** Offset one past the last readable byte. */
  end: number;

  /**
   * @param buf the bytes, of which `[pos, end)` are read
   * @param view a DataView over exactly `buf`, when the caller has one (one per received
   *   chunk serves all its frames: a DataView costs as much as reading a small answer)
   */
  constructor(buf: Uint8Array, pos = 0, end = buf.length, view?: DataView) {
    this.buf = buf;
    this.view = view ?? new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = pos;
    this.end = end;
  }

  /**
   * Reads `buf[pos, end)` from now on, with `view` (whose offsets are `buf`'s): a connection
   * reuses one reader for its answers instead of making one per answer.
   */
  reset(buf: Uint8Array, pos: number, end: number, view: DataView): this {
    this.buf = buf;
    this.view = view;
    this.pos = pos;
    this.end = end;
    return this;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws unless `n` more bytes are readable. */
  need(n: number): void {
    if (n < 0 || this.pos + n > this.end) {
      throw new ProtocolError(
        `truncated message: needed ${n} bytes at offset ${this.pos}, ${this.end - this.pos} left`,
      );
    }
  }

  /** `[byte]` */
  readByte(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  /** `[short]`: unsigned 16-bit. */
  readShort(): number {
    this.need(2);
    // Byte loads rather than a DataView call (see getInt32).
    const buf = this.buf, at = this.pos;
    this.pos = at + 2;
    return (buf[at] << 8) | buf[at + 1];
  }

  /** `[int]`: signed 32-bit. */
  readInt(): number {
    this.need(4);
    const at = this.pos;
    this.pos = at + 4;
    return getInt32(this.buf, at);
  }

  /** `[long]`: signed 64-bit. */
  readLong(): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return v;
  }

  /** `n` raw bytes as a view (no copy). */
  readRaw(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** `[string]` */
  readString(): string {
    return decodeUtf8(this.readRaw(this.readShort()));
  }

  /** `[long string]` */
  readLongString(): string {
    const n = this.readInt();
    if (n < 0) throw new ProtocolError(`negative [long string] length ${n}`);
    return decodeUtf8(this.readRaw(n));
  }

  /** `[short bytes]` as a view. */
  readShortBytes(): Uint8Array {
    return this.readRaw(this.readShort());
  }

  /** `[bytes]` as a view; `null` for a negative length. */
  readBytes(): Uint8Array | null {
    const n = this.readInt();
    if (n < 0) return null;
    return this.readRaw(n);
  }

  /** `[string list]` */
  readStringList(): string[] {
    const n = this.readShort();
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.readString();
    return out;
  }

  /** `[string multimap]` */
  readStringMultimap(): Map<string, string[]> {
    const n = this.readShort();
    const out = new Map<string, string[]>();
    for (let i = 0; i < n; i++) out.set(this.readString(), this.readStringList());
    return out;
  }

  /** `[bytes map]` */
  readBytesMap(): Map<string, Uint8Array | null> {
    const n = this.readShort();
    const out = new Map<string, Uint8Array | null>();
    for (let i = 0; i < n; i++) out.set(this.readString(), this.readBytes());
    return out;
  }

  /** `[uuid]`: 16 bytes as lowercase canonical text. */
  readUuid(): string {
    return formatUuid(this.readRaw(16));
  }

  /** `[inet]`: address bytes then `[int]` port. */
  readInet(): { address: string; port: number } {
    const n = this.readByte();
    const address = formatInet(this.readRaw(n));
    return { address, port: this.readInt() };
  }
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Formats 16 bytes as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
export function formatUuid(b: Uint8Array): string {
  if (b.length !== 16) throw new ProtocolError(`uuid must be 16 bytes, got ${b.length}`);
  return HEX[b[0]] + HEX[b[1]] + HEX[b[2]] + HEX[b[3]] + "-" + HEX[b[4]] + HEX[b[5]] + "-" +
    HEX[b[6]] + HEX[b[7]] + "-" + HEX[b[8]] + HEX[b[9]] + "-" + HEX[b[10]] + HEX[b[11]] +
    HEX[b[12]] + HEX[b[13]] + HEX[b[14]] + HEX[b[15]];
}

/** Formats 4 or 16 address bytes as IPv4 dotted or IPv6 (RFC 5952) text. */
export function formatInet(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (b.length !== 16) throw new ProtocolError(`inet must be 4 or 16 bytes, got ${b.length}`);
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i] << 8) | b[i + 1]);
  // RFC 5952: compress the longest run (≥ 2) of zero groups, the first one on ties.
  let bestAt = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) [bestAt, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestAt < 0) return hex.join(":");
  return hex.slice(0, bestAt).join(":") + "::" + hex.slice(bestAt + bestLen).join(":");
}
