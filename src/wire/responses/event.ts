/**
 * EVENT bodies (v4 §4.2.6), and ScyllaDB's `CLIENT_ROUTES_CHANGE`
 * (`docs/dev/protocol-extensions.md`, "Sending the CLIENT_ROUTES_CHANGE event";
 * `transport/server.cc`, `response::serialize(const event::client_routes_change&)`).
 * @module
 */

import type { Reader } from "../bytes.ts";
import { ProtocolError } from "../../errors.ts";
import { readSchemaChange, type SchemaChange } from "./schema_change.ts";

/** ScyllaDB's event for changes to `system.client_routes` (addresses behind e.g. Private Link). */
export const CLIENT_ROUTES_CHANGE = "CLIENT_ROUTES_CHANGE";

/** A server-pushed event. */
export type ServerEvent =
  | {
    type: "TOPOLOGY_CHANGE";
    change: "NEW_NODE" | "REMOVED_NODE" | string;
    address: string;
    port: number;
  }
  | { type: "STATUS_CHANGE"; change: "UP" | "DOWN" | string; address: string; port: number }
  | ({ type: "SCHEMA_CHANGE" } & SchemaChange)
  | {
    type: "CLIENT_ROUTES_CHANGE";
    /** `UPDATE_NODES`: at least one route was inserted, updated or deleted. */
    change: "UPDATE_NODES" | string;
    /** `connection_id` of each changed route, paired by index with `hostIds`. */
    connectionIds: string[];
    /** `host_id` of each changed route: the nodes whose addresses may have changed. */
    hostIds: string[];
  };

/**
 * Decodes an EVENT body.
 * @throws {ProtocolError} an unknown event type, or a truncated body
 */
export function decodeEvent(r: Reader): ServerEvent {
  const type = r.readString();
  switch (type) {
    case "TOPOLOGY_CHANGE":
    case "STATUS_CHANGE": {
      const change = r.readString();
      const { address, port } = r.readInet();
      return { type, change, address, port };
    }
    case "SCHEMA_CHANGE":
      return { type, ...readSchemaChange(r) };
    case CLIENT_ROUTES_CHANGE: {
      // [string] change, [string list] connection_ids, [string list] host_ids.
      const change = r.readString();
      const connectionIds = r.readStringList();
      const hostIds = r.readStringList();
      return { type, change, connectionIds, hostIds };
    }
    default:
      throw new ProtocolError(`unknown event type "${type}"`);
  }
}
