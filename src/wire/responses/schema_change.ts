/**
 * The schema-change description shared by RESULT Schema_change and EVENT (v4 §4.2.5.5).
 * @module
 */

import type { Reader } from "../bytes.ts";

/** What changed in the schema. */
export interface SchemaChange {
  /** `CREATED`, `UPDATED` or `DROPPED`. */
  change: string;
  /** `KEYSPACE`, `TABLE`, `TYPE`, `FUNCTION` or `AGGREGATE`. */
  target: string;
  /** Keyspace concerned. */
  keyspace: string;
  /** Table, type, function or aggregate name; absent for keyspaces. */
  name?: string;
  /** Argument types of a function or aggregate. */
  argTypes?: string[];
}

/** Reads `<change_type><target><options>`. */
export function readSchemaChange(r: Reader): SchemaChange {
  const change = r.readString();
  const target = r.readString();
  const keyspace = r.readString();
  if (target === "KEYSPACE") return { change, target, keyspace };
  const name = r.readString();
  if (target === "FUNCTION" || target === "AGGREGATE") {
    return { change, target, keyspace, name, argTypes: r.readStringList() };
  }
  return { change, target, keyspace, name };
}
