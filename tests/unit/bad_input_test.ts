/**
 * Bad input from the caller, family by family: every `SessionBuilder` setter,
 * every `Query` / `PreparedStatement` / `Batch` setter, the policy
 * constructors, the shape of `Values`, and every CQL type's encoder, each fed
 * wrong types, NaN, ±Infinity, negatives, values too large, empty values,
 * unknown and missing names. Each row states the exact error class and the
 * full message the caller gets.
 *
 * "Nothing is sent": the binder and every encoder leave the writer exactly as
 * they found it, a failed setter leaves its object unchanged, and a `Session`
 * connected to a SIMULATED node (`fake_server.ts`, an in-process `node:net`
 * server — not ScyllaDB) receives no frame at all for a call rejected for bad
 * input.
 *
 * Deno: `deno test -A tests/unit/bad_input_test.ts`; Bun: `bun test tests/unit/bad_input_test.ts`.
 * @module
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Batch,
  ConstantSpeculativeExecutionPolicy,
  ExponentialReconnectPolicy,
  PreparedStatement,
  Query,
  type Session,
  SessionBuilder,
} from "../../mod.ts";
import { PreparedMeta } from "../../src/statement/prepared_meta.ts";
import { Writer } from "../../src/wire/bytes.ts";
import { writeBoundValues } from "../../src/wire/bind.ts";
import { encoderFor } from "../../src/wire/codec/index.ts";
import { type CqlType, nativeType } from "../../src/wire/cql_type.ts";
import { parseType } from "../../src/wire/cql_type_text.ts";
import type { ColumnSpec, PreparedInfo } from "../../src/wire/metadata.ts";
import { Opcode } from "../../src/wire/frame.ts";
import { Reader } from "../../src/wire/bytes.ts";
import { type FakeRequest, FakeServer, VOID_BODY } from "./fake_server.ts";
import { answerQuery } from "../sim/system_tables.ts";

// deno-lint-ignore no-explicit-any
type Loose = any;
type ErrorClass = TypeErrorConstructor | RangeErrorConstructor;

/** A readable rendering of an input for test names (never `[object Object]`). */
function show(v: unknown): string {
  if (typeof v === "string") {
    return v.length > 24 ? JSON.stringify(v.slice(0, 24)) + "…" : JSON.stringify(v);
  }
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "function") return "a function";
  if (v === null || typeof v !== "object") return String(v);
  if (Array.isArray(v)) return `[${v.map(show).join(", ")}]`;
  const name = (v as { constructor?: { name?: string } }).constructor?.name;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? "Invalid Date" : "a Date";
  if (name && name !== "Object") return `a ${name}`;
  return `{${Object.entries(v).map(([k, x]) => `${k}: ${show(x)}`).join(", ")}}`;
}

/** `fn` throws exactly `cls` (not a subclass, not a plain Error) with exactly `message`. */
function throwsExactly(fn: () => unknown, cls: ErrorClass, message: string | RegExp): unknown {
  let thrown: unknown = undefined;
  let threw = false;
  try {
    fn();
  } catch (e) {
    thrown = e;
    threw = true;
  }
  assert.ok(threw, `expected ${cls.name}: ${message}, but nothing was thrown`);
  const e = thrown as Error;
  assert.equal(
    e?.constructor,
    cls,
    `expected ${cls.name}, got ${e?.constructor?.name}: ${e?.message}`,
  );
  if (typeof message === "string") assert.equal(e.message, message);
  else assert.match(e.message, message);
  return e;
}

async function rejectsExactly(
  p: Promise<unknown>,
  cls: ErrorClass,
  message: string | RegExp,
): Promise<void> {
  let thrown: unknown = undefined;
  let threw = false;
  try {
    await p;
  } catch (e) {
    thrown = e;
    threw = true;
  }
  assert.ok(threw, `expected a rejection with ${cls.name}: ${message}`);
  const e = thrown as Error;
  assert.equal(e?.constructor, cls, `expected ${cls.name}, got ${e?.constructor?.name}: ${e}`);
  if (typeof message === "string") assert.equal(e.message, message);
  else assert.match(e.message, message);
}

const REGULAR = "ANY, ONE, TWO, THREE, QUORUM, ALL, LOCAL_QUORUM, EACH_QUORUM, LOCAL_ONE";
const SERIAL = "SERIAL, LOCAL_SERIAL";
const MAX_MS = 2147483647;

// ═══ SessionBuilder setters ═══

/** [setter call, inputs shown in the test name, class, full message]. */
type BuilderRow = [string, (b: SessionBuilder) => unknown, ErrorClass, string | RegExp];

const TIMEOUT_ROWS = (
  setter: "connectionTimeout" | "requestTimeout" | "schemaAgreementTimeout",
  what: string,
): BuilderRow[] => {
  const call = (v: unknown) => (b: SessionBuilder) => b[setter](v as number);
  const range = (v: string) => `${what} must be a finite number of ms in (0, ${MAX_MS}], got ${v}`;
  return [
    [`${setter}(0)`, call(0), RangeError, range("0")],
    [`${setter}(-1)`, call(-1), RangeError, range("-1")],
    [`${setter}(NaN)`, call(NaN), RangeError, range("NaN")],
    [`${setter}(Infinity)`, call(Infinity), RangeError, range("Infinity")],
    [`${setter}(-Infinity)`, call(-Infinity), RangeError, range("-Infinity")],
    [`${setter}(2^31)`, call(2 ** 31), RangeError, range("2147483648")],
    [`${setter}("1000")`, call("1000"), TypeError, `${what} must be a number of ms, got "1000"`],
    [`${setter}(1000n)`, call(1000n), TypeError, `${what} must be a number of ms, got 1000n`],
    [`${setter}(null)`, call(null), TypeError, `${what} must be a number of ms, got null`],
    [
      `${setter}(undefined)`,
      call(undefined),
      TypeError,
      `${what} must be a number of ms, got undefined`,
    ],
  ];
};

