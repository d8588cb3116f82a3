import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Consistency,
  ConsistencyCode,
  consistencyCode,
  consistencyName,
} from "../../src/consistency.ts";
import { DEFAULT_STATEMENT_OPTIONS } from "../../src/statement/options.ts";
import { Query } from "../../src/statement/query.ts";
import { PreparedStatement } from "../../src/statement/prepared.ts";
import { PreparedMeta } from "../../src/statement/prepared_meta.ts";
import { Batch } from "../../src/statement/batch.ts";
import type { PreparedInfo } from "../../src/wire/metadata.ts";

// deno-lint-ignore no-explicit-any
type Loose = any;

const INFO: PreparedInfo = {
  id: new Uint8Array([0xca, 0xfe, 0xba, 0xbe]),
  resultMetadataId: null,
  bindColumns: [
    { keyspace: "ks", table: "t", name: "id", type: { kind: "native", name: "int" } },
    {
      keyspace: "ks",
      table: "t",
      name: "tags",
      type: { kind: "list", element: { kind: "native", name: "text" } },
    },
  ],
  pkIndexes: [0],
  resultColumns: [
    {
      keyspace: "ks",
      table: "t",
      name: "m",
      type: {
        kind: "map",
        key: { kind: "native", name: "text" },
        value: { kind: "native", name: "int" },
      },
    },
  ],
};

function prepared(): PreparedStatement {
  return new PreparedStatement(
    new PreparedMeta("SELECT m FROM ks.t WHERE id = ? AND tags = ?", INFO),
  );
}

describe("consistency", () => {
  it("maps every name to itself and to its v4 wire code", () => {
    const codes: Record<string, number> = {
      ANY: 0,
      ONE: 1,
      TWO: 2,
      THREE: 3,
      QUORUM: 4,
      ALL: 5,
      LOCAL_QUORUM: 6,
      EACH_QUORUM: 7,
      SERIAL: 8,
      LOCAL_SERIAL: 9,
      LOCAL_ONE: 10,
    };
    assert.deepEqual(Object.keys(Consistency).sort(), Object.keys(codes).sort());
    for (const [name, code] of Object.entries(codes)) {
      assert.equal((Consistency as Record<string, string>)[name], name);
      assert.equal((ConsistencyCode as Record<string, number>)[name], code);
      assert.equal(consistencyName(code), name);
    }
    assert.equal(Consistency.LOCAL_QUORUM, "LOCAL_QUORUM");
  });

  it("accepts regular names only as consistency and serial names only as serial", () => {
    assert.equal(consistencyCode("LOCAL_ONE", "consistency"), 0x0a);
    assert.equal(consistencyCode("LOCAL_SERIAL", "serial consistency"), 9);
    assert.throws(() => consistencyCode("SERIAL", "consistency"), {
      name: "RangeError",
      message: /invalid consistency "SERIAL"; valid names: ANY, ONE, .*LOCAL_ONE/,
    });
    assert.throws(() => consistencyCode("QUORUM", "serial consistency"), {
      name: "RangeError",
      message: /invalid serial consistency "QUORUM"; valid names: SERIAL, LOCAL_SERIAL$/,
    });
    assert.throws(() => consistencyCode("quorum"), RangeError);
    assert.throws(() => consistencyCode(4), /invalid consistency 4/);
  });

  it("names unknown codes instead of throwing", () => {
    assert.equal(consistencyName(0xff), "UNKNOWN(0x00ff)");
  });
});

