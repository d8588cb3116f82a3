// deno-fmt-ignore-file -- keeps the annotated byte arrays one field per line
/**
 * Server ERROR → error class mapping (`src/server_errors.ts`): every code in
 * `ErrorCode`, decoded from a hand-built ERROR body, becomes the right
 * `ScyllaError` subclass with its fields and a message that gives numbers.
 *
 * Deno: `deno test -A tests/unit/server_errors_test.ts`;
 * Bun: `bun test tests/unit/server_errors_test.ts`.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AlreadyExistsError,
  AuthenticationError,
  ConfigurationError,
  CqlSyntaxError,
  ErrorCode,
  FunctionFailureError,
  InvalidQueryError,
  IsBootstrappingError,
  OverloadedError,
  ProtocolError,
  RateLimitReachedError,
  ReadFailureError,
  ReadTimeoutError,
  ScyllaError,
  ServerError,
  TruncateError,
  UnauthorizedError,
  UnavailableError,
  UnpreparedError,
  WriteFailureError,
  WriteTimeoutError,
} from "../../src/errors.ts";
import { errorFromServer } from "../../src/server_errors.ts";
import { Reader } from "../../src/wire/bytes.ts";
import { decodeError } from "../../src/wire/responses/error.ts";

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const str = (s: string): number[] => [0x00, s.length, ...ascii(s)];
const code = (
  c: number,
): number[] => [(c >>> 24) & 0xff, (c >>> 16) & 0xff, (c >>> 8) & 0xff, c & 0xff];

/** Decodes a hand-built ERROR body and maps it. */
function fromBody(bytes: number[], rateLimitCode?: number): ScyllaError {
  return errorFromServer(decodeError(new Reader(new Uint8Array(bytes)), rateLimitCode));
}

// deno-lint-ignore no-explicit-any
type ErrorClass = new (...args: any[]) => ScyllaError;

describe("errorFromServer: message-only codes", () => {
  const cases: [keyof typeof ErrorCode, ErrorClass][] = [
    ["SERVER_ERROR", ServerError],
    ["PROTOCOL_ERROR", ProtocolError],
    ["BAD_CREDENTIALS", AuthenticationError],
    ["OVERLOADED", OverloadedError],
    ["IS_BOOTSTRAPPING", IsBootstrappingError],
    ["TRUNCATE_ERROR", TruncateError],
    ["CDC_WRITE_FAILURE", ServerError],
    ["SYNTAX_ERROR", CqlSyntaxError],
    ["UNAUTHORIZED", UnauthorizedError],
    ["INVALID", InvalidQueryError],
    ["CONFIG_ERROR", ConfigurationError],
  ];
  for (const [name, cls] of cases) {
    it(`${name} (0x${ErrorCode[name].toString(16).padStart(4, "0")}) → ${cls.name}`, () => {
      const e = fromBody([...code(ErrorCode[name]), ...str("the server says no")]);
      assert.ok(e instanceof cls, `got ${e.constructor.name}`);
      assert.ok(e instanceof ScyllaError);
      assert.ok(e instanceof Error);
      assert.equal(e.code, ErrorCode[name]);
      assert.equal(e.name, cls.name);
      assert.match(e.message, /the server says no/);
    });
  }
  it("a server-side ProtocolError says it came from the server", () => {
    const e = fromBody([...code(ErrorCode.PROTOCOL_ERROR), ...str("bad frame")]);
    assert.match(e.message, /server reported a protocol error: bad frame/);
  });
});

