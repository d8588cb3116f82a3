// Session lifecycle against a real node: connecting (Session.connect and every builder
// setter), keyspaces, schema agreement, cluster metadata, and closing.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ClusterData,
  ConnectionError,
  InvalidQueryError,
  type LogEvent,
  ScyllaError,
  Session,
  UnavailableError,
} from "../../mod.ts";
import { cqlHosts, hostPort } from "./env.ts";
import {
  connect,
  createKeyspace,
  dropKeyspace,
  eventually,
  newBuilder,
  uniqueKeyspace,
} from "./helpers.ts";

const KS = uniqueKeyspace("session");
const KS_RF3 = `${KS}_rf3`;
const KS_MIXED = `It_Mixed_${KS.slice(-6)}`;

/** Client connections the node sees whose current keyspace is `ks`. */
async function connectionsOn(observer: Session, ks: string) {
  const rs = await observer.execute(
    "SELECT keyspace_name, client_options FROM system_views.clients",
  );
  return rs.rows().filter((r) => r.get("keyspace_name") === ks);
}

describe("Session", () => {
  let admin: Session;
  let dc: string;

  before(async () => {
    admin = await connect();
    await createKeyspace(admin, KS);
    await createKeyspace(admin, KS_RF3, 3);
    await admin.execute(
      `CREATE KEYSPACE "${KS_MIXED}" WITH replication = ` +
        `{'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    await admin.execute(`CREATE TYPE ${KS}.addr (street text, zip int)`);
    await admin.execute(
      `CREATE TABLE ${KS}.items (id int, seq bigint, name text, tags set<text>, ` +
        `home frozen<addr>, PRIMARY KEY (id, seq))`,
    );
    await admin.execute(`CREATE TABLE ${KS_RF3}.t (id int PRIMARY KEY, v int)`);
    await admin.execute(`CREATE TABLE "${KS_MIXED}".t (id int PRIMARY KEY, v int)`);
    await admin.execute(`INSERT INTO ${KS}.items (id, seq, name) VALUES (1, 1, 'one')`);
    await admin.execute(`INSERT INTO "${KS_MIXED}".t (id, v) VALUES (1, 42)`);
    dc = (await admin.execute("SELECT data_center FROM system.local")).singleRow()
      .get("data_center") as string;
  });

  after(async () => {
    await dropKeyspace(admin, KS);
    await dropKeyspace(admin, KS_RF3);
    await dropKeyspace(admin, `"${KS_MIXED}"`);
    await admin?.close();
  });

  it("Session.connect reaches the node and runs a query", async () => {
    const s = await Session.connect(cqlHosts());
    try {
      assert.equal(s.getKeyspace(), null);
      const result = await s.execute("SELECT release_version FROM system.local");
      const row = result.singleRow();
      assert.match(row.get("release_version") as string, /^\d+\.\d+/);
      assert.ok(cqlHosts().includes(result.coordinator!), `coordinator ${result.coordinator}`);
      const prepared = await s.execute("SELECT key FROM system.local WHERE key = ?", ["local"]);
      assert.equal(prepared.coordinator, result.coordinator);
    } finally {
      await s.close();
    }
  });

  it("Session.connect rejects a malformed contact point with TypeError", async () => {
    await assert.rejects(async () => await Session.connect(["::1:9042"]), TypeError);
  });

  it("a builder with every setter returns itself and builds a working session", async () => {
    const events: LogEvent[] = [];
    const hosts = cqlHosts();
    const b = newBuilder();
    assert.equal(b.knownNode(hosts[0]), b);
    assert.equal(b.knownNodes(hosts), b);
    assert.equal(b.useKeyspace(KS, false), b);
    assert.equal(b.connectionTimeout(5000), b);
    assert.equal(b.poolSize(3), b);
    assert.equal(b.compression("lz4"), b);
    assert.equal(b.tcpNodelay(false), b);
    assert.equal(b.tcpKeepalive(10_000), b);
    assert.equal(b.requestTimeout(8000), b);
    assert.equal(b.defaultConsistency("ONE"), b);
    assert.equal(b.localDatacenter(dc), b);
    assert.equal(b.logger((e) => events.push(e)), b);
    const s = await b.build();
    try {
      assert.equal(s.getKeyspace(), KS);
      // useKeyspace: unqualified names resolve in KS.
      const row = (await s.execute("SELECT name FROM items WHERE id = 1")).singleRow();
      assert.equal(row.get("name"), "one");
      // poolSize(3): the node sees three connections switched to KS.
      const conns = await connectionsOn(admin, KS);
      assert.equal(conns.length, 3, `connections on ${KS}: ${conns.map(String).join("; ")}`);
      // compression("lz4"): negotiated on every pooled connection.
      for (const c of conns) {
        const opts = c.get("client_options") as Map<string, string>;
        assert.equal(opts.get("COMPRESSION"), "lz4");
      }
      // defaultConsistency("ONE"): a write to an RF 3 keyspace on one node succeeds,
      // where the default LOCAL_QUORUM (see below) is unavailable.
      await s.execute(`INSERT INTO ${KS_RF3}.t (id, v) VALUES (1, 1)`);
      // logger: structured events with a level and a message.
      assert.ok(events.length > 0, "the logger received no event");
      for (const e of events) {
        assert.ok(["debug", "info", "warn", "error"].includes(e.level), `level ${e.level}`);
        assert.equal(typeof e.message, "string");
      }
    } finally {
      await s.close();
    }
    // Closing released the pool connections (the node notices the FIN a moment later).
    await eventually("the node to drop the closed session's connections", async () => {
      return (await connectionsOn(admin, KS)).length === 0;
    }, 10_000);
  });

  it("the default consistency is LOCAL_QUORUM", async () => {
    await assert.rejects(
      admin.execute(`INSERT INTO ${KS_RF3}.t (id, v) VALUES (2, 2)`),
      (e: unknown) => {
        assert.ok(e instanceof UnavailableError, `got ${e}`);
        assert.equal(e.consistency, "LOCAL_QUORUM");
        assert.equal(e.required, 2);
        assert.equal(e.alive, 1);
        return true;
      },
    );
  });

  it("an unreachable cluster rejects build() with ConnectionError", async () => {
    const b = newBuilder().knownNode("127.0.0.1:1").connectionTimeout(2000);
    await assert.rejects(b.build(), (e: unknown) => {
      assert.ok(e instanceof ConnectionError, `got ${e}`);
      assert.ok(e instanceof ScyllaError);
      assert.match(e.message, /127\.0\.0\.1:1\b/);
      return true;
    });
  });

  it("build() without a contact point rejects with TypeError", async () => {
    await assert.rejects(newBuilder().build(), TypeError);
  });

  it("useKeyspace switches every connection; an unknown keyspace keeps the old one", async () => {
    const s = await connect(newBuilder().knownNodes(cqlHosts()).poolSize(2));
    try {
      assert.equal(s.getKeyspace(), null);
      await s.useKeyspace(KS, false);
      assert.equal(s.getKeyspace(), KS);
      assert.equal((await connectionsOn(admin, KS)).length, 2);
      // Every connection resolves unqualified names in KS (several rounds over the pool).
      for (let i = 0; i < 6; i++) {
        const rs = await s.execute("SELECT name FROM items WHERE id = 1");
        assert.equal(rs.singleRow().get("name"), "one");
      }
      await assert.rejects(s.useKeyspace(`${KS}_missing`, false), (e: unknown) => {
        assert.ok(e instanceof InvalidQueryError, `got ${e}`);
        assert.equal(e.code, 0x2200);
        return true;
      });
      assert.equal(s.getKeyspace(), KS);
      const rs = await s.execute("SELECT name FROM items WHERE id = 1");
      assert.equal(rs.singleRow().get("name"), "one");
    } finally {
      await s.close();
    }
  });

  it("useKeyspace honours caseSensitive", async () => {
    const s = await connect();
    try {
      await s.useKeyspace(KS_MIXED, true);
      assert.equal(s.getKeyspace(), KS_MIXED);
      assert.equal((await s.execute("SELECT v FROM t WHERE id = 1")).singleRow().get("v"), 42);
      // Not case-sensitive: the server lower-cases the name.
      await s.useKeyspace(KS.toUpperCase(), false);
      assert.equal(s.getKeyspace(), KS);
      await assert.rejects(s.useKeyspace(KS.toUpperCase(), true), InvalidQueryError);
      assert.equal(s.getKeyspace(), KS);
    } finally {
      await s.close();
    }
  });

  it("a USE statement run through execute() switches the session's keyspace", async () => {
    const s = await connect();
    try {
      await s.execute(`USE ${KS}`);
      assert.equal(s.getKeyspace(), KS);
      const rs = await s.execute("SELECT name FROM items WHERE id = 1");
      assert.equal(rs.singleRow().get("name"), "one");
    } finally {
      await s.close();
    }
  });

  it("useKeyspace rejects an empty name with TypeError", async () => {
    await assert.rejects(async () => await admin.useKeyspace("", false), TypeError);
  });

  it("awaitSchemaAgreement resolves true", async () => {
    assert.equal(await admin.awaitSchemaAgreement(), true);
  });

  it("getClusterData describes the node and the schema", () => {
    const data = admin.getClusterData();
    assert.ok(data instanceof ClusterData);
    const { host, port } = hostPort(cqlHosts()[0]);
    const node = data.nodes.find((n) => n.address === host);
    assert.ok(node, `no node ${host} in ${data.nodes.map((n) => n.address)}`);
    assert.equal(node.port, port);
    assert.equal(node.datacenter, dc);
    assert.equal(typeof node.rack, "string");
    assert.ok(node.rack.length > 0);
    assert.equal(node.up, true);
    assert.equal(node.shardCount, null, "Cassandra has no shards");
    assert.ok(node.tokens.length > 0);
    for (const t of node.tokens) assert.equal(typeof t, "bigint");
    assert.match(node.hostId, /^[0-9a-f]{8}-[0-9a-f]{4}-/);
    assert.deepEqual(data.datacenters, [dc]);

    const ks = data.keyspaces.get(KS);
    assert.ok(ks, `keyspace ${KS} missing`);
    assert.match(ks.replication.class, /SimpleStrategy$/);
    assert.equal(ks.replication.replication_factor, "1");
    const table = ks.tables.get("items");
    assert.ok(table, "table items missing");
    assert.deepEqual(table.partitionKey, ["id"]);
    assert.deepEqual(table.clusteringKey, ["seq"]);
    const cols = Object.fromEntries(table.columns.map((c) => [c.name, c]));
    assert.equal(cols.id.type, "int");
    assert.equal(cols.id.kind, "partition_key");
    assert.equal(cols.seq.type, "bigint");
    assert.equal(cols.seq.kind, "clustering");
    assert.equal(cols.name.type, "text");
    assert.equal(cols.name.kind, "regular");
    assert.equal(cols.tags.type, "set<text>");
    assert.equal(cols.home.type, "frozen<addr>");
    const addr = ks.userTypes.get("addr");
    assert.ok(addr, "type addr missing");
    assert.deepEqual(addr.fields, [{ name: "street", type: "text" }, { name: "zip", type: "int" }]);

    const text = String(data);
    for (const part of [host, dc, KS, "items", "tags set<text>", "addr", "SimpleStrategy"]) {
      assert.ok(text.includes(part), `String(data) lacks ${JSON.stringify(part)}:\n${text}`);
    }
  });

  it("getClusterData serializes to JSON, tokens as strings", () => {
    const data = admin.getClusterData();
    const json = JSON.parse(JSON.stringify(data));
    assert.equal(json.nodes.length, data.nodes.length);
    assert.deepEqual(json.nodes[0].tokens, data.nodes[0].tokens.map(String));
    assert.deepEqual(
      Object.keys(json.keyspaces[KS].tables).sort(),
      [...data.keyspaces.get(KS)!.tables.keys()].sort(),
    );
  });

  it("getClusterData sees DDL run by the same session at once", async () => {
    await admin.execute(`ALTER TABLE ${KS}.items ADD extra list<int>`);
    const cols = admin.getClusterData().keyspaces.get(KS)?.tables.get("items")?.columns;
    assert.equal(cols?.find((c) => c.name === "extra")?.type, "list<int>");
    await admin.execute(`CREATE TABLE ${KS}.late (k text PRIMARY KEY)`);
    assert.ok(admin.getClusterData().keyspaces.get(KS)?.tables.has("late"));
  });

  it("a new session loads the existing schema", async () => {
    const s = await connect();
    try {
      const table = s.getClusterData().keyspaces.get(KS)?.tables.get("items");
      assert.deepEqual(table?.partitionKey, ["id"]);
    } finally {
      await s.close();
    }
  });

  it("close() makes later calls reject with ConnectionError", async () => {
    const s = await connect();
    await s.execute("SELECT now() FROM system.local");
    await s.close();
    await s.close(); // closing twice is harmless
    await assert.rejects(s.execute("SELECT now() FROM system.local"), ConnectionError);
    await assert.rejects(s.execute(`SELECT * FROM ${KS}.items WHERE id = ?`, [1]), ConnectionError);
    await assert.rejects(s.prepare("SELECT now() FROM system.local"), ConnectionError);
    await assert.rejects(s.useKeyspace(KS, false), ConnectionError);
    await assert.rejects(s.awaitSchemaAgreement(), ConnectionError);
    await assert.rejects(async () => {
      for await (const _ of s.iter("SELECT * FROM system.local")) break;
    }, ConnectionError);
  });

  it("`await using` closes the session at the end of the block", async () => {
    let outside: Session;
    {
      await using s = await connect();
      outside = s;
      const rs = await s.execute("SELECT release_version FROM system.local");
      assert.equal(rs.length, 1);
    }
    await assert.rejects(outside.execute("SELECT now() FROM system.local"), ConnectionError);
  });

  it("Symbol.asyncDispose closes the session", async () => {
    const s = await connect();
    await s[Symbol.asyncDispose]();
    await assert.rejects(s.execute("SELECT now() FROM system.local"), ConnectionError);
  });
});
