/**
 * Records the ring and replica placement a real cluster reports, for the unit test
 * `tests/unit/token_ring_vnodes_test.ts` (which needs no server). Run against a 256-token
 * two-DC cluster:
 *
 * ```sh
 * deno run -A scripts/db.ts cluster-up --dc-layout dc1:2,dc2:1 --num-tokens 256
 * deno run -A tests/cluster/ring_fixture.ts            # writes tests/cluster/fixtures/ring_256.json
 * deno run -A scripts/db.ts cluster-down
 * ```
 *
 * Nothing here goes through the driver: tokens come from each node's system.local, a key's token
 * from the server's token(pk), its replicas from a read at ALL traced by the server.
 * @module
 */

import { CqlProbe } from "../../scripts/lib/cql_probe.ts";
import { CL, hostPortOf, serverNodes, serverReplicas, serverToken } from "./server_ring.ts";

const hosts = (Deno.env.get("CQL_CLUSTER_HOSTS") ??
  "127.0.0.1:9042,127.0.0.2:9042,127.0.0.3:9042").split(",");
const PER_KEYSPACE = Number(Deno.env.get("SAMPLES") ?? 40);
const out = new URL("./fixtures/ring_256.json", import.meta.url).pathname;

const keyspaces = [
  { name: "fx_simple1", rf: 1, replication: { class: "SimpleStrategy", replication_factor: "1" } },
  { name: "fx_simple2", rf: 2, replication: { class: "SimpleStrategy", replication_factor: "2" } },
  {
    name: "fx_nts21",
    rf: 3,
    replication: { class: "NetworkTopologyStrategy", dc1: "2", dc2: "1" },
  },
  {
    name: "fx_nts11",
    rf: 2,
    replication: { class: "NetworkTopologyStrategy", dc1: "1", dc2: "1" },
  },
];

/** Until every node reports the same schema version. */
async function schemaAgreement(): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const versions = new Set<string>();
    for (const hp of hosts) {
      const p = await CqlProbe.connect({ ...hostPortOf(hp), timeoutMs: 10_000 });
      versions.add(
        String((await p.query("SELECT schema_version FROM system.local"))[0]?.schema_version),
      );
      p.close();
    }
    if (versions.size === 1) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("no schema agreement");
}

/** Retries a request a replica refused while its schema was settling. */
async function retry<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0;; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= 50) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const nodes = await serverNodes(hosts);
console.log(nodes.map((n) => `${n.address} ${n.datacenter}/${n.rack} ${n.tokens.length} tokens`));
const probe = await CqlProbe.connect({ ...hostPortOf(hosts[0]), timeoutMs: 30_000 });
const samples: { keyspace: string; pk: number; token: string; replicas: string[] }[] = [];
try {
  for (const ks of keyspaces) {
    const repl = JSON.stringify(ks.replication).replaceAll('"', "'");
    await probe.query(`DROP KEYSPACE IF EXISTS ${ks.name}`);
    await probe.query(`CREATE KEYSPACE ${ks.name} WITH replication = ${repl}`);
    await probe.query(`CREATE TABLE ${ks.name}.t (pk int PRIMARY KEY)`);
    // Every node must know the table before a read at ALL.
    for (const hp of hosts) {
      const p = await CqlProbe.connect({ ...hostPortOf(hp), timeoutMs: 10_000 });
      for (let i = 0;; i++) {
        const rows = await p.query(
          `SELECT table_name FROM system_schema.tables WHERE keyspace_name = '${ks.name}'`,
        );
        if (rows.length === 1) break;
        if (i > 200) throw new Error(`${ks.name}.t not on ${hp}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      p.close();
    }
    await schemaAgreement();
    for (let i = 0; i < PER_KEYSPACE; i++) {
      const pk = i * 104_729 - 2_000_000;
      await retry(() =>
        probe.query(`INSERT INTO ${ks.name}.t (pk) VALUES (${pk})`, { consistency: CL.ALL })
      );
      const token = await serverToken(probe, ks.name, "t", pk);
      const replicas = await serverReplicas(probe, ks.name, "t", pk, ks.rf);
      samples.push({ keyspace: ks.name, pk, token: String(token), replicas });
    }
    console.log(`${ks.name}: ${PER_KEYSPACE} keys traced`);
    await probe.query(`DROP KEYSPACE ${ks.name}`);
  }
} finally {
  probe.close();
}
await Deno.mkdir(new URL("./fixtures/", import.meta.url).pathname, { recursive: true });
await Deno.writeTextFile(
  out,
  JSON.stringify(
    {
      about: "Recorded by tests/cluster/ring_fixture.ts from Cassandra 5.0.9 (3 nodes, " +
        "num_tokens 256, GossipingPropertyFileSnitch): tokens from each node's system.local, " +
        "token(pk) and the replicas that executed a traced read at ALL.",
      nodes,
      keyspaces: keyspaces.map(({ name, replication }) => ({ name, replication })),
      samples,
    },
    null,
    1,
  ) + "\n",
);
console.log(`wrote ${samples.length} samples to ${out}`);
