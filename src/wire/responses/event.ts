/**
 * EVENT bodies (v4 §4.2.6).
 * @module
 */

import type { Reader } from "../bytes.ts";
import { ProtocolError } from "../../errors.ts";
import { readSchemaChange, type SchemaChange } from "./schema_change.ts";

/** A server-pushed event. */
export type ServerEvent =
  | {
    type: "TOPOLOGY_CHANGE";
    change: "NEW_NODE" | "REMOVED_NODE" | string;
    address: string;
    port: number;
  }
  | { type: "STATUS_CHANGE"; change: "UP" | "DOWN" | string; address: string; port: number }
  | ({ type: "SCHEMA_CHANGE" } & SchemaChange);

/** Decodes an EVENT body. */
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
    default:
      throw new ProtocolError(`unknown event type "${type}"`);
  }
}
