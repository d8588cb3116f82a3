/**
 * The boundary of `@rsylla/rsylla/compat`: rsylla's errors mapped to
 * `cassandra-driver`'s classes, names and `code`s (compared with the real
 * package, a devDependency), values bound through the facade turned into the
 * driver's own forms, and decoded values turned into `Long`, `Uuid`, … by
 * column type.
 * @module
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import cassandra from "cassandra-driver";
import * as compat from "../../src/compat/mod.ts";
import { fromNative, paramsToNative, toNative } from "../../src/compat/convert.ts";
import { builderFor } from "../../src/compat/client_options.ts";
import { toCompatError } from "../../src/compat/errors.ts";
import { toRows } from "../../src/compat/result_set.ts";
import * as rs from "../../src/errors.ts";
import { parseType } from "../../src/wire/cql_type_text.ts";
import type { UdtType } from "../../src/wire/cql_type.ts";

const { types } = compat;

describe("compat errors", () => {
  it("the errors namespace has cassandra-driver's classes, names, info and hierarchy", () => {
    const theirs = cassandra.errors as unknown as Record<string, new (...a: never[]) => Error>;
    for (const [name, Ours] of Object.entries(compat.errors)) {
      assert.ok(name in theirs, name);
      const args: Record<string, unknown[]> = {
        NoHostAvailableError: [{}],
        ResponseError: [0x2200, "m"],
      };
      const a = new (Ours as unknown as new (...x: unknown[]) => compat.DriverError)(
        ...(args[name] ?? ["m"]),
      );
      const b = new (theirs[name] as unknown as new (...x: unknown[]) => Error & { info: string })(
        ...(args[name] ?? ["m"]),
      );
      assert.equal(a.name, b.name, name);
      assert.ok(a instanceof compat.DriverError && a instanceof Error, name);
      if (name !== "BusyConnectionError") assert.equal(a.info, b.info, `${name}.info`);
    }
    const e = new compat.ResponseError(types.responseErrorCodes.invalid, "bad");
    assert.equal(e.code, new cassandra.errors.ResponseError(0x2200, "bad").code);
  });

  it("server errors become ResponseError with the code and cassandra-driver's detail names", () => {
    const cases: [rs.ScyllaError, number, Record<string, unknown>][] = [
      [new rs.CqlSyntaxError("syntax", { code: 0x2000 }), 0x2000, {}],
      [new rs.InvalidQueryError("invalid", { code: 0x2200 }), 0x2200, {}],
      [new rs.UnauthorizedError("no", { code: 0x2100 }), 0x2100, {}],
      [new rs.OverloadedError("busy", { code: 0x1001 }), 0x1001, {}],
      [new rs.ServerError("oops", { code: 0 }), 0, {}],
      [
        new rs.UnavailableError("unavail", { consistency: "QUORUM", required: 2, alive: 1 }),
        types.responseErrorCodes.unavailableException,
        { consistencies: types.consistencies.quorum, required: 2, alive: 1 },
      ],
      [
        new rs.ReadTimeoutError("rt", {
          consistency: "LOCAL_ONE",
          received: 0,
          blockFor: 1,
          dataPresent: false,
        }),
        types.responseErrorCodes.readTimeout,
        { consistencies: types.consistencies.localOne, received: 0, blockFor: 1, isDataPresent: 0 },
      ],
      [
        new rs.WriteTimeoutError("wt", {
          consistency: "ALL",
          received: 1,
          blockFor: 3,
          writeType: "BATCH_LOG",
        }),
        types.responseErrorCodes.writeTimeout,
        {
          consistencies: types.consistencies.all,
          received: 1,
          blockFor: 3,
          writeType: "BATCH_LOG",
        },
      ],
      [
        new rs.ReadFailureError("rf", {
          consistency: "ONE",
          received: 0,
          blockFor: 1,
          numFailures: 1,
          dataPresent: true,
        }),
        types.responseErrorCodes.readFailure,
        { consistencies: 1, failures: 1, isDataPresent: 1 },
      ],
      [
        new rs.AlreadyExistsError("exists", { keyspace: "ks", table: "t" }),
        types.responseErrorCodes.alreadyExists,
        { keyspace: "ks", table: "t" },
      ],
      [
        new rs.FunctionFailureError("ff", { keyspace: "ks", functionName: "f", argTypes: ["int"] }),
        types.responseErrorCodes.functionFailure,
        { keyspace: "ks", functionName: "f", argTypes: ["int"] },
      ],
      [
        new rs.UnpreparedError("unprepared", new Uint8Array([1, 2])),
        types.responseErrorCodes.unprepared,
        { queryId: new Uint8Array([1, 2]) },
      ],
    ];
    for (const [err, code, details] of cases) {
      const out = toCompatError(err) as compat.ResponseError & Record<string, unknown>;
      assert.ok(out instanceof compat.ResponseError, err.name);
      assert.equal(out.name, "ResponseError");
      assert.equal(out.code, code, err.name);
      assert.equal(out.message, err.message);
      assert.equal(out.cause, err);
      for (const [k, v] of Object.entries(details)) assert.deepEqual(out[k], v, `${err.name}.${k}`);
    }
  });

  it("client-side failures: NoHostAvailableError, OperationTimedOutError, AuthenticationError", () => {
    const down = toCompatError(new rs.ConnectionError("refused"), ["10.0.0.1:9042"]);
    assert.ok(down instanceof compat.NoHostAvailableError);
    assert.ok(down.innerErrors["10.0.0.1:9042"] instanceof rs.ConnectionError);
    const late = toCompatError(new rs.RequestTimeoutError("late"));
    assert.ok(late instanceof compat.OperationTimedOutError);
    assert.equal(late.name, "OperationTimedOutError");
    const auth = toCompatError(new rs.AuthenticationError("bad creds", { code: 0x100 }), ["h"]);
    assert.ok(auth instanceof compat.NoHostAvailableError);
    assert.ok(auth.innerErrors.h instanceof compat.AuthenticationError);
    const proto = toCompatError(new rs.ProtocolError("garbled"));
    assert.ok(proto instanceof compat.DriverError && !(proto instanceof compat.ResponseError));
    const type = new TypeError("not mine");
    assert.equal(toCompatError(type), type);
    const already = new compat.ArgumentError("x");
    assert.equal(toCompatError(already), already);
  });
});

describe("compat values in: value classes to the driver's forms", () => {
  it("each class", () => {
    const uuid = "0b2e7d5c-6f9e-4d38-9a2f-1d2c3b4a5e6f";
    assert.equal(toNative(types.Long.fromString("-9223372036854775808")), -(2n ** 63n));
    assert.equal(toNative(types.Uuid.fromString(uuid)), uuid);
    assert.equal(toNative(types.TimeUuid.fromString(uuid)), uuid);
    assert.equal(toNative(types.InetAddress.fromString("::ffff:1.2.3.4")), "::ffff:102:304");
    assert.equal(toNative(types.LocalDate.fromString("2024-02-29")), "2024-02-29");
    assert.equal(toNative(types.LocalTime.fromString("01:00:00.5")), 3_600_500_000_000n);
    assert.equal(toNative(types.BigDecimal.fromString("-12.3450")), "-12.3450");
    assert.deepEqual(toNative(new types.Duration(1, 2, 3)), {
      months: 1,
      days: 2,
      nanoseconds: 3n,
    });
    assert.deepEqual(toNative(new types.Tuple(types.Long.ONE, "a")), [1n, "a"]);
    const d = new Date(0), b = new Uint8Array([1]);
    assert.equal(toNative(d), d);
    assert.equal(toNative(b), b);
    for (const v of [null, undefined, 1, "s", true, 5n]) assert.equal(toNative(v), v);
  });

  it("inside arrays, sets, maps and UDT objects; params by position and by name", () => {
    const one = types.Long.ONE;
    assert.deepEqual(toNative([one, [one]]), [1n, [1n]]);
    assert.deepEqual(toNative(new Set([one])), [1n]);
    assert.deepEqual(toNative(new Map([[one, one]])), new Map([[1n, 1n]]));
    assert.deepEqual(toNative({ n: one, inner: { n: one } }), { n: 1n, inner: { n: 1n } });
    assert.deepEqual(paramsToNative([one, "x"]), [1n, "x"]);
    assert.deepEqual(paramsToNative({ id: one }), { id: 1n });
    assert.equal(paramsToNative(undefined), undefined);
    assert.equal(paramsToNative(null), undefined);
    assert.throws(() => paramsToNative("x"), TypeError);
  });
});

describe("compat values out: the driver's values to cassandra-driver's classes", () => {
  const t = (text: string) => parseType(text);

  it("by column type", () => {
    const uuid = "0b2e7d5c-6f9e-4d38-9a2f-1d2c3b4a5e6f";
    const long = fromNative(-5n, t("bigint"));
    assert.ok(long instanceof types.Long && long.toString() === "-5");
    assert.ok(fromNative(7n, t("counter")) instanceof types.Long);
    const u = fromNative(uuid, t("uuid"));
    assert.ok(u instanceof types.Uuid && !(u instanceof types.TimeUuid));
    assert.ok(
      fromNative("5b6962dd-3f90-11ef-9d6a-0242ac120002", t("timeuuid")) instanceof types.TimeUuid,
    );
    assert.equal(String(fromNative("::1", t("inet"))), "::1");
    assert.ok(fromNative("::1", t("inet")) instanceof types.InetAddress);
    assert.ok(fromNative("2024-02-29", t("date")) instanceof types.LocalDate);
    const time = fromNative(3_600_500_000_000n, t("time"));
    assert.ok(time instanceof types.LocalTime && time.toString() === "01:00:00.5");
    const dec = fromNative("-12.3450", t("decimal"));
    assert.ok(dec instanceof types.BigDecimal && dec.toString() === "-12.3450");
    const dur = fromNative({ months: 1, days: 2, nanoseconds: 3n }, t("duration"));
    assert.ok(dur instanceof types.Duration && dur.toString() === "1mo2d3ns");
    const varint = fromNative(123n, t("varint"));
    assert.ok(varint instanceof types.Integer && varint.toString() === "123");
    assert.equal(fromNative("x", t("text")), "x");
    assert.equal(fromNative(null, t("bigint")), null);
    assert.equal(fromNative(undefined, t("uuid")), null);
    const blob = fromNative(new Uint8Array([1, 2]), t("blob")) as Uint8Array;
    assert.deepEqual([...blob], [1, 2]);
    const B = (globalThis as { Buffer?: { isBuffer(v: unknown): boolean } }).Buffer;
    if (B) assert.ok(B.isBuffer(blob));
  });

  it("inside collections, tuples, UDTs and vectors", () => {
    const longs = fromNative([1n, 2n], t("list<bigint>")) as compat.Long[];
    assert.deepEqual(longs.map(String), ["1", "2"]);
    assert.ok(longs[0] instanceof types.Long);
    assert.deepEqual(fromNative(["a"], t("set<text>")), ["a"]);
    const m = fromNative(new Map([["k", 1n]]), t("map<text, bigint>")) as Record<string, unknown>;
    assert.ok(m.k instanceof types.Long);
    const tup = fromNative([1n, "::1"], t("tuple<bigint, inet>")) as compat.Tuple;
    assert.ok(tup instanceof types.Tuple);
    assert.ok(tup.get(0) instanceof types.Long && tup.get(1) instanceof types.InetAddress);
    const udt: UdtType = {
      kind: "udt",
      keyspace: "ks",
      name: "a",
      fields: [{ name: "n", type: t("bigint") }, { name: "ips", type: t("list<inet>") }],
    };
    const obj = fromNative({ n: 1n, ips: ["10.0.0.1"] }, udt) as Record<string, unknown>;
    assert.ok(obj.n instanceof types.Long);
    assert.ok((obj.ips as unknown[])[0] instanceof types.InetAddress);
    const f32 = new Float32Array([1, 2]);
    const fv = fromNative(f32, t("vector<float, 2>")) as compat.Vector;
    assert.ok(fv instanceof types.Vector && !(fv instanceof Float32Array));
    assert.deepEqual([...fv], [1, 2]);
    assert.equal(fv.getSubtype(), "float");
    const vl = fromNative([1n, 2n], t("vector<bigint, 2>")) as compat.Vector;
    assert.ok(vl[0] instanceof types.Long);
  });

  it("rows: one property per column, helpers not enumerable, round trip", () => {
    const columns = [
      { name: "id", type: { code: 0x0c, info: null } },
      { name: "n", type: { code: 0x02, info: null } },
    ];
    const rows = toRows(columns, [t("uuid"), t("bigint")], [
      { columns: () => ["0b2e7d5c-6f9e-4d38-9a2f-1d2c3b4a5e6f", 9007199254740993n] },
    ]);
    const row = rows[0];
    assert.deepEqual(Object.keys(row), ["id", "n"]);
    assert.ok(row.id instanceof types.Uuid);
    assert.equal(String(row.get("n")), "9007199254740993");
    assert.equal(row.get(1), row.n);
    assert.deepEqual(row.keys(), ["id", "n"]);
    assert.equal(row.values().length, 2);
    // What comes out goes back in unchanged.
    assert.deepEqual(paramsToNative(row.values()), [
      "0b2e7d5c-6f9e-4d38-9a2f-1d2c3b4a5e6f",
      9007199254740993n,
    ]);
    const set = new compat.ResultSet(rows, columns, new Uint8Array([0xab, 1]), {
      queriedHost: null,
      triedHosts: {},
      speculativeExecutions: 0,
      achievedConsistency: null,
      traceId: undefined,
      warnings: [],
      customPayload: undefined,
      isSchemaInAgreement: true,
    });
    assert.equal(set.pageState, "ab01");
    assert.equal(set.first(), row);
    assert.equal(set.rowLength, 1);
    assert.deepEqual([...set], rows);
    assert.equal(set.wasApplied(), true);
  });
});

describe("compat client defaults", () => {
  it("the default consistency is cassandra-driver's LOCAL_ONE; queryOptions.consistency overrides it", () => {
    const plain = builderFor({ contactPoints: ["127.0.0.1"], localDataCenter: "dc1" });
    assert.equal(plain.builder.toConfig().defaultConsistency, types.consistencies.localOne);
    const quorum = builderFor({
      contactPoints: ["127.0.0.1"],
      localDataCenter: "dc1",
      queryOptions: { consistency: types.consistencies.quorum },
    });
    assert.equal(quorum.builder.toConfig().defaultConsistency, types.consistencies.quorum);
  });
});