const BUILDER_ROWS: BuilderRow[] = [
  // knownNode / knownNodes
  ['knownNode("")', (b) => b.knownNode(""), TypeError, 'invalid contact point "": empty host'],
  [
    'knownNode("host:0")',
    (b) => b.knownNode("host:0"),
    TypeError,
    'invalid contact point "host:0": port must be an integer in 1..65535',
  ],
  [
    'knownNode("host:65536")',
    (b) => b.knownNode("host:65536"),
    TypeError,
    'invalid contact point "host:65536": port must be an integer in 1..65535',
  ],
  [
    'knownNode("host:-1")',
    (b) => b.knownNode("host:-1"),
    TypeError,
    'invalid contact point "host:-1": port must be an integer in 1..65535',
  ],
  [
    'knownNode("host:NaN")',
    (b) => b.knownNode("host:NaN"),
    TypeError,
    'invalid contact point "host:NaN": port must be an integer in 1..65535',
  ],
  [
    'knownNode("host:9042.5")',
    (b) => b.knownNode("host:9042.5"),
    TypeError,
    'invalid contact point "host:9042.5": port must be an integer in 1..65535',
  ],
  [
    'knownNode("::1")',
    (b) => b.knownNode("::1"),
    TypeError,
    'invalid contact point "::1": IPv6 addresses must be bracketed, e.g. "[::1]:9042"',
  ],
  [
    'knownNode("cql://h:9042")',
    (b) => b.knownNode("cql://h:9042"),
    TypeError,
    'invalid contact point (not shown: it may hold credentials): expected "host:port"',
  ],
  [
    "knownNode(9042)",
    (b) => b.knownNode(9042 as Loose),
    TypeError,
    'contact point must be a "host:port" string, got number',
  ],
  [
    "knownNode(undefined)",
    (b) => b.knownNode(undefined as Loose),
    TypeError,
    'contact point must be a "host:port" string, got undefined',
  ],
  [
    'knownNodes("a:1")',
    (b) => b.knownNodes("a:1" as Loose),
    TypeError,
    'knownNodes expects an array of "host:port", got string',
  ],
  [
    'knownNodes(new Set(["a:1"]))',
    (b) => b.knownNodes(new Set(["a:1"]) as Loose),
    TypeError,
    'knownNodes expects an array of "host:port", got object',
  ],
  [
    'knownNodes(["a:1", "b:x"])',
    (b) => b.knownNodes(["a:1", "b:x"]),
    TypeError,
    'invalid contact point "b:x": port must be an integer in 1..65535',
  ],
  [
    'knownNodes(["a:1", null])',
    (b) => b.knownNodes(["a:1", null as Loose]),
    TypeError,
    'contact point must be a "host:port" string, got object',
  ],
  // useKeyspace
  [
    'useKeyspace("", false)',
    (b) => b.useKeyspace("", false),
    TypeError,
    'keyspace name must be a non-empty string, got ""',
  ],
  [
    "useKeyspace(7, false)",
    (b) => b.useKeyspace(7 as Loose, false),
    TypeError,
    "keyspace name must be a non-empty string, got 7",
  ],
  [
    'useKeyspace("ks", "false")',
    (b) => b.useKeyspace("ks", "false" as Loose),
    TypeError,
    'caseSensitive must be a boolean, got "false"',
  ],
  [
    'useKeyspace("ks")',
    (b) => (b.useKeyspace as Loose)("ks"),
    TypeError,
    "caseSensitive must be a boolean, got undefined",
  ],
  // timeouts
  ...TIMEOUT_ROWS("connectionTimeout", "connection timeout"),
  ...TIMEOUT_ROWS("requestTimeout", "request timeout"),
  ...TIMEOUT_ROWS("schemaAgreementTimeout", "schema agreement timeout"),
  // poolSize
  ["poolSize(0)", (b) => b.poolSize(0), RangeError, "pool size must be a positive integer, got 0"],
  [
    "poolSize(-1)",
    (b) => b.poolSize(-1),
    RangeError,
    "pool size must be a positive integer, got -1",
  ],
  [
    "poolSize(1.5)",
    (b) => b.poolSize(1.5),
    RangeError,
    "pool size must be a positive integer, got 1.5",
  ],
  [
    "poolSize(NaN)",
    (b) => b.poolSize(NaN),
    RangeError,
    "pool size must be a positive integer, got NaN",
  ],
  [
    "poolSize(Infinity)",
    (b) => b.poolSize(Infinity),
    RangeError,
    "pool size must be a positive integer, got Infinity",
  ],
  [
    "poolSize(2^53)",
    (b) => b.poolSize(2 ** 53),
    RangeError,
    "pool size must be a positive integer, got 9007199254740992",
  ],
  [
    'poolSize("2")',
    (b) => b.poolSize("2" as Loose),
    TypeError,
    "pool size must be a number, got string",
  ],
  [
    "poolSize(2n)",
    (b) => b.poolSize(2n as Loose),
    TypeError,
    "pool size must be a number, got bigint",
  ],
  // user
  ['user("", "pw")', (b) => b.user("", "pw"), TypeError, "username must be a non-empty string"],
  [
    'user(42, "pw")',
    (b) => b.user(42 as Loose, "pw"),
    TypeError,
    "username must be a non-empty string",
  ],
  [
    'user("u", 1234)',
    (b) => b.user("u", 1234 as Loose),
    TypeError,
    "password must be a string, got number",
  ],
  [
    'user("u", null)',
    (b) => b.user("u", null as Loose),
    TypeError,
    "password must be a string, got object",
  ],
  [
    'user("u")',
    (b) => (b.user as Loose)("u"),
    TypeError,
    "password must be a string, got undefined",
  ],
  // compression
  [
    'compression("zstd")',
    (b) => b.compression("zstd" as Loose),
    RangeError,
    'invalid compression "zstd"; valid: "lz4", "snappy", null',
  ],
  [
    'compression("LZ4")',
    (b) => b.compression("LZ4" as Loose),
    RangeError,
    'invalid compression "LZ4"; valid: "lz4", "snappy", null',
  ],
  [
    'compression("")',
    (b) => b.compression("" as Loose),
    RangeError,
    'invalid compression ""; valid: "lz4", "snappy", null',
  ],
  [
    "compression(true)",
    (b) => b.compression(true as Loose),
    RangeError,
    'invalid compression true; valid: "lz4", "snappy", null',
  ],
  [
    "compression(undefined)",
    (b) => b.compression(undefined as Loose),
    RangeError,
    'invalid compression undefined; valid: "lz4", "snappy", null',
  ],
  // tcpNodelay / tcpKeepalive
  [
    "tcpNodelay(1)",
    (b) => b.tcpNodelay(1 as Loose),
    TypeError,
    "tcpNodelay must be a boolean, got 1",
  ],
  [
    'tcpNodelay("true")',
    (b) => b.tcpNodelay("true" as Loose),
    TypeError,
    'tcpNodelay must be a boolean, got "true"',
  ],
  [
    "tcpNodelay(undefined)",
    (b) => b.tcpNodelay(undefined as Loose),
    TypeError,
    "tcpNodelay must be a boolean, got undefined",
  ],
  [
    "tcpKeepalive(-1)",
    (b) => b.tcpKeepalive(-1),
    RangeError,
    "tcp keepalive must be a finite number of ms ≥ 0, got -1",
  ],
  [
    "tcpKeepalive(NaN)",
    (b) => b.tcpKeepalive(NaN),
    RangeError,
    "tcp keepalive must be a finite number of ms ≥ 0, got NaN",
  ],
  [
    "tcpKeepalive(Infinity)",
    (b) => b.tcpKeepalive(Infinity),
    RangeError,
    "tcp keepalive must be a finite number of ms ≥ 0, got Infinity",
  ],
  [
    'tcpKeepalive("1000")',
    (b) => b.tcpKeepalive("1000" as Loose),
    TypeError,
    "tcp keepalive must be a number of ms or null, got string",
  ],
  [
    "tcpKeepalive(undefined)",
    (b) => b.tcpKeepalive(undefined as Loose),
    TypeError,
    "tcp keepalive must be a number of ms or null, got undefined",
  ],
  // tls
  ['tls("yes")', (b) => b.tls("yes" as Loose), TypeError, "tls options must be an object"],
  ["tls([])", (b) => b.tls([] as Loose), TypeError, "tls options must be an object"],
  ["tls(true)", (b) => b.tls(true as Loose), TypeError, "tls options must be an object"],
  [
    'tls({ servername: "x" })',
    (b) => b.tls({ servername: "x" } as Loose),
    TypeError,
    'unknown tls option "servername"; valid: ca, cert, key, serverName, rejectUnauthorized',
  ],
  [
    "tls({ passphrase })",
    (b) => b.tls({ passphrase: "x" } as Loose),
    TypeError,
    'unknown tls option "passphrase"; valid: ca, cert, key, serverName, rejectUnauthorized',
  ],
  [
    "tls({ ca: 5 })",
    (b) => b.tls({ ca: 5 } as Loose),
    TypeError,
    "tls ca must be PEM text or bytes, or a non-empty array of them",
  ],
  [
    "tls({ ca: [] })",
    (b) => b.tls({ ca: [] }),
    TypeError,
    "tls ca must be PEM text or bytes, or a non-empty array of them",
  ],
  [
    'tls({ ca: ["pem", null] })',
    (b) => b.tls({ ca: ["pem", null] } as Loose),
    TypeError,
    "tls ca must be PEM text or bytes, or a non-empty array of them",
  ],
  [
    'tls({ cert: "C" })',
    (b) => b.tls({ cert: "C" }),
    TypeError,
    "tls cert and key must be given together",
  ],
  [
    'tls({ key: "K" })',
    (b) => b.tls({ key: "K" }),
    TypeError,
    "tls cert and key must be given together",
  ],
  [
    'tls({ cert: 5, key: "K" })',
    (b) => b.tls({ cert: 5, key: "K" } as Loose),
    TypeError,
    "tls cert must be PEM text or bytes",
  ],
  [
    'tls({ cert: "C", key: {} })',
    (b) => b.tls({ cert: "C", key: {} } as Loose),
    TypeError,
    "tls key must be PEM text or bytes",
  ],
  [
    'tls({ serverName: "" })',
    (b) => b.tls({ serverName: "" }),
    TypeError,
    "tls serverName must be a non-empty string",
  ],
  [
    "tls({ serverName: 1 })",
    (b) => b.tls({ serverName: 1 } as Loose),
    TypeError,
    "tls serverName must be a non-empty string",
  ],
  [
    'tls({ rejectUnauthorized: "false" })',
    (b) => b.tls({ rejectUnauthorized: "false" } as Loose),
    TypeError,
    "tls rejectUnauthorized must be a boolean",
  ],
  [
    "tls({ rejectUnauthorized: 0 })",
    (b) => b.tls({ rejectUnauthorized: 0 } as Loose),
    TypeError,
    "tls rejectUnauthorized must be a boolean",
  ],
  // localDatacenter
  [
    'localDatacenter("")',
    (b) => b.localDatacenter(""),
    TypeError,
    'local datacenter must be a non-empty string or null, got ""',
  ],
  [
    "localDatacenter(1)",
    (b) => b.localDatacenter(1 as Loose),
    TypeError,
    "local datacenter must be a non-empty string or null, got 1",
  ],
  [
    "localDatacenter(undefined)",
    (b) => b.localDatacenter(undefined as Loose),
    TypeError,
    "local datacenter must be a non-empty string or null, got undefined",
  ],
  // defaultConsistency
  [
    'defaultConsistency("SERIAL")',
    (b) => b.defaultConsistency("SERIAL" as Loose),
    RangeError,
    `invalid consistency "SERIAL"; valid names: ${REGULAR}`,
  ],
  [
    'defaultConsistency("quorum")',
    (b) => b.defaultConsistency("quorum" as Loose),
    RangeError,
    `invalid consistency "quorum"; valid names: ${REGULAR}`,
  ],
  [
    "defaultConsistency(4)",
    (b) => b.defaultConsistency(4 as Loose),
    RangeError,
    `invalid consistency 4; valid names: ${REGULAR}`,
  ],
  [
    "defaultConsistency(undefined)",
    (b) => b.defaultConsistency(undefined as Loose),
    RangeError,
    `invalid consistency undefined; valid names: ${REGULAR}`,
  ],
  // policies and logger
  [
    "retryPolicy(5)",
    (b) => b.retryPolicy(5 as Loose),
    TypeError,
    "retry policy must be an object or null, got 5",
  ],
  [
    'retryPolicy("default")',
    (b) => b.retryPolicy("default" as Loose),
    TypeError,
    'retry policy must be an object or null, got "default"',
  ],
  [
    "retryPolicy(undefined)",
    (b) => b.retryPolicy(undefined as Loose),
    TypeError,
    "retry policy must be an object or null, got undefined",
  ],
  [
    "speculativeExecution(100)",
    (b) => b.speculativeExecution(100 as Loose),
    TypeError,
    "speculative execution policy must be an object or null, got 100",
  ],
  [
    "reconnectPolicy(true)",
    (b) => b.reconnectPolicy(true as Loose),
    TypeError,
    "reconnect policy must be an object or null, got true",
  ],
  [
    'logger("console")',
    (b) => b.logger("console" as Loose),
    TypeError,
    'logger must be a function or null, got "console"',
  ],
  [
    "logger(console)",
    (b) => b.logger(console as Loose),
    TypeError,
    /^logger must be a function or null, got \[object (Object|console)\]$/,
  ],
];

