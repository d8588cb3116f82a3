/**
 * ScyllaDB's protocol extensions (`docs/dev/protocol-extensions.md` in
 * scylladb/scylladb): which of those a node offers in SUPPORTED the driver asks
 * for in STARTUP, and what each one settles for the connection. Cassandra
 * offers none of them, so nothing here changes a Cassandra connection.
 * @module
 */

import { TABLETS_ROUTING_V1, TABLETS_ROUTING_V2 } from "../routing/tablet_payload.ts";

/** ScyllaDB's key for result metadata ids on protocol v4 (`transport/cql_protocol_extension.cc`). */
export const SCYLLA_USE_METADATA_ID = "SCYLLA_USE_METADATA_ID";

/** What the extensions a node offered settle for one connection. */
export interface NegotiatedExtensions {
  /** STARTUP options asking for them (names and values as the server spells them). */
  startup: Record<string, string>;
  /** Error code ScyllaDB uses for rate-limit errors, when announced. */
  rateLimitCode: number | undefined;
  /** Tablets routing: 0 none, 1 `TABLETS_ROUTING_V1`, 2 the v2 experiment. */
  tabletsRouting: 0 | 1 | 2;
  /**
   * PREPARED answers and EXECUTE requests carry result metadata ids: always in
   * v5; in v4 when the node offered `SCYLLA_USE_METADATA_ID`.
   */
  metadataId: boolean;
}

/**
 * Picks the extensions to ask for from a node's SUPPORTED options.
 * @param version the protocol version the connection speaks
 * @param clientOptions JSON for `CLIENT_OPTIONS`, sent only where offered
 */
export function negotiateExtensions(
  supported: ReadonlyMap<string, readonly string[]>,
  version: number,
  clientOptions?: string,
): NegotiatedExtensions {
  const startup: Record<string, string> = {};
  const rateLimitCode = scyllaRateLimitCode(supported);
  if (rateLimitCode !== undefined) startup.SCYLLA_RATE_LIMIT_ERROR = "";
  // ScyllaDB marks LWT statements in PREPARED metadata only when the client asks.
  const lwtMark = supported.get("SCYLLA_LWT_ADD_METADATA_MARK")?.[0];
  if (lwtMark !== undefined) startup.SCYLLA_LWT_ADD_METADATA_MARK = lwtMark;
  if (clientOptions !== undefined && supported.has("CLIENT_OPTIONS")) {
    startup.CLIENT_OPTIONS = clientOptions;
  }
  // Tablets routing: v2 replaces v1 when offered (only with experimental strongly consistent
  // tables); never both.
  const tabletsRouting = supported.has(TABLETS_ROUTING_V2)
    ? 2
    : supported.has(TABLETS_ROUTING_V1)
    ? 1
    : 0;
  if (tabletsRouting === 2) startup[TABLETS_ROUTING_V2] = "";
  if (tabletsRouting === 1) startup[TABLETS_ROUTING_V1] = "";
  // v5 has metadata ids of its own; the extension backports them to v4 (server.cc,
  // is_metadata_id_supported: the id is read from every EXECUTE once negotiated).
  let metadataId = version >= 5;
  if (!metadataId && supported.has(SCYLLA_USE_METADATA_ID)) {
    startup[SCYLLA_USE_METADATA_ID] = "";
    metadataId = true;
  }
  return { startup, rateLimitCode, tabletsRouting, metadataId };
}

/** Reads `ERROR_CODE=<n>` from ScyllaDB's `SCYLLA_RATE_LIMIT_ERROR` option. */
function scyllaRateLimitCode(
  supported: ReadonlyMap<string, readonly string[]>,
): number | undefined {
  const value = supported.get("SCYLLA_RATE_LIMIT_ERROR")?.[0];
  const m = value?.match(/ERROR_CODE=(\d+)/);
  return m ? Number(m[1]) : undefined;
}
