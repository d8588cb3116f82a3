/**
 * The ScyllaDB tablets routing payloads (`docs/dev/protocol-extensions.md`,
 * "Tablets routing v1" and "v2"; `docs/dev/tablets-routing-v2.md`): the names
 * negotiated in SUPPORTED/STARTUP, the decoder of the `tablets-routing-v1`/`-v2`
 * custom-payload values a node attaches to a RESULT, and the one-byte
 * `tablet_version_block` a v2 EXECUTE ends with.
 *
 * The server writes the payload in `result_message::add_tablet_info(_v2)`
 * (`transport/messages/result_message.cc`) as a CQL-serialized tuple: each
 * element a `[bytes]`, the list an `[int]` count of `[bytes]` elements.
 * @module
 */

import { ProtocolError } from "../errors.ts";
import { formatUuid } from "../wire/bytes.ts";

/** Custom-payload key of the v1 routing payload (RESULT frames). */
export const TABLETS_ROUTING_V1_PAYLOAD = "tablets-routing-v1";
/** Custom-payload key of the v2 routing payload (RESULT frames). */
export const TABLETS_ROUTING_V2_PAYLOAD = "tablets-routing-v2";
/** SUPPORTED/STARTUP key that negotiates the v1 payload. */
export const TABLETS_ROUTING_V1 = "TABLETS_ROUTING_V1";
/**
 * SUPPORTED/STARTUP key that negotiates v2 (only advertised by servers with
 * the experimental `strongly-consistent-tables` feature). A driver sends v1 or
 * v2 in STARTUP, never both; with v2 every EXECUTE carries one extra byte.
 */
export const TABLETS_ROUTING_V2 = "TABLETS_ROUTING_V2_EXPERIMENTAL";

/** One replica of a tablet: a node (by host id) and the shard on it. */
export interface TabletReplica {
  /** The node's host id, canonical lowercase UUID text (`system.local.host_id`). */
  readonly hostId: string;
  /** The shard of that node holding the tablet. */
  readonly shard: number;
}

/** A tablet as the server described it; also what {@link decodeTabletPayload} returns. */
export interface Tablet {
  /** Exclusive start of the token range (`-2^63` for the first tablet of a table). */
  readonly firstToken: bigint;
  /** Inclusive end of the token range. */
  readonly lastToken: bigint;
  /** Replicas in the server's order (v2: sorted, the Raft leader first when there is one). */
  readonly replicas: readonly TabletReplica[];
  /** v2 only: the tablet version, an opaque unsigned 64-bit value. */
  readonly version?: bigint;
}

/** Reads the tuple's CQL-serialized fields, naming each fault. */
class Fields {
  #view: DataView;
  #pos = 0;
  constructor(readonly bytes: Uint8Array, readonly what: string) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(problem: string): never {
    throw new ProtocolError(`${this.what} payload: ${problem}`);
  }