describe("bad input: SessionBuilder setters", () => {
  /** A builder with every setting changed from its default, to see that nothing moves. */
  const configured = () =>
    new SessionBuilder().knownNode("10.0.0.1:9042").useKeyspace("ks", false)
      .connectionTimeout(1234).poolSize(3).user("app", "pw").compression("lz4")
      .tcpNodelay(false).tcpKeepalive(5000).tls({ ca: "CA", serverName: "db" })
      .localDatacenter("dc9").requestTimeout(4321).schemaAgreementTimeout(999)
      .defaultConsistency("ONE");

  for (const [call, fn, cls, message] of BUILDER_ROWS) {
    it(`${call} → ${cls.name}, builder unchanged`, () => {
      const b = configured();
      const before = JSON.stringify(b);
      const config = b.toConfig();
      throwsExactly(() => fn(b), cls, message);
      assert.equal(JSON.stringify(b), before, "the failed call changed the builder");
      assert.deepEqual(b.toConfig(), config);
    });
  }

  it("build() without a contact point rejects with a TypeError (nothing to connect to)", async () => {
    await rejectsExactly(
      new SessionBuilder().build(),
      TypeError,
      "no contact point: call knownNode() or knownNodes() before build()",
    );
  });

  // BUG (reported): the builder accepts a case-insensitive keyspace name that is not a plain
  // identifier; build() then rejects with this TypeError instead of the setter throwing it.
  it('useKeyspace("my ks", false) throws at once, not at build()', () => {
    throwsExactly(
      () => new SessionBuilder().useKeyspace("my ks", false),
      TypeError,
      'keyspace name "my ks" is not a plain identifier (letters, digits, _ up to 48); ' +
        "pass caseSensitive = true to use it quoted",
    );
  });

  // BUG (reported): an object without the policy's methods is accepted and only fails, with
  // "… is not a function", deep inside a request, a reconnect or a speculative execution.
  it("policy setters refuse objects that do not implement the policy", () => {
    const b = new SessionBuilder();
    throwsExactly(() => b.retryPolicy({} as Loose), TypeError, /retry policy.*decide/);
    throwsExactly(() => b.reconnectPolicy({} as Loose), TypeError, /reconnect policy.*delayMs/);
    throwsExactly(
      () => b.speculativeExecution({ delayMs: -1, maxExecutions: 0 } as Loose),
      RangeError,
      /speculative/,
    );
  });
});

// ═══ Policy constructors ═══

describe("bad input: policy constructors", () => {
  const rows: [string, () => unknown, ErrorClass, string][] = [
    [
      "ExponentialReconnectPolicy({ baseMs: 0 })",
      () => new ExponentialReconnectPolicy({ baseMs: 0 }),
      RangeError,
      "reconnect baseMs must be a positive number, got 0",
    ],
    [
      "ExponentialReconnectPolicy({ baseMs: -5 })",
      () => new ExponentialReconnectPolicy({ baseMs: -5 }),
      RangeError,
      "reconnect baseMs must be a positive number, got -5",
    ],
    [
      "ExponentialReconnectPolicy({ maxMs: NaN })",
      () => new ExponentialReconnectPolicy({ maxMs: NaN }),
      RangeError,
      "reconnect maxMs must be a positive number, got NaN",
    ],
    [
      "ExponentialReconnectPolicy({ maxMs: Infinity })",
      () => new ExponentialReconnectPolicy({ maxMs: Infinity }),
      RangeError,
      "reconnect maxMs must be a positive number, got Infinity",
    ],
    [
      "ExponentialReconnectPolicy({ baseMs: 100, maxMs: 50 })",
      () => new ExponentialReconnectPolicy({ baseMs: 100, maxMs: 50 }),
      RangeError,
      "reconnect baseMs 100 exceeds maxMs 50",
    ],
    [
      "ConstantSpeculativeExecutionPolicy(-1, 2)",
      () => new ConstantSpeculativeExecutionPolicy(-1, 2),
      RangeError,
      "speculative delay must be a finite number ≥ 0 ms, got -1",
    ],
    [
      "ConstantSpeculativeExecutionPolicy(NaN, 2)",
      () => new ConstantSpeculativeExecutionPolicy(NaN, 2),
      RangeError,
      "speculative delay must be a finite number ≥ 0 ms, got NaN",
    ],
    [
      "ConstantSpeculativeExecutionPolicy(Infinity, 2)",
      () => new ConstantSpeculativeExecutionPolicy(Infinity, 2),
      RangeError,
      "speculative delay must be a finite number ≥ 0 ms, got Infinity",
    ],
    [
      "ConstantSpeculativeExecutionPolicy(10, 0)",
      () => new ConstantSpeculativeExecutionPolicy(10, 0),
      RangeError,
      "maxExecutions must be an integer ≥ 1, got 0",
    ],
    [
      "ConstantSpeculativeExecutionPolicy(10, 1.5)",
      () => new ConstantSpeculativeExecutionPolicy(10, 1.5),
      RangeError,
      "maxExecutions must be an integer ≥ 1, got 1.5",
    ],
  ];
  for (const [call, fn, cls, message] of rows) {
    it(`${call} → ${cls.name}`, () => {
      throwsExactly(fn, cls, message);
    });
  }

  // BUG (reported): a number given as a string is refused with a RangeError whose message
  // shows a valid-looking number ("got 100"); wrong types are TypeErrors everywhere else.
  it('ConstantSpeculativeExecutionPolicy("100", 2) and baseMs: "5" are TypeErrors', () => {
    throwsExactly(
      () => new ConstantSpeculativeExecutionPolicy("100" as Loose, 2),
      TypeError,
      /must be a number.*got "100"|got string/,
    );
    throwsExactly(
      () => new ExponentialReconnectPolicy({ baseMs: "5" as Loose }),
      TypeError,
      /must be a number.*got "5"|got string/,
    );
  });
});

// ═══ Query / PreparedStatement / Batch setters ═══

const INFO: PreparedInfo = {
  id: new Uint8Array([1, 2, 3, 4]),
  resultMetadataId: null,
  bindColumns: [{ keyspace: "ks", table: "t", name: "k", type: nativeType("int") }],
  pkIndexes: [0],
  resultColumns: [],
};

type StatementLike = Query | PreparedStatement | Batch;
/** [setter call, call, class, message]; the same rows run on all three kinds of statement. */
type SetterRow = [string, (s: Loose) => unknown, ErrorClass, string];

const pageSize = (v: string) => `page size must be an integer in 1..${MAX_MS}, got ${v}`;
const timestampSafe = (v: string) =>
  `timestamp must be a safe integer number of microseconds (or a bigint), got ${v}`;
const timeout = (v: string) => `timeout must be a finite number of ms in (0, ${MAX_MS}], got ${v}`;