describe("errorFromServer: codes with fields", () => {
  it("UNAVAILABLE → UnavailableError with consistency name, required, alive", () => {
    const e = fromBody([
      ...code(0x1000), ...str("Cannot achieve consistency level"), 0x00, 0x06, // LOCAL_QUORUM
      0x00, 0x00, 0x00, 0x02, // required 2
      0x00, 0x00, 0x00, 0x01, // alive 1
    ]);
    assert.ok(e instanceof UnavailableError);
    assert.equal(e.code, ErrorCode.UNAVAILABLE);
    assert.equal(e.consistency, "LOCAL_QUORUM");
    assert.equal(e.required, 2);
    assert.equal(e.alive, 1);
    assert.match(e.message, /LOCAL_QUORUM: 2 required but only 1 alive/);
  });

  it("WRITE_TIMEOUT → WriteTimeoutError with received, blockFor, writeType", () => {
    const e = fromBody([
      ...code(0x1100), ...str("Operation timed out"), 0x00, 0x04, // QUORUM
      0x00, 0x00, 0x00, 0x01, // received 1
      0x00, 0x00, 0x00, 0x02, // blockfor 2
      ...str("UNLOGGED_BATCH"),
    ]);
    assert.ok(e instanceof WriteTimeoutError);
    assert.equal(e.code, ErrorCode.WRITE_TIMEOUT);
    assert.deepEqual(
      [e.consistency, e.received, e.blockFor, e.writeType],
      ["QUORUM", 1, 2, "UNLOGGED_BATCH"],
    );
    assert.match(e.message, /QUORUM: 1 of 2 replicas acknowledged a UNLOGGED_BATCH write/);
  });

  for (const present of [false, true]) {
    it(`READ_TIMEOUT → ReadTimeoutError with dataPresent ${present}`, () => {
      const e = fromBody([
        ...code(0x1200), ...str("Operation timed out"), 0x00, 0x01, // ONE
        0x00, 0x00, 0x00, 0x00, // received 0
        0x00, 0x00, 0x00, 0x01, // blockfor 1
        present ? 0x01 : 0x00, // data_present
      ]);
      assert.ok(e instanceof ReadTimeoutError);
      assert.equal(e.code, ErrorCode.READ_TIMEOUT);
      assert.deepEqual(
        [e.consistency, e.received, e.blockFor, e.dataPresent],
        ["ONE", 0, 1, present],
      );
      assert.match(
        e.message,
        new RegExp(`ONE: 0 of 1 replicas answered, data ${present ? "present" : "missing"}`),
      );
    });
  }

  it("READ_FAILURE → ReadFailureError with numFailures and dataPresent", () => {
    const e = fromBody([
      ...code(0x1300), ...str("read failure"), 0x00, 0x05, // ALL
      0x00, 0x00, 0x00, 0x02, // received 2
      0x00, 0x00, 0x00, 0x03, // blockfor 3
      0x00, 0x00, 0x00, 0x01, // numfailures 1
      0x00, // data_present false
    ]);
    assert.ok(e instanceof ReadFailureError);
    assert.equal(e.code, ErrorCode.READ_FAILURE);
    assert.deepEqual(
      [e.consistency, e.received, e.blockFor, e.numFailures, e.dataPresent],
      ["ALL", 2, 3, 1, false],
    );
    assert.match(e.message, /ALL: 2 of 3 answered, 1 failed/);
  });

  it("WRITE_FAILURE → WriteFailureError with numFailures and writeType", () => {
    const e = fromBody([
      ...code(0x1500), ...str("write failure"), 0x00, 0x0a, // LOCAL_ONE
      0x00, 0x00, 0x00, 0x00, // received 0
      0x00, 0x00, 0x00, 0x01, // blockfor 1
      0x00, 0x00, 0x00, 0x01, // numfailures 1
      ...str("COUNTER"),
    ]);
    assert.ok(e instanceof WriteFailureError);
    assert.equal(e.code, ErrorCode.WRITE_FAILURE);
    assert.deepEqual(
      [e.consistency, e.received, e.blockFor, e.numFailures, e.writeType],
      ["LOCAL_ONE", 0, 1, 1, "COUNTER"],
    );
    assert.match(e.message, /LOCAL_ONE: 0 of 1 acknowledged, 1 failed/);
  });

  it("FUNCTION_FAILURE → FunctionFailureError with keyspace, function, arg types", () => {
    const e = fromBody([
      ...code(0x1400), ...str("execution of ks.f failed"), ...str("ks"),
      ...str("f"),
      0x00, 0x02, ...str("int"), ...str("list<text>"),
    ]);
    assert.ok(e instanceof FunctionFailureError);
    assert.equal(e.code, ErrorCode.FUNCTION_FAILURE);
    assert.equal(e.keyspace, "ks");
    assert.equal(e.functionName, "f");
    assert.deepEqual(e.argTypes, ["int", "list<text>"]);
  });

  it("CAS_WRITE_UNKNOWN → ServerError with its code", () => {
    const e = fromBody([
      ...code(0x1700), ...str("CAS operation result is unknown"), 0x00, 0x08, // SERIAL
      0x00, 0x00, 0x00, 0x01, // received 1
      0x00, 0x00, 0x00, 0x02, // blockfor 2
    ]);
    assert.ok(e instanceof ServerError);
    assert.equal(e.code, ErrorCode.CAS_WRITE_UNKNOWN);
    assert.match(e.message, /CAS operation result is unknown/);
  });

  it("ALREADY_EXISTS → AlreadyExistsError with keyspace and table", () => {
    const t = fromBody([
      ...code(0x2400), ...str("Cannot add existing table"), ...str("ks"),
      ...str("users"),
    ]);
    assert.ok(t instanceof AlreadyExistsError);
    assert.equal(t.code, ErrorCode.ALREADY_EXISTS);
    assert.equal(t.keyspace, "ks");
    assert.equal(t.table, "users");
    const k = fromBody([...code(0x2400), ...str("Keyspace exists"), ...str("ks"), 0x00, 0x00]);
    assert.ok(k instanceof AlreadyExistsError);
    assert.equal(k.table, "");
  });

  it("UNPREPARED → UnpreparedError with the statement id", () => {
    const e = fromBody([
      ...code(0x2500), ...str("Prepared query not found"),
      0x00, 0x02, 0x12, 0x34,
    ]);
    assert.ok(e instanceof UnpreparedError);
    assert.equal(e.code, ErrorCode.UNPREPARED);
    assert.deepEqual(e.statementId, new Uint8Array([0x12, 0x34]));
  });

  it("ScyllaDB rate limit (announced custom code) → RateLimitReachedError", () => {
    const e = fromBody(
      [...code(0xf000), ...str("Per-partition rate limit reached"), 0x01, 0x01],
      0xf000,
    );
    assert.ok(e instanceof RateLimitReachedError);
    assert.equal(e.code, 0xf000);
    assert.equal(e.opType, "write");
    assert.equal(e.rejectedByCoordinator, true);
    assert.match(e.message, /write rate limit/);
    const r = fromBody([...code(0xf000), ...str("limit"), 0x00, 0x00], 0xf000);
    assert.ok(r instanceof RateLimitReachedError);
    assert.equal(r.opType, "read");
    assert.equal(r.rejectedByCoordinator, false);
  });

  it("the same custom code unannounced → ServerError naming the code", () => {
    const e = fromBody([...code(0xf000), ...str("limit"), 0x00, 0x00]);
    assert.ok(e instanceof ServerError);
    assert.ok(!(e instanceof RateLimitReachedError));
    assert.equal(e.code, 0xf000);
    assert.match(e.message, /server error 0xf000: limit/);
  });

  it("an unknown code → ServerError naming the code in hex", () => {
    const e = fromBody([...code(0x0042), ...str("mystery")]);
    assert.ok(e instanceof ServerError);
    assert.equal(e.code, 0x42);
    assert.equal(e.message, "server error 0x0042: mystery");
  });

  it("an unknown consistency code is shown, not thrown", () => {
    const e = fromBody([
      ...code(0x1000), ...str("unavailable"), 0x00, 0xff, // consistency 0x00ff
      0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    ]);
    assert.ok(e instanceof UnavailableError);
    assert.equal(e.consistency, "UNKNOWN(0x00ff)");
  });
});

