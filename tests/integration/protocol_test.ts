/**
 * Protocol versions against the real node: the driver offers v5 and Cassandra 5 accepts it
 * (the server's own `system_views.clients` says so), a pinned v4 is spoken as asked, and the
 * v5 segment layer carries values larger than one segment (128 KiB), with and without LZ4,
 * and the result-metadata id follows `ALTER TABLE … ADD`.
 *
 * Deno: `deno test -A tests/integration/protocol_test.ts`; Bun: `bun test --timeout 60000
 * tests/integration/protocol_test.ts`.
 * @module
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Query, type Session, type SessionBuilder } from "../../mod.ts";
import { connect as openSocket, type Connector, setConnector } from "../../src/runtime/mod.ts";
import { testProtocol } from "./env.ts";
import { connect, createKeyspace, dropKeyspace, plainBuilder, uniqueKeyspace } from "./helpers.ts";

/** Protocol versions the server reports for this driver's connections. */
async function serverSideVersions(s: Session): Promise<Set<number>> {
  const rs = await s.execute("SELECT protocol_version, driver_name FROM system_views.clients");
  const mine = rs.rowsTyped<{ protocol_version: number; driver_name: string | null }>()
    .filter((r) => r.driver_name === "rsylla");
  return new Set(mine.map((r) => r.protocol_version));
}

/**
 * Runs `body` with a session whose sockets count the bytes they receive: the runtime's own
 * sockets, wrapped by a connector installed for the time of `body`.
 */
async function withCountedBytes(
  builder: SessionBuilder,
  body: (s: Session, received: () => number) => Promise<void>,
): Promise<void> {
  let bytes = 0;
  const counting: Connector = (opts, handlers) => {
    setConnector(null);
    try {
      return openSocket(opts, {
        onData(chunk, length) {
          bytes += length;
          handlers.onData(chunk, length);
        },
        onClose: (e) => handlers.onClose(e),
      });
    } finally {
      setConnector(counting);
    }
  };
  setConnector(counting);
  try {
    const s = await connect(builder);
    try {
      await body(s, () => bytes);
    } finally {
      await s.close();
    }
  } finally {
    setConnector(null);
  }
}