/** Setters every statement kind has. */
const COMMON_SETTER_ROWS: SetterRow[] = [
  [
    'withConsistency("one")',
    (s) => s.withConsistency("one"),
    RangeError,
    `invalid consistency "one"; valid names: ${REGULAR}`,
  ],
  [
    'withConsistency("SERIAL")',
    (s) => s.withConsistency("SERIAL"),
    RangeError,
    `invalid consistency "SERIAL"; valid names: ${REGULAR}`,
  ],
  [
    'withConsistency("")',
    (s) => s.withConsistency(""),
    RangeError,
    `invalid consistency ""; valid names: ${REGULAR}`,
  ],
  [
    "withConsistency(1)",
    (s) => s.withConsistency(1),
    RangeError,
    `invalid consistency 1; valid names: ${REGULAR}`,
  ],
  [
    "withConsistency(undefined)",
    (s) => s.withConsistency(undefined),
    RangeError,
    `invalid consistency undefined; valid names: ${REGULAR}`,
  ],
  [
    'withSerialConsistency("ONE")',
    (s) => s.withSerialConsistency("ONE"),
    RangeError,
    `invalid serial consistency "ONE"; valid names: ${SERIAL}`,
  ],
  [
    'withSerialConsistency("serial")',
    (s) => s.withSerialConsistency("serial"),
    RangeError,
    `invalid serial consistency "serial"; valid names: ${SERIAL}`,
  ],
  [
    "withSerialConsistency(null)",
    (s) => s.withSerialConsistency(null),
    RangeError,
    `invalid serial consistency null; valid names: ${SERIAL}`,
  ],
  ["withTimestamp(1.5)", (s) => s.withTimestamp(1.5), RangeError, timestampSafe("1.5")],
  ["withTimestamp(NaN)", (s) => s.withTimestamp(NaN), RangeError, timestampSafe("NaN")],
  [
    "withTimestamp(Infinity)",
    (s) => s.withTimestamp(Infinity),
    RangeError,
    timestampSafe("Infinity"),
  ],
  [
    "withTimestamp(2^53)",
    (s) => s.withTimestamp(2 ** 53),
    RangeError,
    timestampSafe("9007199254740992"),
  ],
  [
    "withTimestamp(2n ** 63n)",
    (s) => s.withTimestamp(2n ** 63n),
    RangeError,
    "timestamp must fit in a signed 64-bit integer, got 9223372036854775808n",
  ],
  [
    "withTimestamp(-(2n ** 63n) - 1n)",
    (s) => s.withTimestamp(-(2n ** 63n) - 1n),
    RangeError,
    "timestamp must fit in a signed 64-bit integer, got -9223372036854775809n",
  ],
  [
    'withTimestamp("1700000000000000")',
    (s) => s.withTimestamp("1700000000000000"),
    TypeError,
    'timestamp must be a bigint or a number of microseconds, got "1700000000000000"',
  ],
  [
    "withTimestamp(new Date())",
    (s) => s.withTimestamp(new Date()),
    TypeError,
    "timestamp must be a bigint or a number of microseconds, got [object Date]",
  ],
  [
    "withTimestamp(null)",
    (s) => s.withTimestamp(null),
    TypeError,
    "timestamp must be a bigint or a number of microseconds, got null",
  ],
  ["withTimeout(0)", (s) => s.withTimeout(0), RangeError, timeout("0")],
  ["withTimeout(-1)", (s) => s.withTimeout(-1), RangeError, timeout("-1")],
  ["withTimeout(NaN)", (s) => s.withTimeout(NaN), RangeError, timeout("NaN")],
  ["withTimeout(Infinity)", (s) => s.withTimeout(Infinity), RangeError, timeout("Infinity")],
  ["withTimeout(2^31)", (s) => s.withTimeout(2 ** 31), RangeError, timeout("2147483648")],
  [
    'withTimeout("1000")',
    (s) => s.withTimeout("1000"),
    TypeError,
    'timeout must be a number of ms, got "1000"',
  ],
  [
    "withTimeout(1000n)",
    (s) => s.withTimeout(1000n),
    TypeError,
    "timeout must be a number of ms, got 1000n",
  ],
  ["withTracing(1)", (s) => s.withTracing(1), TypeError, "tracing must be a boolean, got 1"],
  [
    'withTracing("true")',
    (s) => s.withTracing("true"),
    TypeError,
    'tracing must be a boolean, got "true"',
  ],
  ["withTracing()", (s) => s.withTracing(), TypeError, "tracing must be a boolean, got undefined"],
  [
    'setIdempotent("yes")',
    (s) => s.setIdempotent("yes"),
    TypeError,
    'idempotent must be a boolean, got "yes"',
  ],
  ["setIdempotent(0)", (s) => s.setIdempotent(0), TypeError, "idempotent must be a boolean, got 0"],
  [
    "setIdempotent(null)",
    (s) => s.setIdempotent(null),
    TypeError,
    "idempotent must be a boolean, got null",
  ],
];

/** Setters of `Query` and `PreparedStatement` only (a batch has no pages). */
const PAGED_SETTER_ROWS: SetterRow[] = [
  ["withPageSize(0)", (s) => s.withPageSize(0), RangeError, pageSize("0")],
  ["withPageSize(-1)", (s) => s.withPageSize(-1), RangeError, pageSize("-1")],
  ["withPageSize(1.5)", (s) => s.withPageSize(1.5), RangeError, pageSize("1.5")],
  ["withPageSize(NaN)", (s) => s.withPageSize(NaN), RangeError, pageSize("NaN")],
  ["withPageSize(Infinity)", (s) => s.withPageSize(Infinity), RangeError, pageSize("Infinity")],
  ["withPageSize(2^31)", (s) => s.withPageSize(2 ** 31), RangeError, pageSize("2147483648")],
  [
    'withPageSize("100")',
    (s) => s.withPageSize("100"),
    TypeError,
    'page size must be a number, got "100"',
  ],
  [
    "withPageSize(100n)",
    (s) => s.withPageSize(100n),
    TypeError,
    "page size must be a number, got 100n",
  ],
  [
    "withPageSize(null)",
    (s) => s.withPageSize(null),
    TypeError,
    "page size must be a number, got null",
  ],
  [
    'withPagingState("abc")',
    (s) => s.withPagingState("abc"),
    TypeError,
    'paging state must be a Uint8Array or null, got "abc"',
  ],
  [
    "withPagingState([1, 2])",
    (s) => s.withPagingState([1, 2]),
    TypeError,
    "paging state must be a Uint8Array or null, got [object Array]",
  ],
  [
    "withPagingState(new ArrayBuffer(2))",
    (s) => s.withPagingState(new ArrayBuffer(2)),
    TypeError,
    "paging state must be a Uint8Array or null, got [object ArrayBuffer]",
  ],
  [
    "withPagingState(undefined)",
    (s) => s.withPagingState(undefined),
    TypeError,
    "paging state must be a Uint8Array or null, got undefined",
  ],
];

/** What a statement looks like through its getters, to see a failed setter changed nothing. */
function snapshot(s: StatementLike): unknown {
  const x = s as Loose;
  return {
    consistency: x.getConsistency(),
    serial: x.getSerialConsistency?.() ?? "n/a",
    pageSize: x.getPageSize?.() ?? "n/a",
    timestamp: x.getTimestamp?.() ?? "n/a",
    timeout: x.getTimeout?.() ?? "n/a",
    tracing: x.getTracing?.() ?? "n/a",
    paging: x.getPagingState?.() ?? "n/a",
    idempotent: x.isIdempotent(),
    options: { ...x.options },
  };
}

describe("bad input: Query, PreparedStatement and Batch setters", () => {
  const kinds: [string, () => StatementLike, SetterRow[]][] = [
    [
      "Query",
      () => new Query("SELECT * FROM ks.t").withConsistency("ONE").withTimeout(500),
      [...COMMON_SETTER_ROWS, ...PAGED_SETTER_ROWS],
    ],
    [
      "PreparedStatement",
      () =>
        new PreparedStatement(new PreparedMeta("SELECT * FROM ks.t WHERE k = ?", INFO))
          .withConsistency("ONE")
          .withTimeout(500),
      [...COMMON_SETTER_ROWS, ...PAGED_SETTER_ROWS],
    ],
    [
      "Batch",
      () => new Batch("unlogged").appendStatement("INSERT").withConsistency("ONE").withTimeout(500),
      COMMON_SETTER_ROWS,
    ],
  ];
  for (const [kind, make, rows] of kinds) {
    describe(kind, () => {
      for (const [call, fn, cls, message] of rows) {
        it(`${kind}.${call} → ${cls.name}, statement unchanged`, () => {
          const s = make();
          const before = snapshot(s);
          throwsExactly(() => fn(s), cls, message);
          assert.deepEqual(snapshot(s), before);
        });
      }
    });
  }

  const constructors: [string, () => unknown, ErrorClass, string][] = [
    ['new Query("")', () => new Query(""), TypeError, "CQL statement must not be empty"],
    [
      'new Query(" \\n\\t")',
      () => new Query(" \n\t"),
      TypeError,
      "CQL statement must not be empty",
    ],
    [
      "new Query(42)",
      () => new Query(42 as Loose),
      TypeError,
      "CQL statement must be a string, got 42",
    ],
    [
      "new Query(undefined)",
      () => new Query(undefined as Loose),
      TypeError,
      "CQL statement must be a string, got undefined",
    ],
    [
      "new Query(new Query(…))",
      () => new Query(new Query("SELECT 1") as Loose),
      TypeError,
      "CQL statement must be a string, got [object Object]",
    ],
    [
      'new Batch("LOGGED")',
      () => new Batch("LOGGED" as Loose),
      RangeError,
      'invalid batch type "LOGGED"; valid types: logged, unlogged, counter',
    ],
    [
      'new Batch("")',
      () => new Batch("" as Loose),
      RangeError,
      'invalid batch type ""; valid types: logged, unlogged, counter',
    ],
    [
      "new Batch(0)",
      () => new Batch(0 as Loose),
      RangeError,
      "invalid batch type 0; valid types: logged, unlogged, counter",
    ],
    [
      "new Batch(null)",
      () => new Batch(null as Loose),
      RangeError,
      "invalid batch type null; valid types: logged, unlogged, counter",
    ],
    [
      'new Batch("toString")',
      () => new Batch("toString" as Loose),
      RangeError,
      'invalid batch type "toString"; valid types: logged, unlogged, counter',
    ],
  ];
  for (const [call, fn, cls, message] of constructors) {
    it(`${call} → ${cls.name}`, () => {
      throwsExactly(fn, cls, message);
    });
  }

  const appends: [string, (b: Batch) => unknown, ErrorClass, string][] = [
    [
      'appendStatement("")',
      (b) => b.appendStatement(""),
      TypeError,
      "CQL statement must not be empty",
    ],
    [
      "appendStatement(1)",
      (b) => b.appendStatement(1 as Loose),
      TypeError,
      "CQL statement must be a string, got 1",
    ],
    [
      'appendQuery("INSERT …")',
      (b) => b.appendQuery("INSERT INTO t (k) VALUES (1)" as Loose),
      TypeError,
      'appendQuery expects a Query, got "INSERT INTO t (k) VALUES (1)"',
    ],
    [
      "appendQuery(a PreparedStatement)",
      (b) => b.appendQuery(new PreparedStatement(new PreparedMeta("INSERT", INFO)) as Loose),
      TypeError,
      "appendQuery expects a Query, got [object Object]",
    ],
    [
      "appendPrepared(a Query)",
      (b) => b.appendPrepared(new Query("INSERT") as Loose),
      TypeError,
      "appendPrepared expects a PreparedStatement, got [object Object]",
    ],
    [
      "appendPrepared(null)",
      (b) => b.appendPrepared(null as Loose),
      TypeError,
      "appendPrepared expects a PreparedStatement, got null",
    ],
  ];
  for (const [call, fn, cls, message] of appends) {
    it(`Batch.${call} → ${cls.name}, nothing appended`, () => {
      const b = new Batch().appendStatement("INSERT INTO t (k) VALUES (1)");
      throwsExactly(() => fn(b), cls, message);
      assert.equal(b.statementsCount(), 1);
    });
  }

  it("Batch: the 65 536th statement → RangeError, the batch keeps 65 535", () => {
    const b = new Batch("unlogged");
    const q = new Query("INSERT INTO t (k) VALUES (1)");
    for (let i = 0; i < 65535; i++) b.appendQuery(q);
    throwsExactly(() => b.appendQuery(q), RangeError, "a batch holds at most 65535 statements");
    throwsExactly(
      () => b.appendStatement("INSERT"),
      RangeError,
      "a batch holds at most 65535 statements",
    );
    assert.equal(b.statementsCount(), 65535);
  });
});