describe("errorFromServer: every code maps to a distinct, right class", () => {
  const bodies: Record<keyof typeof ErrorCode, [number[], ErrorClass]> = {
    SERVER_ERROR: [[], ServerError],
    PROTOCOL_ERROR: [[], ProtocolError],
    BAD_CREDENTIALS: [[], AuthenticationError],
    UNAVAILABLE: [[0, 1, 0, 0, 0, 1, 0, 0, 0, 0], UnavailableError],
    OVERLOADED: [[], OverloadedError],
    IS_BOOTSTRAPPING: [[], IsBootstrappingError],
    TRUNCATE_ERROR: [[], TruncateError],
    WRITE_TIMEOUT: [[0, 1, 0, 0, 0, 0, 0, 0, 0, 1, ...str("SIMPLE")], WriteTimeoutError],
    READ_TIMEOUT: [[0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0], ReadTimeoutError],
    READ_FAILURE: [[0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0], ReadFailureError],
    FUNCTION_FAILURE: [[...str("ks"), ...str("f"), 0, 0], FunctionFailureError],
    WRITE_FAILURE: [[0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, ...str("CAS")], WriteFailureError],
    CDC_WRITE_FAILURE: [[], ServerError],
    CAS_WRITE_UNKNOWN: [[0, 8, 0, 0, 0, 0, 0, 0, 0, 1], ServerError],
    SYNTAX_ERROR: [[], CqlSyntaxError],
    UNAUTHORIZED: [[], UnauthorizedError],
    INVALID: [[], InvalidQueryError],
    CONFIG_ERROR: [[], ConfigurationError],
    ALREADY_EXISTS: [[...str("ks"), ...str("t")], AlreadyExistsError],
    UNPREPARED: [[0, 1, 9], UnpreparedError],
  };
  for (const name of Object.keys(ErrorCode) as (keyof typeof ErrorCode)[]) {
    it(`${name}`, () => {
      const [tail, cls] = bodies[name];
      const e = fromBody([...code(ErrorCode[name]), ...str("m"), ...tail]);
      assert.equal(e.constructor, cls);
      assert.equal(e.code, ErrorCode[name]);
    });
  }
});