describe("Query", () => {
  it("requires non-empty CQL text", () => {
    assert.throws(() => new Query(""), { name: "TypeError", message: /must not be empty/ });
    assert.throws(() => new Query("  \n"), TypeError);
    assert.throws(() => new Query(42 as Loose), /must be a string, got 42/);
  });

  it("starts with defaults and is not idempotent", () => {
    const q = new Query("SELECT 1 FROM system.local");
    assert.equal(q.getContents(), "SELECT 1 FROM system.local");
    assert.equal(q.isIdempotent(), false);
    assert.deepEqual({ ...q.options }, { ...DEFAULT_STATEMENT_OPTIONS });
    assert.equal(q.getConsistency(), null);
    assert.equal(q.getPageSize(), 5000);
    assert.equal(String(q), 'Query("SELECT 1 FROM system.local")');
  });

  it("setters mutate, return this and store wire-ready values", () => {
    const q = new Query("UPDATE t SET v = 1 WHERE k = 0 IF v = 0");
    const state = new Uint8Array([1, 2, 3]);
    const same = q.withConsistency("QUORUM").withSerialConsistency("LOCAL_SERIAL")
      .withPageSize(100).withTimestamp(1_700_000_000_000_000).withTimeout(250)
      .withTracing(true).withPagingState(state).setIdempotent(true);
    assert.equal(same, q);
    assert.deepEqual({ ...q.options }, {
      consistency: 4,
      serialConsistency: 9,
      pageSize: 100,
      timestamp: 1_700_000_000_000_000n,
      requestTimeout: 250,
      tracing: true,
      pagingState: new Uint8Array([1, 2, 3]),
      manualPaging: true,
      idempotent: true,
    });
    state[0] = 9; // the query kept its own copy
    assert.deepEqual(q.getPagingState(), new Uint8Array([1, 2, 3]));
    assert.equal(q.getConsistency(), "QUORUM");
    assert.equal(q.getSerialConsistency(), "LOCAL_SERIAL");
    assert.equal(q.getTimestamp(), 1_700_000_000_000_000n);
    assert.equal(q.getTimeout(), 250);
    assert.equal(q.getTracing(), true);
    assert.equal(q.isIdempotent(), true);
    q.withPagingState(null);
    assert.equal(q.options.pagingState, null);
  });

  it("rejects bad setter arguments with the right class and message", () => {
    const q = new Query("SELECT 1");
    const cases: [() => unknown, string, RegExp][] = [
      [() => q.withConsistency("SERIAL" as Loose), "RangeError", /invalid consistency "SERIAL"/],
      [() => q.withConsistency("FOO" as Loose), "RangeError", /valid names: ANY, ONE/],
      [() => q.withSerialConsistency("ONE" as Loose), "RangeError", /SERIAL, LOCAL_SERIAL/],
      [
        () => q.withPageSize(0),
        "RangeError",
        /page size must be an integer in 1\.\.2147483647, got 0/,
      ],
      [() => q.withPageSize(-5), "RangeError", /got -5/],
      [() => q.withPageSize(1.5), "RangeError", /got 1\.5/],
      [() => q.withPageSize(2 ** 31), "RangeError", /got 2147483648/],
      [() => q.withPageSize("10" as Loose), "TypeError", /page size must be a number, got "10"/],
      [() => q.withTimestamp(1.5), "RangeError", /safe integer/],
      [() => q.withTimestamp(2 ** 53), "RangeError", /safe integer/],
      [() => q.withTimestamp(1n << 63n), "RangeError", /64-bit/],
      [() => q.withTimestamp("1" as Loose), "TypeError", /bigint or a number/],
      [() => q.withTimeout(0), "RangeError", /timeout must be a finite number of ms/],
      [() => q.withTimeout(-1), "RangeError", /got -1/],
      [() => q.withTimeout(Infinity), "RangeError", /got Infinity/],
      [() => q.withTimeout(NaN), "RangeError", /got NaN/],
      [() => q.withTimeout(2 ** 31), "RangeError", /2147483647/],
      [() => q.withTimeout("5" as Loose), "TypeError", /timeout must be a number/],
      [() => q.withTracing(1 as Loose), "TypeError", /tracing must be a boolean, got 1/],
      [() => q.setIdempotent("yes" as Loose), "TypeError", /idempotent must be a boolean/],
      [() => q.withPagingState([1] as Loose), "TypeError", /Uint8Array or null/],
      [() => q.withPagingState(undefined as Loose), "TypeError", /got undefined/],
    ];
    for (const [fn, name, message] of cases) assert.throws(fn, { name, message });
    // Nothing was changed by the failed calls.
    assert.deepEqual({ ...q.options }, { ...DEFAULT_STATEMENT_OPTIONS });
  });

  it("accepts the extreme valid values", () => {
    const q = new Query("SELECT 1").withPageSize(2 ** 31 - 1).withTimestamp(-(2 ** 53) + 1)
      .withTimeout(0.5);
    assert.equal(q.getPageSize(), 2147483647);
    assert.equal(q.getTimestamp(), -(2n ** 53n) + 1n);
    q.withTimestamp(-(1n << 63n));
    assert.equal(q.getTimestamp(), -(1n << 63n));
  });
});

