// Schema metadata on the 3-node cluster: changes made on another node reach a session through
// SCHEMA_CHANGE events (the session sends nothing itself while we wait), and
// awaitSchemaAgreement() compares the schema versions of the three nodes.
// The "other node" changes are made by a separate tiny client (scripts/lib/cql_probe.ts)
// connected only to 127.0.0.2, so they are coordinated there, not on the observing session's
// control node; others through a second session whose only contact point is 127.0.0.2.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ClusterData, Session } from "../../mod.ts";
import { CqlProbe } from "../../scripts/lib/cql_probe.ts";
import {
  clusterBuilder,
  clusterHosts,
  connectCluster,
  dropKeyspace,
  eventually,
  uniqueKeyspace,
} from "./helpers.ts";
import { hostPort } from "../integration/env.ts";

const KS = uniqueKeyspace("schema");
const KS_B = `${KS}_b`;
const KS_C = `${KS}_c`;
/** "Within seconds": how long a change may take to show in another session's metadata. */
const VISIBLE_WITHIN_MS = 5_000;

describe("schema metadata across the 3-node cluster", () => {
  /** The observer: every node as contact point, control connection on the first. */
  let a: Session;
  /** A second session whose only contact point is 127.0.0.2. */
  let b: Session;
  /** A raw connection to 127.0.0.2 only. */
  let probe: CqlProbe;
  const seen: string[] = [];

  before(async () => {
    a = await connectCluster();
    b = await connectCluster(clusterBuilder([clusterHosts()[1]]));
    probe = await CqlProbe.connect({ ...hostPort(clusterHosts()[1]), timeoutMs: 30_000 });
  });

  after(async () => {
    probe?.close();
    for (const ks of [KS, KS_B, KS_C]) await dropKeyspace(b ?? a, ks);
    await a?.close();
    await b?.close();
    if (seen.length) console.log(`schema changes seen by the observer: ${seen.join(", ")}`);
  });

  /** Waits until `check` holds on the observer's metadata; returns how long it took, in ms. */
  async function visible(what: string, check: (d: ClusterData) => boolean): Promise<number> {
    const start = performance.now();
    await eventually(
      `${what} in getClusterData()`,
      () => Promise.resolve(check(a.getClusterData())),
      VISIBLE_WITHIN_MS,
      20,
    );
    const ms = Math.round(performance.now() - start);
    seen.push(`${what} ${ms} ms`);
    return ms;
  }

  it("a keyspace created on 127.0.0.2 appears, with its replication", async () => {
    await probe.query(
      `CREATE KEYSPACE ${KS} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 2}`,
    );
    await visible(
      "CREATE KEYSPACE",
      (d) => d.keyspaces.get(KS)?.replication.replication_factor === "2",
    );
    assert.match(a.getClusterData().keyspaces.get(KS)!.replication.class, /SimpleStrategy$/);
  });

  it("a table, a user type and an added column appear", async () => {
    await probe.query(`CREATE TYPE ${KS}.addr (street text, no int)`);
    await probe.query(
      `CREATE TABLE ${KS}.t (a int, b text, c int, v frozen<addr>, PRIMARY KEY ((a, b), c))`,
    );
    await visible("CREATE TABLE", (d) => d.keyspaces.get(KS)?.tables.has("t") === true);
    await visible("CREATE TYPE", (d) => d.keyspaces.get(KS)?.userTypes.has("addr") === true);
    const t = a.getClusterData().keyspaces.get(KS)!.tables.get("t")!;
    assert.deepEqual(t.partitionKey, ["a", "b"]);
    assert.deepEqual(t.clusteringKey, ["c"]);
    assert.deepEqual(
      a.getClusterData().keyspaces.get(KS)!.userTypes.get("addr")!.fields,
      [{ name: "street", type: "text" }, { name: "no", type: "int" }],
    );

    await probe.query(`ALTER TABLE ${KS}.t ADD extra list<text>`);
    await visible(
      "ALTER TABLE ADD",
      (d) =>
        d.keyspaces.get(KS)?.tables.get("t")?.columns.some((c) =>
          c.name === "extra" && c.type === "list<text>"
        ) === true,
    );
    assert.match(
      String(a.getClusterData()),
      /table t \(.*extra list<text>.*\) PRIMARY KEY \(\(a, b\), c\)/,
    );
  });

  it("changes to two keyspaces made back to back are both seen", async () => {
    // Events for different keyspaces arrive within the refresh debounce: none may be lost.
    await probe.query(
      `CREATE KEYSPACE ${KS_B} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    await probe.query(`CREATE TABLE ${KS}.t2 (k int PRIMARY KEY)`);
    await visible(
      "CREATE TABLE t2 (second of two)",
      (d) => d.keyspaces.get(KS)?.tables.has("t2") === true,
    );
    await visible("CREATE KEYSPACE (first of two)", (d) => d.keyspaces.has(KS_B));
  });

  it("ALTER KEYSPACE, DROP TABLE and DROP KEYSPACE are seen", async () => {
    await probe.query(
      `ALTER KEYSPACE ${KS} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}`,
    );
    await visible(
      "ALTER KEYSPACE",
      (d) => d.keyspaces.get(KS)?.replication.replication_factor === "3",
    );
    await probe.query(`DROP TABLE ${KS}.t2`);
    await visible("DROP TABLE", (d) => d.keyspaces.get(KS)?.tables.has("t2") === false);
    await probe.query(`DROP KEYSPACE ${KS_B}`);
    await visible("DROP KEYSPACE", (d) => !d.keyspaces.has(KS_B));
  });

  it("DDL through a second session (contact point 127.0.0.2) reaches the first", async () => {
    await b.execute(
      `CREATE KEYSPACE ${KS_C} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}`,
    );
    await b.execute(`CREATE TABLE ${KS_C}.u (id uuid PRIMARY KEY, n int)`);
    // The session that ran the DDL knows the result when execute() resolves.
    assert.ok(b.getClusterData().keyspaces.get(KS_C)?.tables.has("u"), "b knows its own table");
    await visible(
      "CREATE TABLE via session b",
      (d) => d.keyspaces.get(KS_C)?.tables.has("u") === true,
    );
    // And the observer can use it at once.
    await a.execute(`INSERT INTO ${KS_C}.u (id, n) VALUES (uuid(), 1)`);
    assert.equal((await a.execute(`SELECT n FROM ${KS_C}.u`)).singleRow().get("n"), 1);
  });

  it("awaitSchemaAgreement() is true, and the three nodes do report one schema version", async () => {
    assert.equal(a.getClusterData().nodes.filter((n) => n.up).length, 3);
    assert.equal(await a.awaitSchemaAgreement(), true);
    assert.equal(await b.awaitSchemaAgreement(), true);
    // Independently: ask every node for its own version.
    const versions = new Set<string>();
    for (const hp of clusterHosts()) {
      const p = await CqlProbe.connect({ ...hostPort(hp), timeoutMs: 10_000 });
      try {
        const [row] = await p.query("SELECT schema_version FROM system.local WHERE key = 'local'");
        versions.add(String(row.schema_version));
      } finally {
        p.close();
      }
    }
    assert.equal(versions.size, 1, `versions: ${[...versions]}`);
  });

  /** The nodes (of all three) on which `SELECT * FROM keyspace.table` fails right now. */
  async function missingOn(probes: CqlProbe[], table: string): Promise<string[]> {
    const missing: string[] = [];
    for (const [i, p] of probes.entries()) {
      try {
        await p.query(`SELECT * FROM ${KS}.${table} LIMIT 1`);
      } catch (e) {
        missing.push(`${clusterHosts()[i]} (${(e as Error).message})`);
      }
    }
    return missing;
  }

  async function probes(): Promise<CqlProbe[]> {
    return await Promise.all(
      clusterHosts().map((hp) => CqlProbe.connect({ ...hostPort(hp), timeoutMs: 10_000 })),
    );
  }

  it("awaitSchemaAgreement() after DDL on another node: true only once every node has it", async () => {
    const each = await probes();
    const problems: string[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        await probe.query(`CREATE TABLE ${KS}.agree_${i} (k int PRIMARY KEY)`);
        assert.equal(await a.awaitSchemaAgreement(), true);
        const missing = await missingOn(each, `agree_${i}`);
        if (missing.length) problems.push(`agree_${i} missing on ${missing.join(", ")}`);
      }
    } finally {
      for (const p of each) p.close();
    }
    assert.deepEqual(
      problems,
      [],
      "awaitSchemaAgreement() resolved before every node had the table",
    );
  });

  it("DDL through the session resolves only once every node has the change", async () => {
    // Round-robin sends the DDL to every node in turn, so most of the time it is coordinated
    // by a node other than the one holding the control connection.
    const each = await probes();
    const problems: string[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        await a.execute(`CREATE TABLE ${KS}.ddl_${i} (k int PRIMARY KEY)`);
        const missing = await missingOn(each, `ddl_${i}`);
        if (missing.length) problems.push(`ddl_${i} missing on ${missing.join(", ")}`);
        // And the session can use it at once, whichever node the request lands on.
        try {
          const ins = await a.prepare(`INSERT INTO ${KS}.ddl_${i} (k) VALUES (?)`);
          for (let k = 0; k < 3; k++) await a.executePrepared(ins, [k]);
        } catch (e) {
          problems.push(`ddl_${i} not usable right after: ${(e as Error).message}`);
        }
      }
    } finally {
      for (const p of each) p.close();
    }
    assert.deepEqual(problems, [], "execute() of DDL resolved before every node had the table");
  });
});