describe("protocol versions (real node)", () => {
  const ks = uniqueKeyspace("proto");
  let session: Session;

  before(async () => {
    session = await connect();
    await createKeyspace(session, ks);
    await session.execute(`CREATE TABLE ${ks}.t (k int PRIMARY KEY, v text)`);
  });

  after(async () => {
    await dropKeyspace(session, ks);
    await session?.close();
  });

  it("negotiates the highest version both speak (v5 on Cassandra 5) unless pinned", async () => {
    const expected = testProtocol() ?? 5;
    assert.equal(session.protocolVersion, expected);
    assert.ok((await serverSideVersions(session)).has(expected), "the server sees it too");
  });

  it("speaks v4 when pinned, and the server sees v4 connections", async () => {
    const v4 = await connect(plainBuilder().protocolVersion(4));
    try {
      assert.equal(v4.protocolVersion, 4);
      assert.ok((await serverSideVersions(v4)).has(4));
      const rs = await v4.execute("SELECT release_version FROM system.local");
      assert.match(String(rs.firstRow()?.get(0)), /^5\./);
    } finally {
      await v4.close();
    }
  });

  for (const compression of [null, "lz4"] as const) {
    it(`carries a 300 KiB value across several segments (compression ${compression})`, async () => {
      const s = await connect(plainBuilder().compression(compression));
      try {
        // Not all-one-byte: LZ4 would shrink that below one segment.
        const big = Array.from(
          { length: 300_000 },
          (_, i) => String.fromCharCode(33 + (i * 7919) % 90),
        )
          .join("");
        const k = compression === null ? 1 : 2;
        await s.execute(`INSERT INTO ${ks}.t (k, v) VALUES (?, ?)`, [k, big]);
        const row = (await s.execute(`SELECT v FROM ${ks}.t WHERE k = ?`, [k])).singleRow();
        assert.equal(row.get("v"), big);
      } finally {
        await s.close();
      }
    });
  }

  it("a prepared SELECT * sees a column added after it was prepared", async () => {
    await session.execute(`CREATE TABLE ${ks}.grow (k int PRIMARY KEY, a int)`);
    await session.execute(`INSERT INTO ${ks}.grow (k, a) VALUES (1, 10)`);
    const ps = await session.prepare(`SELECT * FROM ${ks}.grow WHERE k = ?`);
    assert.deepEqual((await session.executePrepared(ps, [1])).singleRow().asObject(), {
      k: 1,
      a: 10,
    });
    await session.execute(`ALTER TABLE ${ks}.grow ADD b text`);
    await session.execute(`UPDATE ${ks}.grow SET b = 'new' WHERE k = 1`);
    for (let i = 0; i < 3; i++) {
      const rs = await session.executePrepared(ps, [1]);
      assert.deepEqual(rs.colSpecs().map((c) => c.name), ["k", "a", "b"]);
      assert.deepEqual(rs.singleRow().asObject(), { k: 1, a: 10, b: "new" });
    }
  });

  it("v5: a prepared SELECT's answers leave the columns out; v4 (no metadata id) keeps them", async () => {
    const names = ["a_column_with_a_long_name_number_one", "a_column_with_a_long_name_number_two"];
    await session.execute(
      `CREATE TABLE ${ks}.wide (k int PRIMARY KEY, ${names.map((n) => `${n} int`).join(", ")})`,
    );
    await session.execute(`INSERT INTO ${ks}.wide (k, ${names.join(", ")}) VALUES (1, 10, 20)`);
    const namesBytes = names.join("").length;
    const perAnswer: Record<number, number> = {};
    for (const version of [5, 4] as const) {
      await withCountedBytes(plainBuilder().protocolVersion(version), async (s, received) => {
        const ps = await s.prepare(`SELECT * FROM ${ks}.wide WHERE k = ?`);
        await s.executePrepared(ps, [1]);
        const before = received();
        for (let i = 0; i < 10; i++) {
          const row = (await s.executePrepared(ps, [1])).singleRow().asObject();
          assert.deepEqual(row, { k: 1, [names[0]]: 10, [names[1]]: 20 });
        }
        perAnswer[version] = (received() - before) / 10;
      });
    }
    // A v5 answer is smaller than its column names alone; a v4 one carries them every time.
    assert.ok(perAnswer[5] < namesBytes, `v5: ${perAnswer[5]} bytes per answer`);
    assert.ok(perAnswer[4] > namesBytes, `v4: ${perAnswer[4]} bytes per answer`);
  });

  it("v5: Query.withKeyspace runs in that keyspace without USE, prepared or not", async () => {
    const v5 = await connect(plainBuilder().protocolVersion(5));
    try {
      assert.equal(v5.getKeyspace(), null);
      await v5.query(new Query("INSERT INTO t (k, v) VALUES (11, 'ks')").withKeyspace(ks));
      const plain = await v5.query(new Query("SELECT v FROM t WHERE k = 11").withKeyspace(ks));
      assert.equal(plain.singleRow().get("v"), "ks");
      const bound = await v5.query(
        new Query("SELECT v FROM t WHERE k = ?").withKeyspace(ks),
        [11],
      );
      assert.equal(bound.singleRow().get("v"), "ks");
      assert.equal(v5.getKeyspace(), null, "the session's keyspace did not change");
    } finally {
      await v5.close();
    }
  });

  it("v4: Query.withKeyspace is a TypeError before anything is sent", async () => {
    const v4 = await connect(plainBuilder().protocolVersion(4));
    try {
      await assert.rejects(
        v4.query(new Query("SELECT v FROM t WHERE k = 11").withKeyspace(ks)),
        { name: "TypeError", message: /needs protocol v5; this session speaks v4/ },
      );
    } finally {
      await v4.close();
    }
  });
});