describe("PreparedStatement", () => {
  it("exposes id (a copy), text and column specs with CQL type text", () => {
    const p = prepared();
    assert.equal(p.getStatement(), "SELECT m FROM ks.t WHERE id = ? AND tags = ?");
    const id = p.getId();
    assert.deepEqual(id, new Uint8Array([0xca, 0xfe, 0xba, 0xbe]));
    id[0] = 0;
    assert.equal(p.getId()[0], 0xca);
    assert.deepEqual(p.bindColSpecs(), [
      { keyspace: "ks", table: "t", name: "id", type: "int" },
      { keyspace: "ks", table: "t", name: "tags", type: "list<text>" },
    ]);
    assert.deepEqual(p.resultColSpecs(), [
      { keyspace: "ks", table: "t", name: "m", type: "map<text, int>" },
    ]);
    assert.equal(p.info, INFO);
    assert.deepEqual(p.info.pkIndexes, [0]);
  });

  it("every setter returns a new statement and leaves the original unchanged", () => {
    const p = prepared();
    const before = { ...p.options };
    const derived: [PreparedStatement, Record<string, unknown>][] = [
      [p.withConsistency("ALL"), { consistency: 5 }],
      [p.withSerialConsistency("SERIAL"), { serialConsistency: 8 }],
      [p.withPageSize(7), { pageSize: 7 }],
      [p.withTimestamp(12n), { timestamp: 12n }],
      [p.withTimeout(99), { requestTimeout: 99 }],
      [p.withTracing(true), { tracing: true }],
      [
        p.withPagingState(new Uint8Array([5])),
        { pagingState: new Uint8Array([5]), manualPaging: true },
      ],
      [p.setIdempotent(true), { idempotent: true }],
    ];
    for (const [d, patch] of derived) {
      assert.notEqual(d, p);
      assert.ok(d instanceof PreparedStatement);
      assert.deepEqual({ ...d.options }, { ...before, ...patch });
      assert.equal(d.info, p.info, "derived statements share the prepared metadata");
      assert.equal(d.getStatement(), p.getStatement());
      assert.ok(Object.isFrozen(d.options));
    }
    assert.deepEqual({ ...p.options }, before);
    assert.equal(p.isIdempotent(), false);
    assert.equal(p.setIdempotent(true).isIdempotent(), true);
    assert.equal(p.getConsistency(), null);
  });

  it("chains settings across derived statements", () => {
    const d = prepared().withConsistency("LOCAL_ONE").withPageSize(10).setIdempotent(true);
    assert.equal(d.getConsistency(), "LOCAL_ONE");
    assert.equal(d.getPageSize(), 10);
    assert.equal(d.isIdempotent(), true);
    const back = d.setIdempotent(false);
    assert.equal(back.isIdempotent(), false);
    assert.equal(back.getConsistency(), "LOCAL_ONE");
  });

  it("freezes options given to the constructor without freezing the caller's object", () => {
    const opts = { ...DEFAULT_STATEMENT_OPTIONS, pageSize: 3 };
    const p = new PreparedStatement(new PreparedMeta("SELECT 1", INFO), opts);
    opts.pageSize = 4;
    assert.equal(p.getPageSize(), 3);
    assert.equal(Object.isFrozen(opts), false);
  });

  it("rejects bad setter arguments like Query does", () => {
    const p = prepared();
    assert.throws(() => p.withConsistency("LOCAL_SERIAL" as Loose), RangeError);
    assert.throws(() => p.withSerialConsistency("ALL" as Loose), /LOCAL_SERIAL/);
    assert.throws(() => p.withPageSize(0), RangeError);
    assert.throws(() => p.withTimestamp(0.1), RangeError);
    assert.throws(() => p.withTimeout(-3), RangeError);
    assert.throws(() => p.withTracing(null as Loose), TypeError);
    assert.throws(() => p.setIdempotent(0 as Loose), TypeError);
    assert.throws(() => p.withPagingState("abc" as Loose), TypeError);
    assert.throws(() => new PreparedStatement(new PreparedMeta("", INFO)), TypeError);
  });
});

