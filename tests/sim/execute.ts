/**
 * The simulated node's EXECUTE handling (tests only): reading the whole v4
 * body `<id><query_parameters>`, then, when the connection negotiated
 * `TABLETS_ROUTING_V2_EXPERIMENTAL`, the one `tablet_version_block` byte
 * ScyllaDB's `process_execute_internal` reads unconditionally (a missing byte
 * is a protocol error there, so it is here); then where the request landed
 * and which tablets payload the RESULT carries.
 * @module
 */

import { Reader } from "../../src/wire/bytes.ts";
import { murmur3Token } from "../../src/routing/murmur3.ts";
import { routedCorrectly, routingPayload, type SimTablet } from "./tablets.ts";
import type { SimNodeInfo, SimTopology } from "./topology.ts";
import type { SimConnection } from "./node_options.ts";

/** One EXECUTE as received. */
export interface ExecuteRecord {
  /** The connection it arrived on. */
  connection: SimConnection;
  /** Host id of the node that received it. */
  node: string;
  /** The statement's keyspace and table. */
  keyspace: string;
  table: string;
  /** The bound partition key `k`. */
  key: number;
  /** Murmur3 token of the key. */
  token: bigint;
  /** The shard that owns the token by the vnode sharding formula. */
  ownerShard: number;
  /** The tablet owning the token (tablets keyspaces), as it was at the time. */
  tablet: SimTablet | null;
  /** Landed on a replica node (tablet replica, or vnode ring replica). */
  onReplica: boolean;
  /**
   * Landed on a replica and on its shard: the tablet's shard there (or the
   * pending replica's), else {@link ownerShard}.
   */
  onReplicaShard: boolean;
  /** The v2 version block the request carried, `null` without v2. */
  versionBlock: number | null;
  /** The result metadata id it carried (`SCYLLA_USE_METADATA_ID`), `null` without. */
  metadataId: Uint8Array | null;
  /** Answered with `Metadata_changed`: the id it carried was not the statement's. */
  metadataChanged: boolean;
  /** It asked to leave the result metadata out (`Skip_metadata`). */
  skipMetadata: boolean;
  /** Answered with `No_metadata`: it asked, and the id it carried was the statement's. */
  metadataSkipped: boolean;
  /** The tablets custom-payload key attached to the RESULT, if any. */
  payload: string | null;
}

/** The spec's biased-token-round-robin, in infinite precision. */
export function ownerShard(token: bigint, nrShards: number, ignoreMsb: number): number {
  let z = token + 2n ** 63n;
  z = (z << BigInt(ignoreMsb)) % 2n ** 64n;
  return Number((z * BigInt(nrShards)) >> 64n);
}

/** An EXECUTE as the node parsed it. */
export interface ParsedExecute {
  id: Uint8Array;
  /** The result metadata id (`SCYLLA_USE_METADATA_ID` negotiated), else `null`. */
  metadataId: Uint8Array | null;
  consistency: number;
  /** Bound values in order (`null` for NULL, `undefined` for unset). */
  values: (Uint8Array | null | undefined)[];
  /** The v2 version block, or `null` when v2 was not negotiated. */
  versionBlock: number | null;
  /** The `Skip_metadata` flag was set. */
  skipMetadata: boolean;
}

/** Query-parameter flags of protocol v4 §4.1.4. */
const VALUES = 0x01,
  SKIP_METADATA = 0x02,
  PAGE_SIZE = 0x04,
  PAGING_STATE = 0x08,
  SERIAL = 0x10,
  TIMESTAMP = 0x20;
const NAMES = 0x40;

/** The serialized `int` partition key the simulation hashes. */
export function intKey(k: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, k);
  return b;
}

/**
 * Reads an EXECUTE body; with `metadataId` (the connection negotiated
 * `SCYLLA_USE_METADATA_ID`) a `[short bytes]` result metadata id follows the
 * statement id, as server.cc's `process_execute_internal` reads it.
 * @throws {ProtocolError} truncated body, or the v2 block missing
 */
export function readExecute(body: Uint8Array, v2: boolean, metadataId = false): ParsedExecute {
  const r = new Reader(body);
  const id = r.readShortBytes();
  const resultMetadataId = metadataId ? r.readShortBytes().slice() : null;
  const consistency = r.readShort();
  const flags = r.readByte();
  const values: (Uint8Array | null | undefined)[] = [];
  if (flags & VALUES) {
    for (let n = r.readShort(); n > 0; n--) {
      if (flags & NAMES) r.readString();
      const len = r.readInt();
      values.push(len === -2 ? undefined : len < 0 ? null : r.readRaw(len));
    }
  }
  if (flags & PAGE_SIZE) r.readInt();
  if (flags & PAGING_STATE) r.readBytes();
  if (flags & SERIAL) r.readShort();
  if (flags & TIMESTAMP) r.readLong();
  const versionBlock = v2 ? r.readByte() : null;
  return {
    id,
    metadataId: resultMetadataId,
    consistency,
    values,
    versionBlock,
    skipMetadata: (flags & SKIP_METADATA) !== 0,
  };
}

/**
 * Records an EXECUTE of `stmt` with partition key `key` on `node`, and picks
 * the tablets payload as the coordinator would: only for tablets keyspaces
 * (the statement binds the whole partition key, one partition).
 */
export function routeExecute(
  node: { topology: SimTopology; info: SimNodeInfo; nrShards: number; ignoreMsb: number },
  conn: SimConnection,
  stmt: { keyspace: string; table: string },
  key: Uint8Array,
  extensions: { v1: boolean; v2: boolean },
  versionBlock: number | null,
): { record: ExecuteRecord; payload?: Map<string, Uint8Array> } {
  const token = murmur3Token(key);
  const hostId = node.info.hostId;
  const ks = node.topology.keyspaces.get(stmt.keyspace)!;
  const tablet = ks.tablets?.tabletOf(token) ?? null;
  const record: ExecuteRecord = {
    connection: conn,
    node: hostId,
    keyspace: stmt.keyspace,
    table: stmt.table,
    key: new DataView(key.buffer, key.byteOffset, 4).getInt32(0),
    token,
    ownerShard: ownerShard(token, node.nrShards, node.ignoreMsb),
    tablet: tablet && structuredClone(tablet),
    onReplica: false,
    onReplicaShard: false,
    versionBlock,
    metadataId: null,
    metadataChanged: false,
    skipMetadata: false,
    metadataSkipped: false,
    payload: null,
  };
  if (tablet === null) {
    record.onReplica = node.topology.vnodeReplicas(ks.rf, token).includes(hostId);
    record.onReplicaShard = record.onReplica && conn.shard === record.ownerShard;
    return { record };
  }
  record.onReplica = tablet.replicas.some((r) => r.hostId === hostId);
  record.onReplicaShard = routedCorrectly(tablet, hostId, conn.shard);
  const entry = routingPayload(tablet, hostId, conn.shard, extensions, versionBlock);
  if (entry === null) return { record };
  record.payload = entry[0];
  return { record, payload: new Map([entry]) };
}
