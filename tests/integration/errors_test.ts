// Server errors against a real node, each mapped to its ScyllaError subclass with the CQL
// error code and the details the protocol carries; the session keeps working after each.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AlreadyExistsError,
  Batch,
  ConfigurationError,
  CqlSyntaxError,
  InvalidQueryError,
  ProtocolError,
  Query,
  ReadFailureError,
  ScyllaError,
  type Session,
  UnauthorizedError,
} from "../../mod.ts";
import { connect, createKeyspace, dropKeyspace, uniqueKeyspace } from "./helpers.ts";

const KS = uniqueKeyspace("errors");

type ErrorClass = abstract new (...args: never[]) => ScyllaError;

/** Checks class, code and the common shape of a server error; returns it for more checks. */
async function expectError<E extends ScyllaError>(
  p: Promise<unknown>,
  cls: ErrorClass & { prototype: E },
  code: number,
  message?: RegExp,
): Promise<E> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, `expected ${cls.name}, but it resolved`);
  assert.ok(caught instanceof cls, `expected ${cls.name}, got ${caught}`);
  assert.ok(caught instanceof ScyllaError);
  assert.ok(caught instanceof Error);
  assert.equal(caught.code, code, `code of ${caught}`);
  assert.equal(caught.name, cls.name);
  assert.ok(caught.message.length > 0);
  if (message) assert.match(caught.message, message);
  assert.ok(String(caught).includes(cls.name), String(caught));
  return caught as E;
}

describe("server errors", () => {
  let s: Session;

  before(async () => {
    s = await connect();
    await createKeyspace(s, KS);
    await s.execute(`CREATE TABLE ${KS}.t (id int PRIMARY KEY, n int, v text)`);
    await s.execute(`CREATE TABLE ${KS}.tomb (pk int, ck int, PRIMARY KEY (pk, ck))`);
  });

  after(async () => {
    await dropKeyspace(s, KS);
    await s?.close();
  });

  it("a syntax error is a CqlSyntaxError (0x2000)", async () => {
    await expectError(s.execute("SELEKT * FROM system.local"), CqlSyntaxError, 0x2000);
    await expectError(s.prepare("SELECT * FROM"), CqlSyntaxError, 0x2000);
    await expectError(s.execute("INSERT INTO t VALUES (?)", [1]), CqlSyntaxError, 0x2000);
  });

  it("an unknown keyspace or table is an InvalidQueryError (0x2200)", async () => {
    const missingKs = `${KS}_missing`;
    await expectError(
      s.execute(`SELECT * FROM ${missingKs}.t`),
      InvalidQueryError,
      0x2200,
      new RegExp(missingKs),
    );
    await expectError(
      s.execute(`SELECT * FROM ${KS}.missing`),
      InvalidQueryError,
      0x2200,
      /missing/,
    );
    // With values the statement is prepared first; the same error comes back.
    await expectError(
      s.execute(`SELECT * FROM ${KS}.missing WHERE id = ?`, [1]),
      InvalidQueryError,
      0x2200,
    );
    await expectError(s.prepare(`SELECT * FROM ${KS}.missing`), InvalidQueryError, 0x2200);
    await expectError(s.execute("SELECT * FROM no_keyspace_given"), InvalidQueryError, 0x2200);
  });

  it("a value the server cannot accept is an InvalidQueryError", async () => {
    // A string literal for an int column: rejected by the node, not the driver.
    await expectError(
      s.execute(`INSERT INTO ${KS}.t (id, n) VALUES (1, 'abc')`),
      InvalidQueryError,
      0x2200,
      /\bn\b/,
    );
    await expectError(
      s.execute(`SELECT * FROM ${KS}.t WHERE id = ?`),
      InvalidQueryError,
      0x2200,
    );
    await expectError(
      s.execute("SELECT blobAsInt(0x01) FROM system.local"),
      InvalidQueryError,
      0x2200,
    );
    const rs = await s.execute(`SELECT * FROM ${KS}.t WHERE id = 1`);
    assert.equal(rs.length, 0, "nothing was written");
  });

  it("CREATE of an existing table or keyspace is an AlreadyExistsError with its names", async () => {
    const table = await expectError(
      s.execute(`CREATE TABLE ${KS}.t (id int PRIMARY KEY)`),
      AlreadyExistsError,
      0x2400,
    );
    assert.equal(table.keyspace, KS);
    assert.equal(table.table, "t");
    const ks = await expectError(
      s.execute(
        `CREATE KEYSPACE ${KS} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
      ),
      AlreadyExistsError,
      0x2400,
    );
    assert.equal(ks.keyspace, KS);
    assert.equal(ks.table, "");
    // IF NOT EXISTS is not an error.
    await s.execute(`CREATE TABLE IF NOT EXISTS ${KS}.t (id int PRIMARY KEY)`);
  });

  it("a bad keyspace configuration is a ConfigurationError (0x2300)", async () => {
    await expectError(
      s.execute(
        `CREATE KEYSPACE ${KS}_bad WITH replication = ` +
          `{'class': 'SimpleStrategy', 'replication_factor': -1}`,
      ),
      ConfigurationError,
      0x2300,
    );
  });

  it("changing a system keyspace is an UnauthorizedError (0x2100)", async () => {
    await expectError(
      s.execute("CREATE TABLE system.rsylla_nope (id int PRIMARY KEY)"),
      UnauthorizedError,
      0x2100,
    );
  });

  it("a paging state the node cannot read is a ProtocolError (0x000a)", async () => {
    const q = new Query("SELECT * FROM system.local").withPagingState(new Uint8Array([1, 2, 3]));
    await expectError(s.query(q), ProtocolError, 0x000a);
  });

  it("a read over too many tombstones is a ReadFailureError with its counts", async () => {
    // 101 000 deleted rows in one partition: over tombstone_failure_threshold (100 000).
    const b = new Batch("unlogged");
    for (let i = 0; i < 250; i++) {
      b.appendStatement(`DELETE FROM ${KS}.tomb WHERE pk = 1 AND ck = ?`);
    }
    const batches = 404;
    for (let j = 0; j < batches; j += 25) {
      await Promise.all(
        Array.from(
          { length: Math.min(25, batches - j) },
          (_, k) => s.batch(b, Array.from({ length: 250 }, (_, i) => [(j + k) * 250 + i])),
        ),
      );
    }
    const e = await expectError(
      s.query(new Query(`SELECT * FROM ${KS}.tomb WHERE pk = 1`).withConsistency("ONE")),
      ReadFailureError,
      0x1300,
    );
    assert.equal(e.consistency, "ONE");
    assert.equal(e.received, 0);
    assert.equal(e.blockFor, 1);
    assert.equal(e.numFailures, 1);
    assert.equal(e.dataPresent, false);
    assert.match(e.message, /\b1\b/);
  });

  it("the session keeps working after errors", async () => {
    await s.execute(`INSERT INTO ${KS}.t (id, n, v) VALUES (2, 2, 'fine')`);
    const rs = await s.execute(`SELECT v FROM ${KS}.t WHERE id = ?`, [2]);
    assert.equal(rs.singleRow().get("v"), "fine");
  });
});
