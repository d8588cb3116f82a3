/**
 * The ring and replica placement as the SERVER reports them, never through the driver: each
 * node's own `system.local` row (datacenter, rack, tokens) read over a raw connection
 * (`scripts/lib/cql_probe.ts`), the server's `token(pk)`, and the nodes that executed a read
 * traced at consistency ALL (`system_traces.events`: every replica logs "Executing
 * single-partition query", the coordinator logs its own steps only when it is a replica). Used by
 * `routing_server_test.ts` and by `ring_fixture.ts`, which records a 256-token ring for the
 * unit test `tests/unit/token_ring_vnodes_test.ts`.
 * @module
 */

import { CqlProbe, type ProbeRow } from "../../scripts/lib/cql_probe.ts";

/** A node as it describes itself. */
export interface ServerNode {
  /** `rpc_address` (how clients reach it). */
  address: string;
  datacenter: string;
  rack: string;
  /** Tokens as decimal strings, sorted numerically. */
  tokens: string[];
}

/** Consistency codes. */
export const CL = { ONE: 1, QUORUM: 4, ALL: 5, LOCAL_ONE: 10 } as const;

/** Parses `host:port`. */
export function hostPortOf(hp: string): { host: string; port: number } {
  const i = hp.lastIndexOf(":");
  return { host: hp.slice(0, i), port: Number(hp.slice(i + 1)) };
}

/** Runs `fn` with a raw connection to `hp`. */
export async function withProbe<T>(hp: string, fn: (p: CqlProbe) => Promise<T>): Promise<T> {
  const probe = await CqlProbe.connect({ ...hostPortOf(hp), timeoutMs: 15_000 });
  try {
    return await fn(probe);
  } finally {
    probe.close();
  }
}

/** Each node's own `system.local` row: its datacenter, rack and tokens. */
export async function serverNodes(hosts: string[]): Promise<ServerNode[]> {
  const out: ServerNode[] = [];
  for (const hp of hosts) {
    const [row] = await withProbe(
      hp,
      (p) => p.query("SELECT rpc_address, data_center, rack, tokens FROM system.local"),
    );
    out.push({
      address: String(row.rpc_address),
      datacenter: String(row.data_center),
      rack: String(row.rack),
      tokens: String(row.tokens).split(",").sort((a, b) => cmp(BigInt(a), BigInt(b))),
    });
  }
  return out;
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The server's `token(pk)` of an int key. */
export async function serverToken(
  p: CqlProbe,
  ks: string,
  table: string,
  pk: number,
): Promise<bigint> {
  const [row] = await p.query(`SELECT token(pk) AS t FROM ${ks}.${table} WHERE pk = ${pk}`);
  if (!row) throw new Error(`no row for pk ${pk} in ${ks}.${table}`);
  return BigInt(String(row.t));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The session row and events of a trace, once its duration is set and `enough` holds. */
export async function traceOf(
  p: CqlProbe,
  id: string,
  enough: (events: ProbeRow[]) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<{ coordinator: string; events: ProbeRow[] }> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    // system_traces has RF 2: read both replicas so a trace written elsewhere is seen.
    const [s] = await p.query(
      `SELECT coordinator, duration FROM system_traces.sessions WHERE session_id = ${id}`,
      { consistency: CL.ALL },
    );
    if (s && s.duration !== null) {
      const events = await p.query(
        `SELECT source, activity FROM system_traces.events WHERE session_id = ${id}`,
        { consistency: CL.ALL },
      );
      if (enough(events)) return { coordinator: String(s.coordinator), events };
      last = `${events.length} events`;
    } else last = "session row not complete";
    await sleep(50);
  }
  throw new Error(`trace ${id}: ${last} after ${timeoutMs} ms`);
}

/** Nodes that executed the partition read (the replicas contacted), from trace events. */
export function readers(events: ProbeRow[]): string[] {
  const out = new Set<string>();
  for (const e of events) {
    if (String(e.activity).startsWith("Executing single-partition query")) {
      out.add(String(e.source));
    }
  }
  return [...out].sort();
}

/**
 * The replicas of `pk` as the server places them: a read at ALL, traced, through `p`; the
 * nodes that executed it. `rf` is how many to wait for (trace events arrive asynchronously).
 */
export async function serverReplicas(
  p: CqlProbe,
  ks: string,
  table: string,
  pk: number,
  rf: number,
): Promise<string[]> {
  let id = "";
  await p.query(`SELECT pk FROM ${ks}.${table} WHERE pk = ${pk}`, {
    consistency: CL.ALL,
    tracing: true,
    onTracingId: (t) => (id = t),
  });
  if (!id) throw new Error("no tracing id");
  const { events } = await traceOf(p, id, (ev) => readers(ev).length >= rf);
  return readers(events);
}

/** The server's ring: positions sorted by token, each with its node as the server reports it. */
export function serverRing(nodes: ServerNode[]): { token: bigint; node: ServerNode }[] {
  const ring: { token: bigint; node: ServerNode }[] = [];
  for (const n of nodes) for (const t of n.tokens) ring.push({ token: BigInt(t), node: n });
  return ring.sort((a, b) => (a.token < b.token ? -1 : a.token > b.token ? 1 : 0));
}

/**
 * Replicas of `token` in ring order from its position, per Cassandra's rules: SimpleStrategy
 * takes the next `rf` distinct nodes; NetworkTopologyStrategy takes per DC the next nodes on
 * racks not used yet (every test DC has as many racks as the RF asks for, so rack repeats never
 * arise here). Written from Cassandra's placement code, not taken from the driver.
 */
export function place(
  ring: { token: bigint; node: ServerNode }[],
  token: bigint,
  rfs: { simple: number } | Record<string, number>,
): string[] {
  let i = ring.findIndex((r) => r.token >= token);
  if (i < 0) i = 0;
  const out: ServerNode[] = [];
  const racks = new Map<string, Set<string>>();
  for (let k = 0; k < ring.length; k++) {
    const n = ring[(i + k) % ring.length].node;
    if (out.includes(n)) continue;
    if ("simple" in rfs) {
      if (out.length < (rfs.simple as number)) out.push(n);
      continue;
    }
    const want = rfs[n.datacenter] ?? 0;
    const used = racks.get(n.datacenter) ?? new Set<string>();
    racks.set(n.datacenter, used);
    if (out.filter((o) => o.datacenter === n.datacenter).length >= want) continue;
    if (used.has(n.rack)) continue;
    used.add(n.rack);
    out.push(n);
  }
  return out.map((n) => `${n.address}:9042`);
}