// ═══ Values: shape, count and names ═══

function spec(name: string, type: string | CqlType): ColumnSpec {
  return {
    keyspace: "ks",
    table: "t",
    name,
    type: typeof type === "string" ? parseType(type) : type,
  };
}

const SPECS: readonly ColumnSpec[] = [
  spec("id", "int"),
  spec("name", "text"),
  spec("Tags", "list<int>"),
];
const NO_MARKERS: readonly ColumnSpec[] = [];

class Row3 {
  id = 1;
  name = "a";
  Tags = [];
}

/** Bytes in the writer before the values: the binder must leave them, and only them. */
const PREFIX = [0xde, 0xad, 0xbe, 0xef, 0x01];

function prefixedWriter(): Writer {
  return new Writer(8).writeRaw(new Uint8Array(PREFIX));
}

function assertUntouched(w: Writer): void {
  assert.equal(w.length, PREFIX.length, "the writer's length was not restored");
  assert.deepEqual([...w.toBytes()], PREFIX);
}

describe("bad input: the shape of Values (writeBoundValues)", () => {
  const rows: [string, readonly ColumnSpec[], unknown, ErrorClass, string][] = [
    ['"1, a"', SPECS, "1, a", TypeError, "values must be an Array or a plain object, got string"],
    ["42", SPECS, 42, TypeError, "values must be an Array or a plain object, got number"],
    ["null", SPECS, null, TypeError, "values must be an Array or a plain object, got null"],
    [
      "a Map",
      SPECS,
      new Map<string, unknown>([["id", 1], ["name", "a"], ["Tags", []]]),
      TypeError,
      "values must be an Array or a plain object, got Map",
    ],
    [
      "a class instance",
      SPECS,
      new Row3(),
      TypeError,
      "values must be an Array or a plain object, got Row3",
    ],
    [
      "a Set",
      SPECS,
      new Set([1, "a", []]),
      TypeError,
      "values must be an Array or a plain object, got Set",
    ],
    [
      "none (undefined)",
      SPECS,
      undefined,
      TypeError,
      "expected 3 values (one per bind marker), got none",
    ],
    ["[] for 3 markers", SPECS, [], TypeError, "expected 3 values (one per bind marker), got 0"],
    ["2 of 3", SPECS, [1, "a"], TypeError, "expected 3 values (one per bind marker), got 2"],
    ["4 of 3", SPECS, [1, "a", [], 4], TypeError, "expected 3 values (one per bind marker), got 4"],
    [
      "[1] for no markers",
      NO_MARKERS,
      [1],
      TypeError,
      "expected 0 values (one per bind marker), got 1",
    ],
    [
      "{ a: 1 } for no markers",
      NO_MARKERS,
      { a: 1 },
      TypeError,
      'unknown bind marker "a"; the statement has none',
    ],
    ["{} (missing all)", SPECS, {}, TypeError, 'missing value for bind marker "id"'],
    [
      "missing Tags",
      SPECS,
      { id: 1, name: "a" },
      TypeError,
      'missing value for bind marker "Tags"',
    ],
    [
      "an unknown name",
      SPECS,
      { id: 1, name: "a", Tags: [], extra: 2 },
      TypeError,
      'unknown bind marker "extra"; the statement has "id", "name", "Tags"',
    ],
    [
      'an empty name ""',
      SPECS,
      { "": 1, id: 1, name: "a", Tags: [] },
      TypeError,
      'unknown bind marker ""; the statement has "id", "name", "Tags"',
    ],
    [
      "the same name twice in two cases",
      SPECS,
      { id: 1, ID: 2, name: "a", Tags: [] },
      TypeError,
      'bind marker "id" is given twice (names ignore case)',
    ],
    [
      "a wrong value by position",
      SPECS,
      ["1", "a", []],
      TypeError,
      'column "id" (int): expected an integer number, got string',
    ],
    [
      "a wrong value by name (last marker)",
      SPECS,
      { id: 1, name: "a", tags: [1, 2 ** 31] },
      RangeError,
      'column "Tags" (list<int>) element 1: 2147483648 is out of range [-2147483648, 2147483647]',
    ],
  ];
  for (const [label, specs, values, cls, message] of rows) {
    it(`${label} → ${cls.name}, writer untouched`, () => {
      const w = prefixedWriter();
      throwsExactly(() => writeBoundValues(w, specs, values as Loose), cls, message);
      assertUntouched(w);
    });
  }

  it("more than 65 535 bind markers → RangeError", () => {
    const many = Array.from({ length: 65536 }, (_, i) => spec(`c${i}`, "int"));
    const w = prefixedWriter();
    throwsExactly(
      () => writeBoundValues(w, many, []),
      RangeError,
      "65536 bind markers exceed 65535",
    );
    assertUntouched(w);
  });

  it("after a failure the same writer encodes good values byte for byte like a fresh one", () => {
    const w = prefixedWriter();
    assert.throws(() => writeBoundValues(w, SPECS, [1, "x".repeat(5000), [1, "2"]]), TypeError);
    assertUntouched(w);
    writeBoundValues(w, SPECS, [7, "héllo", [1, 2]]);
    const fresh = prefixedWriter();
    writeBoundValues(fresh, SPECS, [7, "héllo", [1, 2]]);
    assert.deepEqual([...w.toBytes()], [...fresh.toBytes()]);
  });
});

// ═══ Every CQL type's encoder ═══

const UDT: CqlType = {
  kind: "udt",
  keyspace: "ks",
  name: "address",
  fields: [{ name: "street", type: nativeType("text") }, { name: "zip", type: nativeType("int") }],
};
const CUSTOM: CqlType = {
  kind: "custom",
  className: "org.apache.cassandra.db.marshal.DynamicCompositeType",
};

/** [input, class, problem]: the message is `column "c" (<type>)<where>: <problem>`. */
type ValueRow = [unknown, ErrorClass, string];
const T = TypeError, R = RangeError;

const INT_KIND = "expected an integer number, got";
const LONG_KIND = "expected a bigint or an integer number, got";
const UUID_KIND = 'expected a uuid string like "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", got';
const INET_KIND = "expected an IPv4 or IPv6 address string, got";
const DATE_KIND = 'expected a "YYYY-MM-DD" string or a Date, got';
const TIME_KIND =
  'expected a bigint, a number of nanoseconds or an "HH:MM:SS[.fffffffff]" string, got';
const INT_RANGE = "[-2147483648, 2147483647]";
const LONG_RANGE = "[-9223372036854775808, 9223372036854775807]";

const intRows = (min: number, max: number): ValueRow[] => [
  [max + 1, R, `${max + 1} is out of range [${min}, ${max}]`],
  [min - 1, R, `${min - 1} is out of range [${min}, ${max}]`],
  [1.5, R, "1.5 is not an integer"],
  [NaN, R, "NaN is not an integer"],
  [Infinity, R, "Infinity is not an integer"],
  [-Infinity, R, "-Infinity is not an integer"],
  [1n, T, `${INT_KIND} bigint`],
  ["1", T, `${INT_KIND} string`],
  [true, T, `${INT_KIND} boolean`],
  [[1], T, `${INT_KIND} Array`],
];

const longRows: ValueRow[] = [
  [2n ** 63n, R, `9223372036854775808 is out of range ${LONG_RANGE}`],
  [-(2n ** 63n) - 1n, R, `-9223372036854775809 is out of range ${LONG_RANGE}`],
  [2 ** 53, R, "9007199254740992 is not a safe integer; pass a bigint"],
  [-(2 ** 60), R, "-1152921504606846976 is not a safe integer; pass a bigint"],
  [1.5, R, "1.5 is not an integer"],
  [NaN, R, "NaN is not an integer"],
  [Infinity, R, "Infinity is not an integer"],
  ["1", T, `${LONG_KIND} string`],
  [new Date(0), T, `${LONG_KIND} Date`],
];

