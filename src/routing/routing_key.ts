/**
 * The routing key of a bound prepared statement: its partition key values,
 * serialized as the server hashes them, and what else routing needs to know
 * of a request (keyspace, LWT).
 * @module
 */

import { smallCopy, Writer } from "../wire/bytes.ts";
import { type Encoder, encoderFor } from "../wire/codec/index.ts";
import type { PreparedInfo } from "../wire/metadata.ts";
import { compositeKey, murmur3Into, type TokenWords } from "./murmur3.ts";
import type { Tablet } from "./tablet_payload.ts";

/** Where a request's data lives, when known. */
export interface RoutingInfo extends TokenWords {
  /** Keyspace of the statement. */
  keyspace?: string | null;
  /** Table of the statement, when a prepared statement names it. */
  table?: string | null;
  // tokenHi, tokenLo (TokenWords): the Murmur3 token of the serialized partition key
  // (composite for multi-column keys), both set or neither: lookups need no bigint.
  /** Lightweight transaction: prefer the primary replica. */
  lwt?: boolean;
  /** The tablet holding the token, once found (ScyllaDB): its replicas name their shards. */
  tablet?: Tablet;
}

/**
 * How to compute the routing key of one prepared statement, worked out once
 * and kept with the prepared statement.
 */
export interface KeyPlan {
  /** Keyspace of the bound columns. */
  readonly keyspace: string | null;
  /** Table of the bound columns. */
  readonly table: string | null;
  /** Whether the statement text is an LWT (Cassandra has no flag for it). */
  readonly lwtText: boolean;
  /** Bind marker index of each partition key column, in key order. */
  readonly indexes: readonly number[];
  /** Lower-cased column names, for values given by name. */
  readonly names: readonly string[];
  /** One encoder per key column. */
  readonly encoders: readonly Encoder[];
}

/** Works out how to compute the routing key of `info` (prepared from `cql`). */
export function keyPlan(info: PreparedInfo, cql: string): KeyPlan {
  const cols = info.pkIndexes.map((i) => info.bindColumns[i]);
  const first = cols[0] ?? info.bindColumns[0] ?? info.resultColumns[0];
  return {
    keyspace: first?.keyspace ?? null,
    table: first?.table ?? null,
    lwtText: isLwt(cql),
    indexes: info.pkIndexes,
    names: cols.map((c) => c.name.toLowerCase()),
    encoders: cols.map((c) => encoderFor(c.type, c.name)),
  };
}

const scratch = new Writer(256);

function valueAt(values: unknown, index: number, name: string): unknown {
  if (Array.isArray(values)) return values[index];
  if (values === null || typeof values !== "object") return undefined;
  const o = values as Record<string, unknown>;
  if (name in o) return o[name];
  for (const k of Object.keys(o)) if (k.toLowerCase() === name) return o[k];
  return undefined;
}

/**
 * Where a statement bound to `values` lives: its keyspace and the token of its
 * partition key, or no token when a key component is missing (the request is
 * then routed by the fallback order; the server reports the missing value) or
 * when `needKey` is false (nothing to choose between: one node, no shards).
 * A one-column key is hashed where it was serialized, without a copy.
 * @param flags the PREPARED metadata flags; with ScyllaDB's `lwtMask` they say LWT
 */
export function routingFor(
  plan: KeyPlan,
  values: unknown,
  flags: number | undefined,
  lwtMask: number | null = null,
  needKey = true,
): RoutingInfo {
  // ScyllaDB says which statements are LWT; on Cassandra the text tells.
  const lwt = lwtMask !== null && flags !== undefined
    ? ((flags & lwtMask) >>> 0) === lwtMask
    : plan.lwtText;
  // Every field from the start: fields added later would cost a second allocation and a shape
  // change per request.
  const routing: RoutingInfo = {
    keyspace: plan.keyspace,
    table: plan.table,
    lwt,
    tokenHi: undefined,
    tokenLo: undefined,
    tablet: undefined,
  };
  if (!needKey || plan.indexes.length === 0 || values === undefined) return routing;
  const n = plan.indexes.length;
  // One key column (the common case): its bytes are the key, hashed in the scratch writer.
  let parts: Uint8Array[] | null = null;
  for (let k = 0; k < n; k++) {
    const v = valueAt(values, plan.indexes[k], plan.names[k]);
    if (v === null || v === undefined) return routing;
    scratch.reset();
    try {
      plan.encoders[k](scratch, v);
    } catch {
      // The bind step reports bad values with the full context; routing just gives up.
      return routing;
    }
    if (n === 1) murmur3Into(routing, scratch.buf, 4, scratch.length);
    else (parts ??= []).push(smallCopy(scratch.buf, 4, scratch.length));
  }
  if (parts !== null) {
    const key = compositeKey(parts);
    murmur3Into(routing, key, 0, key.length);
  }
  return routing;
}

const LWT = /\bIF\s+(NOT\s+EXISTS\b|EXISTS\b|[\w"]+\s*(=|!=|<|>|IN\b))/i;

/** Whether a statement is a lightweight transaction (conditional update). */
export function isLwt(cql: string): boolean {
  return LWT.test(cql);
}