describe("Batch", () => {
  it("validates the type and exposes its wire code", () => {
    assert.equal(new Batch().type, "logged");
    assert.equal(new Batch().typeCode, 0);
    assert.equal(new Batch("unlogged").typeCode, 1);
    assert.equal(new Batch("counter").typeCode, 2);
    assert.throws(() => new Batch("LOGGED" as Loose), {
      name: "RangeError",
      message: 'invalid batch type "LOGGED"; valid types: logged, unlogged, counter',
    });
    assert.throws(() => new Batch("toString" as Loose), RangeError);
    assert.throws(() => new Batch(null as Loose), RangeError);
  });

  it("collects statements of the three kinds in order", () => {
    const q = new Query("INSERT INTO t (k) VALUES (?)");
    const p = prepared();
    const b = new Batch("unlogged");
    assert.equal(b.statementsCount(), 0);
    assert.equal(
      b.appendStatement("DELETE FROM t WHERE k = ?").appendQuery(q).appendPrepared(p),
      b,
    );
    assert.equal(b.statementsCount(), 3);
    assert.deepEqual(b.statements.map((e) => e.kind), ["text", "query", "prepared"]);
    const [text, query, prep] = b.statements;
    assert.equal(text.kind === "text" && text.cql, "DELETE FROM t WHERE k = ?");
    assert.equal(query.kind === "query" && query.query, q);
    assert.equal(prep.kind === "prepared" && prep.prepared, p);
    assert.equal(String(b), "Batch(unlogged, 3 statements)");
  });

  it("rejects wrong statements", () => {
    const b = new Batch();
    assert.throws(() => b.appendStatement(""), TypeError);
    assert.throws(() => b.appendQuery("SELECT 1" as Loose), /appendQuery expects a Query/);
    assert.throws(() => b.appendPrepared(new Query("x") as Loose), /expects a PreparedStatement/);
    assert.equal(b.statementsCount(), 0);
  });

  it("setters mutate and return this; isIdempotent is false until set", () => {
    const b = new Batch();
    assert.equal(b.isIdempotent(), false);
    assert.equal(
      b.withConsistency("EACH_QUORUM").withSerialConsistency("SERIAL").withTimestamp(5)
        .withTimeout(1000).withTracing(true).setIdempotent(true),
      b,
    );
    assert.equal(b.options.consistency, 7);
    assert.equal(b.options.serialConsistency, 8);
    assert.equal(b.options.timestamp, 5n);
    assert.equal(b.options.requestTimeout, 1000);
    assert.equal(b.options.tracing, true);
    assert.equal(b.isIdempotent(), true);
    assert.equal(b.getConsistency(), "EACH_QUORUM");
  });

  it("rejects bad setter arguments", () => {
    const b = new Batch();
    assert.throws(() => b.withConsistency("SERIAL" as Loose), RangeError);
    assert.throws(() => b.withSerialConsistency("ONE" as Loose), RangeError);
    assert.throws(() => b.withTimestamp(Number.NaN), RangeError);
    assert.throws(() => b.withTimeout(0), RangeError);
    assert.throws(() => b.withTracing("on" as Loose), TypeError);
    assert.throws(() => b.setIdempotent(undefined as Loose), TypeError);
  });
});

describe("Query.withKeyspace (protocol v5)", () => {
  it("stores the keyspace in the options record and rejects a non-string or empty name", () => {
    const q = new Query("SELECT * FROM t").withKeyspace("shop");
    assert.equal(q.getKeyspace(), "shop");
    assert.equal(q.options.keyspace, "shop");
    assert.equal(new Query("SELECT 1").getKeyspace(), null);
    assert.throws(() => new Query("SELECT 1").withKeyspace(""), {
      name: "TypeError",
      message: /keyspace must be a non-empty string/,
    });
    assert.throws(() => new Query("SELECT 1").withKeyspace(7 as unknown as string), TypeError);
  });
});