const VALUE_TABLE: [string, CqlType, ValueRow[]][] = [
  ["boolean", nativeType("boolean"), [
    [1, T, "expected a boolean, got number"],
    ["true", T, "expected a boolean, got string"],
    [0n, T, "expected a boolean, got bigint"],
    [{}, T, "expected a boolean, got Object"],
  ]],
  ["tinyint", nativeType("tinyint"), intRows(-128, 127)],
  ["smallint", nativeType("smallint"), intRows(-32768, 32767)],
  ["int", nativeType("int"), intRows(-2147483648, 2147483647)],
  ["bigint", nativeType("bigint"), longRows],
  ["counter", nativeType("counter"), longRows],
  ["varint", nativeType("varint"), [
    [1.5, R, "1.5 is not an integer"],
    [NaN, R, "NaN is not an integer"],
    [-Infinity, R, "-Infinity is not an integer"],
    [2 ** 60, R, "1152921504606846976 is not a safe integer; pass a bigint"],
    ["12", T, `${LONG_KIND} string`],
  ]],
  ["float", nativeType("float"), [
    ["1.5", T, "expected a number, got string"],
    [1n, T, "expected a number, got bigint"],
    [[1.5], T, "expected a number, got Array"],
  ]],
  ["double", nativeType("double"), [
    ["1.5", T, "expected a number, got string"],
    [1n, T, "expected a number, got bigint"],
    [new Number(1), T, "expected a number, got Number"],
  ]],
  ["decimal", nativeType("decimal"), [
    [NaN, R, "NaN is not a finite number"],
    [Infinity, R, "Infinity is not a finite number"],
    [-Infinity, R, "-Infinity is not a finite number"],
    ["", T, "expected a decimal string, got a malformed string"],
    [".", T, "expected a decimal string, got a malformed string"],
    ["1.2.3", T, "expected a decimal string, got a malformed string"],
    ["1e", T, "expected a decimal string, got a malformed string"],
    ["NaN", T, "expected a decimal string, got a malformed string"],
    ["12,5", T, "expected a decimal string, got a malformed string"],
    [
      "1e2147483649",
      R,
      "the exponent is out of range (scale -2147483649 does not fit an int)",
    ],
    [
      "1e-2147483648",
      R,
      "the exponent is out of range (scale 2147483648 does not fit an int)",
    ],
    [true, T, "expected a decimal string, a finite number or a bigint, got boolean"],
  ]],
  ["text", nativeType("text"), [
    [42, T, "expected a string, got number"],
    [new String("x"), T, "expected a string, got String"],
    [new Uint8Array([104, 105]), T, "expected a string, got Uint8Array"],
    ["\uD800", R, "contains an unpaired surrogate"],
    ["ab\uDC00cd", R, "contains an unpaired surrogate"],
    ["x".repeat(100) + "\uD83D", R, "contains an unpaired surrogate"],
  ]],
  ["ascii", nativeType("ascii"), [
    ["é", R, "contains a non-ASCII character at index 0"],
    ["abc€", R, "contains a non-ASCII character at index 3"],
    [65, T, "expected a string, got number"],
  ]],
  ["blob", nativeType("blob"), [
    ["cafe", T, "expected a Uint8Array, got string"],
    [[1, 2], T, "expected a Uint8Array, got Array"],
    [new Uint16Array(2), T, "expected a Uint8Array, got Uint16Array"],
    [new DataView(new ArrayBuffer(2)), T, "expected a Uint8Array, got DataView"],
  ]],
  ["uuid", nativeType("uuid"), [
    ["", T, `${UUID_KIND} a malformed string`],
    ["not-a-uuid", T, `${UUID_KIND} a malformed string`],
    ["6ba7b8109dad11d180b400c04fd430c8", T, `${UUID_KIND} a malformed string`],
    ["{6ba7b810-9dad-11d1-80b4-00c04fd430c8}", T, `${UUID_KIND} a malformed string`],
    ["6ba7b810-9dad-11d1-80b4-00c04fd430cg", T, `${UUID_KIND} a malformed string`],
    ["6ba7b810-9dad-11d1-80b4-00c04fd430c\u00e8", T, `${UUID_KIND} a malformed string`],
    [123, T, `${UUID_KIND} number`],
    [new Uint8Array(16), T, `${UUID_KIND} Uint8Array`],
  ]],
  ["timeuuid", nativeType("timeuuid"), [
    [
      "6ba7b810-9dad-41d1-80b4-00c04fd430c8",
      T,
      "expected a version 1 (time-based) uuid, got version 4",
    ],
    ["nope", T, `${UUID_KIND} a malformed string`],
  ]],
  ["inet", nativeType("inet"), [
    ["", T, `${INET_KIND} a malformed string`],
    ["256.1.1.1", T, `${INET_KIND} a malformed string`],
    ["1.2.3", T, `${INET_KIND} a malformed string`],
    ["01.2.3.4", T, `${INET_KIND} a malformed string`],
    ["::1::2", T, `${INET_KIND} a malformed string`],
    ["fe80::1%eth0", T, `${INET_KIND} a malformed string`],
    ["localhost", T, `${INET_KIND} a malformed string`],
    [0x7f000001, T, `${INET_KIND} number`],
  ]],
  ["timestamp", nativeType("timestamp"), [
    [new Date(NaN), R, "invalid Date"],
    [1.5, R, "1.5 is not an integer"],
    [NaN, R, "NaN is not an integer"],
    [Infinity, R, "Infinity is not an integer"],
    [2 ** 53, R, "9007199254740992 is not a safe integer; pass a bigint"],
    [2n ** 63n, R, `9223372036854775808 is out of range ${LONG_RANGE}`],
    [
      "2024-01-01T00:00:00Z",
      T,
      "expected a Date, an epoch-milliseconds number or a bigint, got string",
    ],
  ]],
  ["date", nativeType("date"), [
    ["2020-02-30", R, "day 30 is out of range [1, 29]"],
    ["2021-02-29", R, "day 29 is out of range [1, 28]"],
    ["2021-04-31", R, "day 31 is out of range [1, 30]"],
    ["2021-01-00", R, "day 0 is out of range [1, 31]"],
    ["2020-13-01", R, "month 13 is out of range [1, 12]"],
    ["2020-00-10", R, "month 0 is out of range [1, 12]"],
    ["+9999999-01-01", R, "the date is out of range [-5877641-06-23, +5881580-07-11]"],
    ["-9999999-01-01", R, "the date is out of range [-5877641-06-23, +5881580-07-11]"],
    ["2020-1-1", T, `${DATE_KIND} a malformed string`],
    ["", T, `${DATE_KIND} a malformed string`],
    ["2020-01-01T00:00:00Z", T, `${DATE_KIND} a malformed string`],
    [new Date(NaN), R, "invalid Date"],
    [18000, T, `${DATE_KIND} number`],
  ]],
  ["time", nativeType("time"), [
    [-1n, R, "-1 is out of range [0, 86399999999999]"],
    [-1, R, "-1 is out of range [0, 86399999999999]"],
    [86400000000000n, R, "86400000000000 is out of range [0, 86399999999999]"],
    [1.5, R, "1.5 is not an integer"],
    [NaN, R, "NaN is not an integer"],
    [Infinity, R, "Infinity is not an integer"],
    ["24:00:00", R, "hour 24 is out of range [0, 23]"],
    ["12:60:00", R, "minute 60 is out of range [0, 59]"],
    ["12:00:60", R, "second 60 is out of range [0, 59]"],
    ["1:00:00", T, `${TIME_KIND} a malformed string`],
    ["12:00:00.1234567890", T, `${TIME_KIND} a malformed string`],
    ["", T, `${TIME_KIND} a malformed string`],
    [new Date(0), T, `${TIME_KIND} Date`],
  ]],
  ["duration", nativeType("duration"), [
    ["1d", T, "expected a { months, days, nanoseconds } object, got string"],
    [[1, 2, 3n], T, "expected a { months, days, nanoseconds } object, got Array"],
    [{ years: 1 }, T, 'unknown field "years"; a duration has months, days and nanoseconds'],
    [{ months: 1.5 }, R, `months: 1.5 is not an integer in ${INT_RANGE}`],
    [{ months: NaN }, R, `months: NaN is not an integer in ${INT_RANGE}`],
    [{ days: 2 ** 31 }, R, `days: 2147483648 is not an integer in ${INT_RANGE}`],
    [{ days: -Infinity }, R, `days: -Infinity is not an integer in ${INT_RANGE}`],
    [{ months: "1" }, T, "months: expected an integer number, got string"],
    [{ days: 1n }, T, "days: expected an integer number, got bigint"],
    [{ nanoseconds: 1.5 }, R, "nanoseconds: 1.5 is not an integer"],
    [
      { nanoseconds: 2n ** 63n },
      R,
      `nanoseconds: 9223372036854775808 is out of range ${LONG_RANGE}`,
    ],
    [{ nanoseconds: "1" }, T, `nanoseconds: ${LONG_KIND} string`],
    [{ months: 1, days: -1 }, R, "months, days and nanoseconds must not have different signs"],
    [
      { days: 1, nanoseconds: -1n },
      R,
      "months, days and nanoseconds must not have different signs",
    ],
  ]],
  ["list<int>", parseType("list<int>"), [
    [new Set([1]), T, "expected an Array, got Set"],
    ["[1]", T, "expected an Array, got string"],
    [[1, "2"], T, `element 1: ${INT_KIND} string`],
    [[1, 2 ** 31], R, "element 1: 2147483648 is out of range [-2147483648, 2147483647]"],
    [[undefined], T, "element 0: undefined (unset) is not allowed inside a value; use null"],
    [[1, , 3], T, "element 1: undefined (unset) is not allowed inside a value; use null"],
  ]],
  ["set<text>", parseType("set<text>"), [
    [new Map(), T, "expected an Array or a Set, got Map"],
    ["abc", T, "expected an Array or a Set, got string"],
    [new Set(["a", 1]), T, "element 1: expected a string, got number"],
    [
      new Set([undefined]),
      T,
      "element 0: undefined (unset) is not allowed inside a value; use null",
    ],
  ]],
  ["map<text, int>", parseType("map<text, int>"), [
    [[["a", 1]], T, "expected a Map or a plain object, got Array"],
    [new Map([["a", "x"]]), T, `value 0: ${INT_KIND} string`],
    [new Map<unknown, number>([["a", 1], [2, 2]]), T, "key 1: expected a string, got number"],
    [{ a: 1, b: 1.5 }, R, "value 1: 1.5 is not an integer"],
    [{ a: undefined }, T, "value 0: undefined (unset) is not allowed inside a value; use null"],
  ]],
  ["map<int, text>", parseType("map<int, text>"), [
    [{ 1: "a" }, T, "expected a Map, got Object"],
    [new Map([[NaN, "a"]]), R, "key 0: NaN is not an integer"],
  ]],
  ["tuple<int, text>", parseType("tuple<int, text>"), [
    [[1], T, "expected an Array of 2 elements, got 1"],
    [[1, "a", 3], T, "expected an Array of 2 elements, got 3"],
    ["1,a", T, "expected an Array of 2 elements, got string"],
    [[1, 2], T, "element 1: expected a string, got number"],
    [[undefined, "a"], T, "element 0: undefined (unset) is not allowed inside a value; use null"],
  ]],
  ["frozen<address>", UDT, [
    [new Map([["street", "x"]]), T, "expected a plain object, got Map"],
    [["x", 1], T, "expected a plain object, got Array"],
    [{ street: "x", city: "y" }, T, 'unknown field "city"'],
    [{ Street: "x" }, T, 'unknown field "Street"'],
    [{ street: "x", zip: "75001" }, T, `field "zip": ${INT_KIND} string`],
    [{ zip: 2 ** 40 }, R, 'field "zip": 1099511627776 is out of range [-2147483648, 2147483647]'],
  ]],
  ["vector<float, 3>", parseType("vector<float, 3>"), [
    [[1, 2], T, "expected 3 elements, got 2"],
    [new Float32Array(4), T, "expected 3 elements, got 4"],
    ["1,2,3", T, "expected a Float32Array or an Array of 3 numbers, got string"],
    [new Float64Array(3), T, "expected a Float32Array or an Array of 3 numbers, got Float64Array"],
    [[1, "2", 3], T, "element 1: expected a number, got string"],
    [[1, null, 3], T, "element 1: vector elements cannot be null"],
    [[1, 2, undefined], T, "element 2: vector elements cannot be undefined"],
  ]],
  ["vector<text, 2>", parseType("vector<text, 2>"), [
    [["a"], T, "expected 2 elements, got 1"],
    [["a", 1], T, "element 1: expected a string, got number"],
    [["a", null], T, "element 1: vector elements cannot be null"],
    [new Set(["a", "b"]), T, "expected an Array of 2 elements, got Set"],
  ]],
  ["'org.apache.cassandra.db.marshal.DynamicCompositeType'", CUSTOM, [
    ["bytes", T, "expected a Uint8Array, got string"],
  ]],
  ["map<text, frozen<list<int>>>", parseType("map<text, frozen<list<int>>>"), [
    [{ a: [1], b: [1, "x"] }, T, `value 1 element 1: ${INT_KIND} string`],
    [{ a: new Set([1]) }, T, "value 0: expected an Array, got Set"],
  ]],
];

