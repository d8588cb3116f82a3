/**
 * Node discovery from `system.local` and `system.peers_v2` (or `system.peers`
 * on servers that lack it).
 * @module
 */

import type { Connection } from "../pool/connection.ts";
import { InvalidQueryError } from "../errors.ts";
import type { NodeInfo } from "./node.ts";
import { querySystem } from "./system_query.ts";

const LOCAL = "SELECT host_id, data_center, rack, tokens, schema_version, release_version, " +
  "rpc_address, native_port FROM system.local WHERE key='local'";
const LOCAL_V3 = "SELECT host_id, data_center, rack, tokens, schema_version, release_version, " +
  "rpc_address FROM system.local WHERE key='local'";
const PEERS_V2 = "SELECT peer, native_address, native_port, data_center, rack, tokens, host_id, " +
  "schema_version, release_version FROM system.peers_v2";
const PEERS = "SELECT peer, rpc_address, data_center, rack, tokens, host_id, schema_version, " +
  "release_version FROM system.peers";

/** Reads the nodes of the cluster as seen by the node behind `c`. */
export async function discoverNodes(
  c: Connection,
  contact: { host: string; port: number },
  timeoutMs: number,
): Promise<NodeInfo[]> {
  const local = (await queryEither(c, LOCAL, LOCAL_V3, timeoutMs))[0];
  const nodes: NodeInfo[] = [];
  if (local) {
    // The contact point is how this client reaches the node; keep it as its address.
    nodes.push(toNode(local, contact.host, contact.port));
  }
  let peers: Record<string, unknown>[];
  let v2 = true;
  try {
    peers = await querySystem(c, PEERS_V2, timeoutMs);
  } catch (e) {
    if (!(e instanceof InvalidQueryError)) throw e;
    v2 = false;
    peers = await querySystem(c, PEERS, timeoutMs);
  }
  for (const p of peers) {
    const rpc = (v2 ? p.native_address : p.rpc_address) as string | null;
    // A node bound to the wildcard address is reached through its gossip address.
    const address = rpc && rpc !== "0.0.0.0" && rpc !== "::" ? rpc : p.peer as string;
    const port = v2 && typeof p.native_port === "number" ? p.native_port : contact.port;
    if (!address || !p.host_id) continue;
    nodes.push(toNode(p, address, port));
  }
  return nodes;
}

async function queryEither(c: Connection, first: string, second: string, timeoutMs: number) {
  try {
    return await querySystem(c, first, timeoutMs);
  } catch (e) {
    if (!(e instanceof InvalidQueryError)) throw e;
    return await querySystem(c, second, timeoutMs);
  }
}

function toNode(row: Record<string, unknown>, address: string, port: number): NodeInfo {
  const tokens = (row.tokens as string[] | Set<string> | null) ?? [];
  return {
    hostId: String(row.host_id),
    address,
    port,
    datacenter: (row.data_center as string) ?? "",
    rack: (row.rack as string) ?? "",
    tokens: parseTokens(tokens),
    schemaVersion: (row.schema_version as string | null) ?? null,
    releaseVersion: (row.release_version as string | null) ?? null,
    up: true,
    shardCount: null,
    extensions: [],
  };
}

/**
 * Murmur3 tokens as bigints, sorted. Other partitioners' tokens (e.g. the hex
 * tokens of ByteOrderedPartitioner) are not numbers: the node then has none,
 * and requests go by the fallback order instead of by token.
 */
function parseTokens(tokens: Iterable<string>): bigint[] {
  const out: bigint[] = [];
  for (const t of tokens) {
    if (!/^-?\d+$/.test(t)) return [];
    out.push(BigInt(t));
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
