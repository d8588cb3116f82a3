/**
 * The routing key of a bound prepared statement: its partition key values,
 * serialized as the server hashes them.
 * @module
 */

import { Writer } from "./wire/bytes.ts";
import { type Encoder, encoderFor } from "./wire/codec/index.ts";
import type { PreparedInfo } from "./wire/metadata.ts";
import { compositeKey } from "./cluster/murmur3.ts";
import type { RoutingInfo } from "./policies/load_balancing.ts";

interface KeyPlan {
  keyspace: string | null;
  /** Whether the statement text is an LWT (Cassandra has no flag for it). */
  lwtText: boolean;
  indexes: readonly number[];
  names: string[];
  encoders: Encoder[];
}

const plans = new WeakMap<PreparedInfo, KeyPlan>();
const scratch = new Writer(256);

function planFor(info: PreparedInfo, cql: string): KeyPlan {
  let plan = plans.get(info);
  if (plan === undefined) {
    const cols = info.pkIndexes.map((i) => info.bindColumns[i]);
    plan = {
      keyspace: cols[0]?.keyspace ?? info.bindColumns[0]?.keyspace ?? null,
      lwtText: isLwt(cql),
      indexes: info.pkIndexes,
      names: cols.map((c) => c.name.toLowerCase()),
      encoders: cols.map((c) => encoderFor(c.type, c.name)),
    };
    plans.set(info, plan);
  }
  return plan;
}

function valueAt(values: unknown, index: number, name: string): unknown {
  if (Array.isArray(values)) return values[index];
  if (values === null || typeof values !== "object") return undefined;
  const o = values as Record<string, unknown>;
  if (name in o) return o[name];
  for (const k of Object.keys(o)) if (k.toLowerCase() === name) return o[k];
  return undefined;
}

/**
 * Where `info` bound to `values` lives: its keyspace and serialized partition
 * key, or no key when a key component is missing (the request is then routed
 * by the fallback order; the server reports the missing value) or when
 * `needKey` is false (nothing to choose between: one node, no shards).
 */
export function routingFor(
  info: PreparedInfo,
  values: unknown,
  cql: string,
  lwtMask: number | null = null,
  needKey = true,
): RoutingInfo {
  const plan = planFor(info, cql);
  // ScyllaDB says which statements are LWT; on Cassandra the text tells.
  const lwt = lwtMask !== null && info.flags !== undefined
    ? ((info.flags & lwtMask) >>> 0) === lwtMask
    : plan.lwtText;
  const routing: RoutingInfo = { keyspace: plan.keyspace, lwt };
  if (!needKey || plan.indexes.length === 0 || values === undefined) return routing;
  const parts: Uint8Array[] = [];
  for (let k = 0; k < plan.indexes.length; k++) {
    const v = valueAt(values, plan.indexes[k], plan.names[k]);
    if (v === null || v === undefined) return routing;
    scratch.reset();
    try {
      plan.encoders[k](scratch, v);
    } catch {
      // The bind step reports bad values with the full context; routing just gives up.
      return routing;
    }
    parts.push(scratch.buf.slice(4, scratch.length));
  }
  routing.routingKey = compositeKey(parts);
  return routing;
}

const LWT = /\bIF\s+(NOT\s+EXISTS\b|EXISTS\b|[\w"]+\s*(=|!=|<|>|IN\b))/i;

/** Whether a statement is a lightweight transaction (conditional update). */
export function isLwt(cql: string): boolean {
  return LWT.test(cql);
}