describe("bad input: every CQL type's encoder (encoderFor)", () => {
  for (const [typeText, type, rows] of VALUE_TABLE) {
    describe(typeText, () => {
      for (const [value, cls, problem] of rows) {
        it(`${typeText} ← ${show(value)} → ${cls.name}, writer untouched`, () => {
          const w = prefixedWriter();
          // A problem inside the value starts with where it is: `element 3: …`.
          const sep = /^(element|value|key|field) /.test(problem) ? " " : ": ";
          const message = `column "c" (${typeText})${sep}${problem}`;
          throwsExactly(() => encoderFor(type, "c")(w, value), cls, message);
          assertUntouched(w);
        });
      }
    });
  }

  it("the encoders' messages name the column and type, never the value's content", () => {
    const secret = "s3cr3t-value-Zq9";
    // Field and marker names are identifiers and may be quoted; values must never be.
    const values = [
      secret,
      { street: secret, zip: secret, months: secret, days: secret, nanoseconds: secret },
      [secret, secret, secret],
      [1, secret],
      new Map([[secret, secret]]),
      new Set([secret, 1]),
    ];
    let failures = 0;
    for (const [, type] of VALUE_TABLE) {
      for (const v of values) {
        try {
          encoderFor(type, "c")(new Writer(), v);
        } catch (e) {
          failures++;
          assert.ok(!(e as Error).message.includes(secret), (e as Error).message);
        }
      }
    }
    assert.ok(failures > 100, `only ${failures} values were refused`);
  });
});

// BUG (reported): `writeDuration` only checks `typeof v === "object"`, so a Date, a Map or
// any class instance (no own months/days/nanoseconds keys) is silently encoded as a zero
// duration instead of being refused like every other wrong kind of value.
describe("bad input: duration from objects that are not plain", () => {
  for (const v of [new Date(0), new Map([["months", 1]]), new Set([1])]) {
    it(`duration ← ${show(v)} → TypeError`, () => {
      const w = prefixedWriter();
      throwsExactly(
        () => encoderFor(nativeType("duration"), "c")(w, v),
        TypeError,
        `column "c" (duration): expected a { months, days, nanoseconds } object, got ${
          (v as object).constructor.name
        }`,
      );
      assertUntouched(w);
    });
  }
});

// ═══ Session: a call refused for bad input sends nothing ═══

/**
 * RESULT Prepared for {@link INSERT}: k int (partition key), name text,
 * tags list<int>; for a statement without `?` ({@link UPDATE}), no markers.
 * No result columns either way.
 */
function preparedBody(id: Uint8Array, cql: string): Uint8Array {
  const w = new Writer(128).writeInt(4).writeShortBytes(id);
  if (!cql.includes("?")) {
    return w.writeInt(0).writeInt(0).writeInt(0).writeInt(0x0004).writeInt(0).toBytes();
  }
  w.writeInt(0x0001).writeInt(3).writeInt(1).writeShort(0);
  w.writeString("ks").writeString("t");
  w.writeString("k").writeShort(0x0009);
  w.writeString("name").writeShort(0x000d);
  w.writeString("tags").writeShort(0x0020).writeShort(0x0009);
  return w.writeInt(0x0004).writeInt(0).toBytes(); // result: No_metadata, 0 columns
}

const INSERT = "INSERT INTO ks.t (k, name, tags) VALUES (?, ?, ?)";
const UPDATE = "UPDATE ks.t SET name = 'x' WHERE k = 1";

/** One EXECUTE or BATCH as the simulated node decoded it. */
interface Received {
  opcode: number;
  values: (Uint8Array | null)[][];
}