  /** A `[bytes]` element header: returns its length, which must be `size` (or any when -1). */
  element(field: string, size: number): number {
    if (this.bytes.length - this.#pos < 4) this.fail(`truncated before ${field}`);
    const n = this.#view.getInt32(this.#pos);
    this.#pos += 4;
    if (n < 0) this.fail(`${field} is null`);
    if (size >= 0 && n !== size) this.fail(`${field} is ${n} bytes, expected ${size}`);
    if (this.bytes.length - this.#pos < n) this.fail(`${field} truncated`);
    return n;
  }

  long(field: string): bigint {
    this.element(field, 8);
    const v = this.#view.getBigInt64(this.#pos);
    this.#pos += 8;
    return v;
  }

  int(field: string): number {
    this.element(field, 4);
    const v = this.#view.getInt32(this.#pos);
    this.#pos += 4;
    return v;
  }

  uuid(field: string): string {
    this.element(field, 16);
    const s = formatUuid(this.bytes.subarray(this.#pos, this.#pos + 16));
    this.#pos += 16;
    return s;
  }

  /** A collection or tuple count inside an element. */
  count(field: string): number {
    if (this.bytes.length - this.#pos < 4) this.fail(`truncated in ${field}`);
    const n = this.#view.getInt32(this.#pos);
    this.#pos += 4;
    if (n < 0) this.fail(`${field} has negative count ${n}`);
    return n;
  }

  get pos(): number {
    return this.#pos;
  }
}

/**
 * Decodes a `tablets-routing-v1` or `-v2` custom-payload value: the
 * CQL-serialized `tuple<bigint, bigint, list<tuple<uuid, int>>>` (v2 adds a
 * trailing `bigint` version), as ScyllaDB's `result_message::add_tablet_info`
 * writes it. The v2 version is returned as the unsigned 64-bit value the server
 * hashes (the wire carries its bits as a signed long).
 * @throws {ProtocolError} truncated or trailing bytes, a null or wrongly sized
 *   field, `lastToken <= firstToken`, or a negative shard
 */
export function decodeTabletPayload(bytes: Uint8Array, version: 1 | 2): Tablet {
  const f = new Fields(
    bytes,
    version === 1 ? TABLETS_ROUTING_V1_PAYLOAD : TABLETS_ROUTING_V2_PAYLOAD,
  );
  const firstToken = f.long("first_token");
  const lastToken = f.long("last_token");
  if (lastToken <= firstToken) f.fail(`empty token range (${firstToken}, ${lastToken}]`);
  const listBytes = f.element("replica list", -1);
  const listEnd = f.pos + listBytes;
  const n = f.count("replica list");
  // Each replica is at least 4 + 4 + 16 + 4 + 4 bytes: a hostile count cannot make us allocate.
  if (n > listBytes / 32) f.fail(`replica list claims ${n} replicas in ${listBytes} bytes`);
  const replicas: TabletReplica[] = [];
  for (let i = 0; i < n; i++) {
    const tupleBytes = f.element(`replica ${i}`, -1);
    const tupleEnd = f.pos + tupleBytes;
    const hostId = f.uuid(`replica ${i} host_id`);
    const shard = f.int(`replica ${i} shard`);
    if (shard < 0) f.fail(`replica ${i} has negative shard ${shard}`);
    if (f.pos !== tupleEnd) f.fail(`replica ${i} has ${tupleEnd - f.pos} extra bytes`);
    replicas.push({ hostId, shard });
  }
  if (f.pos !== listEnd) f.fail(`replica list has ${listEnd - f.pos} extra bytes`);
  let tabletVersion: bigint | undefined;
  if (version === 2) tabletVersion = BigInt.asUintN(64, f.long("tablet_version"));
  if (f.pos !== bytes.length) f.fail(`${bytes.length - f.pos} trailing bytes`);
  return tabletVersion === undefined
    ? { firstToken, lastToken, replicas }
    : { firstToken, lastToken, replicas, version: tabletVersion };
}

/**
 * The `tablet_version_block` byte a v2 EXECUTE ends with: high nibble the
 * block index (0-15, counted from the least significant bits), low nibble that
 * 4-bit slice of the cached version. The server answers with fresh routing when
 * the slice differs from its own, so rotating `blockIndex` across requests
 * checks the whole version over time. With no cached version the low nibble is
 * 0: the driver still has to send a byte, and a wrong guess only earns the
 * routing it lacks (a right one, 1 time in 16 per block, earns nothing).
 * @throws {RangeError} `blockIndex` not an integer in [0, 15]
 */
export function tabletVersionBlock(version: bigint | undefined, blockIndex: number): number {
  if (!Number.isInteger(blockIndex) || blockIndex < 0 || blockIndex > 15) {
    throw new RangeError(`blockIndex must be an integer in [0, 15], got ${blockIndex}`);
  }
  if (version === undefined) return blockIndex << 4;
  return (blockIndex << 4) | Number((version >> BigInt(blockIndex * 4)) & 0xfn);
}