describe("bad input: a Session sends nothing for a rejected call (SIMULATED node, not ScyllaDB)", () => {
  let server: FakeServer;
  let session: Session;
  const writes: Received[] = [];
  const ids = new Map<string, Uint8Array>();

  function onRequest(q: FakeRequest): void {
    const r = new Reader(q.body);
    switch (q.opcode) {
      case Opcode.REGISTER:
        q.conn.reply(q, Opcode.READY, []);
        return;
      case Opcode.QUERY: {
        const a = answerQuery(q.cql);
        q.conn.reply(q, a.opcode, a.body);
        return;
      }
      case Opcode.PREPARE: {
        const id = new Uint8Array([0xb0, ids.size + 1]);
        ids.set(q.cql, id);
        q.conn.reply(q, Opcode.RESULT, preparedBody(id, q.cql));
        return;
      }
      case Opcode.EXECUTE: {
        r.readShortBytes();
        r.readShort(); // consistency
        const flags = r.readByte();
        const row: (Uint8Array | null)[] = [];
        if (flags & 0x01) { for (let n = r.readShort(); n > 0; n--) row.push(r.readBytes()); }
        writes.push({ opcode: q.opcode, values: [row] });
        q.conn.reply(q, Opcode.RESULT, VOID_BODY);
        return;
      }
      case Opcode.BATCH: {
        r.readByte(); // type
        const rows: (Uint8Array | null)[][] = [];
        for (let n = r.readShort(); n > 0; n--) {
          r.readByte(); // kind: prepared
          r.readShortBytes();
          const row: (Uint8Array | null)[] = [];
          for (let m = r.readShort(); m > 0; m--) row.push(r.readBytes());
          rows.push(row);
        }
        writes.push({ opcode: q.opcode, values: rows });
        q.conn.reply(q, Opcode.RESULT, VOID_BODY);
        return;
      }
    }
  }

  /** Every frame the simulated node has received so far, on any connection. */
  const framesReceived = () => server.connections.reduce((n, c) => n + c.received.length, 0);

  before(async () => {
    server = await FakeServer.start({ onQuery: onRequest });
    session = await new SessionBuilder().knownNode(`127.0.0.1:${server.port}`).build();
    // Prime the prepared-statement cache: later calls with values need no PREPARE.
    await session.execute(INSERT, [1, "a", [1]]);
    await session.execute(UPDATE, []);
  });

  after(async () => {
    await session?.close();
    await server?.close();
  });

  const good = () => new Batch("unlogged").appendStatement(INSERT).appendStatement(INSERT);
  let prepared: PreparedStatement;

  /** [call, what it does, class, message]. */
  const rows: [string, () => Promise<unknown>, ErrorClass, string | RegExp][] = [
    [
      "execute: a string for an int column",
      () => session.execute(INSERT, ["1", "a", []]),
      TypeError,
      'column "k" (int): expected an integer number, got string',
    ],
    [
      "execute: NaN for an int column",
      () => session.execute(INSERT, [NaN, "a", []]),
      RangeError,
      'column "k" (int): NaN is not an integer',
    ],
    [
      "execute: a lone surrogate for a text column",
      () => session.execute(INSERT, { k: 1, name: "\uD800", tags: [] }),
      RangeError,
      'column "name" (text): contains an unpaired surrogate',
    ],
    [
      "execute: a too-large list element",
      () => session.execute(INSERT, [1, "a", [1, 2 ** 31]]),
      RangeError,
      'column "tags" (list<int>) element 1: 2147483648 is out of range [-2147483648, 2147483647]',
    ],
    [
      "execute: two values for three markers",
      () => session.execute(INSERT, [1, "a"]),
      TypeError,
      "expected 3 values (one per bind marker), got 2",
    ],
    [
      "execute: an unknown name",
      () => session.execute(INSERT, { k: 1, name: "a", tags: [], tag: [] }),
      TypeError,
      'unknown bind marker "tag"; the statement has "k", "name", "tags"',
    ],
    [
      "execute: a missing name",
      () => session.execute(INSERT, { k: 1, name: "a" }),
      TypeError,
      'missing value for bind marker "tags"',
    ],
    [
      "execute: values as a Map",
      () => session.execute(INSERT, new Map([["k", 1]])),
      TypeError,
      "values must be an Array or a plain object, got Map",
    ],
    [
      "execute: values null",
      () => session.execute(INSERT, null as Loose),
      TypeError,
      "values must be an Array or a plain object, got null",
    ],
    [
      "execute: a statement without markers with { k: 1 }",
      () => session.execute(UPDATE, { k: 1 }),
      TypeError,
      'unknown bind marker "k"; the statement has none',
    ],
    [
      'execute: a statement without markers with "abc"',
      () => session.execute(UPDATE, "abc" as Loose),
      TypeError,
      "values must be an Array or a plain object, got string",
    ],
    [
      "execute: empty CQL",
      () => session.execute(""),
      TypeError,
      "CQL statement must not be empty",
    ],
    [
      "execute: CQL not a string",
      () => session.execute(42 as Loose),
      TypeError,
      "CQL statement must be a string, got 42",
    ],
    [
      "query: a Query with a wrong value",
      () => session.query(new Query(INSERT).withConsistency("ONE"), [1, 2, []]),
      TypeError,
      'column "name" (text): expected a string, got number',
    ],
    [
      "executePrepared: a wrong value",
      () => session.executePrepared(prepared, [1, "a", "not a list"]),
      TypeError,
      'column "tags" (list<int>): expected an Array, got string',
    ],
    [
      "batch: fewer value sets than statements",
      () => session.batch(good(), [[1, "a", []]]),
      TypeError,
      "batch has 2 statements but 1 value sets were given",
    ],
    [
      "batch: values not an array",
      () => session.batch(good(), "x" as Loose),
      TypeError,
      "batch values must be an array of Values, got string",
    ],
    [
      "batch: a wrong value in the second statement",
      () => session.batch(good(), [[1, "a", []], [2, "b", [Infinity]]]),
      RangeError,
      'column "tags" (list<int>) element 0: Infinity is not an integer',
    ],
    [
      "batch: an unknown name in the first statement",
      () => session.batch(good(), [{ k: 1, name: "a", tags: [], x: 1 }, [2, "b", []]]),
      TypeError,
      'unknown bind marker "x"; the statement has "k", "name", "tags"',
    ],
    [
      "iter: a statement that is not one",
      () => session.iter(42 as Loose)[Symbol.asyncIterator]().next(),
      TypeError,
      "statement must be a CQL string, a Query or a PreparedStatement",
    ],
    [
      "iter: a wrong value",
      () => session.iter(INSERT, [1, "a", [true]])[Symbol.asyncIterator]().next(),
      TypeError,
      'column "tags" (list<int>) element 0: expected an integer number, got boolean',
    ],
  ];

  for (const [label, call, cls, message] of rows) {
    it(`${label} → ${cls.name}; the node receives no frame`, async () => {
      prepared ??= await session.prepare(INSERT);
      const frames = framesReceived();
      const written = writes.length;
      await rejectsExactly(call(), cls, message);
      // Give a stray frame time to arrive before counting.
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(framesReceived(), frames, "a frame reached the node");
      assert.equal(writes.length, written);
    });
  }

  it("after all those failures the same session sends exactly the right bytes", async () => {
    prepared ??= await session.prepare(INSERT);
    const written = writes.length;
    await session.execute(INSERT, { TAGS: [7, 8], Name: "ok", k: 5 });
    await session.batch(good(), [[1, "x", []], [2, null, undefined]]);
    assert.equal(writes.length, written + 2);
    const [exec, batch] = writes.slice(written);
    const int = (n: number) => [0, 0, 0, n];
    assert.equal(exec.opcode, Opcode.EXECUTE);
    assert.deepEqual(exec.values[0].map((v) => v && [...v]), [
      int(5),
      [...new TextEncoder().encode("ok")],
      [0, 0, 0, 2, 0, 0, 0, 4, ...int(7), 0, 0, 0, 4, ...int(8)],
    ]);
    assert.equal(batch.opcode, Opcode.BATCH);
    assert.equal(batch.values.length, 2);
    assert.deepEqual(batch.values[0].map((v) => v && [...v]), [int(1), [0x78], [0, 0, 0, 0]]);
    assert.deepEqual(batch.values[1][0] && [...batch.values[1][0]], int(2));
    assert.equal(batch.values[1][1], null);
  });

  // BUG (reported): a prepared statement with bind markers executed without values is sent
  // (EXECUTE with no values) and the server has to refuse it; the binder's own check
  // ("got none") is bypassed because writeQueryParameters skips it when values are undefined.
  it("executePrepared: values missing for 3 markers → TypeError; nothing sent", async () => {
    prepared ??= await session.prepare(INSERT);
    const frames = framesReceived();
    await rejectsExactly(
      session.executePrepared(prepared),
      TypeError,
      "expected 3 values (one per bind marker), got none",
    );
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(framesReceived(), frames, "a frame reached the node");
  });

  // BUG (reported): for a statement without bind markers, values that are neither an Array
  // nor a plain object are not checked: `null` fails with the engine's "Cannot convert
  // undefined or null to object", and a Map or a number is silently dropped and the
  // statement is sent.
  const markerless: [string, unknown, string][] = [
    ["null", null, "values must be an Array or a plain object, got null"],
    ["a Map", new Map([["k", 1]]), "values must be an Array or a plain object, got Map"],
    ["42", 42, "values must be an Array or a plain object, got number"],
  ];
  for (const [label, values, message] of markerless) {
    it(`execute: a statement without markers with ${label} → TypeError; nothing sent`, async () => {
      const frames = framesReceived();
      await rejectsExactly(session.execute(UPDATE, values as Loose), TypeError, message);
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(framesReceived(), frames, "a frame reached the node");
    });
  }

  // BUG (reported): passing the wrong kind of statement object fails with an engine error
  // ("prepared.getStatement is not a function", "Cannot read properties of undefined") rather
  // than a TypeError that names what was expected.
  const wrongStatements: [string, () => Promise<unknown>, RegExp][] = [
    [
      "executePrepared(a CQL string)",
      () => session.executePrepared(INSERT as Loose, [1, "a", []]),
      /PreparedStatement/,
    ],
    ["query(a CQL string)", () => session.query(INSERT as Loose, [1, "a", []]), /Query/],
    ["batch(a Query)", () => session.batch(new Query(INSERT) as Loose, []), /Batch/],
  ];
  for (const [label, call, message] of wrongStatements) {
    it(`${label} → a TypeError naming the expected class; nothing sent`, async () => {
      const frames = framesReceived();
      await rejectsExactly(call(), TypeError, message);
      assert.equal(framesReceived(), frames);
    });
  }
});
