// deno-fmt-ignore-file -- keeps the annotated byte arrays one field per line
/**
 * Protocol v5 messages (native_protocol_v5.spec §4, §9): QUERY, EXECUTE,
 * BATCH and PREPARE encoded with `protocolVersion: 5`, Prepared and Rows
 * (`Metadata_changed`) results, and the ERROR bodies v5 changed — each
 * annotated byte by byte and checked against the bodies Cassandra 5.0.9's own
 * codecs produce (tests/unit/vectors/v5_messages.json, made by
 * scripts/vectors/MessageVectors.java). v4 stays the default.
 *
 * Deno: `deno test -A tests/unit/v5_messages_test.ts`; Bun: `bun test tests/unit/v5_messages_test.ts`.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  ErrorCode,
  ProtocolError,
  ReadFailureError,
  ServerError,
  WriteFailureError,
  WriteTimeoutError,
} from "../../src/errors.ts";
import { errorFromServer } from "../../src/server_errors.ts";
import { Reader, Writer } from "../../src/wire/bytes.ts";
import {
  decodeHeader,
  HEADER_LENGTH,
  PROTOCOL_VERSION,
  setVersion,
  SUPPORTED_PROTOCOL_VERSIONS,
  writeHeader,
} from "../../src/wire/frame.ts";
import type { CqlType } from "../../src/wire/cql_type.ts";
import type { ColumnSpec } from "../../src/wire/metadata.ts";
import {
  appendExecute,
  appendPrepare,
  appendQuery,
  encodeExecute,
  encodePrepare,
  encodeQuery,
  PrepareFlag,
  QueryFlag,
  type QueryParameters,
} from "../../src/wire/requests/query.ts";
import { appendBatch, encodeBatch } from "../../src/wire/requests/batch.ts";
import { decodeError } from "../../src/wire/responses/error.ts";
import { decodeResult, type RowsResult } from "../../src/wire/responses/result.ts";

const vectors = JSON.parse(
  readFileSync(fileURLToPath(new URL("./vectors/v5_messages.json", import.meta.url)), "utf8"),
) as Record<string, string>;
const hex = (b: Uint8Array | number[]) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (s: string) => new Uint8Array(s.match(/../g)!.map((x) => parseInt(x, 16)));
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const str = (s: string): number[] => [0x00, s.length, ...ascii(s)];
const longStr = (s: string): number[] => [0x00, 0x00, 0x00, s.length, ...ascii(s)];
const seq = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

const INT: CqlType = { kind: "native", name: "int" };
const col = (name: string, type: CqlType): ColumnSpec => ({ keyspace: "ks", table: "t", name, type });
const ID = new Uint8Array(seq(0x10, 16));
const RID = new Uint8Array(seq(0xa0, 16));

/** A v5 frame: header (version 5, length = body) then exactly `body`; also Cassandra's vector when named. */
function assertV5Frame(frame: Uint8Array, opcode: number, body: number[], vector?: string): void {
  const h = decodeHeader(frame, 0, 5);
  assert.equal(frame[0], 0x05, "request version byte 5");
  assert.equal(h.opcode, opcode);
  assert.equal(h.length, frame.length - HEADER_LENGTH);
  assert.deepEqual([...frame.subarray(HEADER_LENGTH)], body);
  if (vector) assert.equal(hex(frame.subarray(HEADER_LENGTH)), vectors[vector], `Cassandra's ${vector}`);
}

describe("frame header versions", () => {
  it("v4 stays the default; v5 is supported", () => {
    assert.equal(PROTOCOL_VERSION, 4);
    assert.deepEqual(SUPPORTED_PROTOCOL_VERSIONS, [4, 5]);
  });
  it("writeHeader and decodeHeader take a version; a v5 response byte is 0x85", () => {
    const out = new Uint8Array(HEADER_LENGTH);
    writeHeader(out, 0, 0, 3, 0x07, 1, 5);
    assert.equal(out[0], 0x05);
    out[0] = 0x85;
    assert.deepEqual(decodeHeader(out, 0, 5), {
      version: 5, isResponse: true, flags: 0, stream: 3, opcode: 0x07, length: 1,
    });
    assert.throws(() => decodeHeader(out), /protocol version 5; this connection speaks v4/);
    setVersion(out, 0x84);
    assert.throws(() => decodeHeader(out, 0, 5), /protocol version 4; this connection speaks v5/);
  });
});

describe("QUERY in v5", () => {
  it("every field: [int] flags, then values, page size, serial, timestamp, keyspace, now", () => {
    const p: QueryParameters = {
      consistency: 0x0004, bindColumns: [col("k", INT)], values: [42], pageSize: 100,
      serialConsistency: 0x0009, timestamp: 1234567890123456n, protocolVersion: 5,
      keyspace: "ks", nowInSeconds: 1700000000,
    };
    assertV5Frame(encodeQuery(new Writer(), "SELECT v FROM t WHERE k = ?", p), 0x07, [
      ...longStr("SELECT v FROM t WHERE k = ?"),
      0x00, 0x04, // consistency QUORUM
      0x00, 0x00, 0x01, 0xb5, // [int] flags: NOW_IN_SECONDS | KEYSPACE | TIMESTAMP | SERIAL | PAGE_SIZE | VALUES
      0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x2a, // 1 value: int 42
      0x00, 0x00, 0x00, 0x64, // page size 100
      0x00, 0x09, // serial consistency LOCAL_SERIAL
      0x00, 0x04, 0x62, 0xd5, 0x3c, 0x8a, 0xba, 0xc0, // timestamp 1234567890123456
      ...str("ks"), // keyspace
      0x65, 0x53, 0xf1, 0x00, // now in seconds 1700000000
    ], "query_full");
  });
  it("no options: consistency and a zero [int] flags", () => {
    const frame = encodeQuery(new Writer(), "SELECT now() FROM system.local", {
      consistency: 0x0001, pageSize: 0, protocolVersion: 5,
    });
    assertV5Frame(frame, 0x07, [
      ...longStr("SELECT now() FROM system.local"),
      0x00, 0x01, // ONE
      0x00, 0x00, 0x00, 0x00, // flags
    ], "query_bare");
  });
  it("keyspace alone sets 0x80 and ends the body with the [string]", () => {
    const w = new Writer();
    appendQuery(w, "SELECT * FROM t", { consistency: 0x000a, pageSize: 5000, protocolVersion: 5, keyspace: "other" });
    assertV5Frame(w.toBytes(), 0x07, [
      ...longStr("SELECT * FROM t"),
      0x00, 0x0a, // LOCAL_ONE
      0x00, 0x00, 0x00, 0x84, // flags: KEYSPACE | PAGE_SIZE
      0x00, 0x00, 0x13, 0x88, // page size 5000
      ...str("other"),
    ], "query_keyspace");
    assert.equal(QueryFlag.WITH_KEYSPACE, 0x80);
    assert.equal(QueryFlag.WITH_NOW_IN_SECONDS, 0x100);
  });
  it("v4 keeps its [byte] flags and refuses what only v5 can carry", () => {
    const v4 = encodeQuery(new Writer(), "x", { consistency: 1, pageSize: 0 });
    assert.deepEqual([...v4], [0x04, 0, 0, 0, 0x07, 0, 0, 0, 8, ...longStr("x"), 0x00, 0x01, 0x00]);
    assert.throws(() => encodeQuery(new Writer(), "x", { consistency: 1, pageSize: 0, keyspace: "ks" }), TypeError);
    assert.throws(() => encodeQuery(new Writer(), "x", { consistency: 1, pageSize: 0, nowInSeconds: 1 }), TypeError);
    assert.throws(() => encodeQuery(new Writer(), "x", { consistency: 1, pageSize: 0, protocolVersion: 3 }), RangeError);
    assert.throws(() => encodeQuery(new Writer(), "x", { consistency: 1, pageSize: 0, protocolVersion: 5, nowInSeconds: 2 ** 31 }), RangeError);
  });
  it("an encoding error leaves the writer as it was", () => {
    const w = new Writer().writeByte(0xee);
    assert.throws(() => appendQuery(w, "x", { consistency: 1, pageSize: 0, protocolVersion: 5, nowInSeconds: 1.5 }), RangeError);
    assert.deepEqual([...w.toBytes()], [0xee]);
  });
});

describe("EXECUTE in v5", () => {
  it("statement id, result metadata id, then the parameters", () => {
    const frame = encodeExecute(new Writer(), ID, {
      consistency: 0x0006, bindColumns: [col("k", INT)], values: [42], skipMetadata: true, pageSize: 50,
      protocolVersion: 5, resultMetadataId: RID, nowInSeconds: 1700000001,
    });
    assertV5Frame(frame, 0x0a, [
      0x00, 0x10, ...seq(0x10, 16), // statement id [short bytes]
      0x00, 0x10, ...seq(0xa0, 16), // result metadata id [short bytes]
      0x00, 0x06, // LOCAL_QUORUM
      0x00, 0x00, 0x01, 0x07, // flags: NOW_IN_SECONDS | PAGE_SIZE | SKIP_METADATA | VALUES
      0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x2a, // 1 value: int 42
      0x00, 0x00, 0x00, 0x32, // page size 50
      0x65, 0x53, 0xf1, 0x01, // now in seconds 1700000001
    ], "execute");
  });
  it("without a result metadata id an empty one is sent (the server then always sends metadata)", () => {
    const w = new Writer();
    appendExecute(w, new Uint8Array([1, 2]), { consistency: 1, pageSize: 0, protocolVersion: 5 });
    assertV5Frame(w.toBytes(), 0x0a, [
      0x00, 0x02, 0x01, 0x02, // id
      0x00, 0x00, // empty result metadata id
      0x00, 0x01, 0x00, 0x00, 0x00, 0x00, // ONE, flags 0
    ]);
  });
  it("v4 ignores a result metadata id", () => {
    const frame = encodeExecute(new Writer(), new Uint8Array([1]), {
      consistency: 1, pageSize: 0, resultMetadataId: RID,
    });
    assert.deepEqual([...frame.subarray(HEADER_LENGTH)], [0x00, 0x01, 0x01, 0x00, 0x01, 0x00]);
    assert.equal(frame[0], 0x04);
  });
});

describe("BATCH in v5", () => {
  it("statements, then consistency, [int] flags, serial, timestamp, keyspace, now", () => {
    const frame = encodeBatch(new Writer(), {
      type: 1,
      statements: [
        { id: ID, bindColumns: [col("k", INT)], values: [42] },
        { id: RID, bindColumns: [col("a", INT), col("b", INT)], values: [1, 2] },
      ],
      consistency: 0x0004, serialConsistency: 0x0009, timestamp: 42n,
      protocolVersion: 5, keyspace: "ks", nowInSeconds: 1700000002,
    });
    assertV5Frame(frame, 0x0d, [
      0x01, // UNLOGGED
      0x00, 0x02, // 2 statements
      0x01, 0x00, 0x10, ...seq(0x10, 16), // kind 1 (prepared), id
      0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x2a, // 1 value: 42
      0x01, 0x00, 0x10, ...seq(0xa0, 16), // kind 1, id
      0x00, 0x02, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, // 2 values: 1,
      0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x02, //               2
      0x00, 0x04, // QUORUM
      0x00, 0x00, 0x01, 0xb0, // flags: NOW_IN_SECONDS | KEYSPACE | TIMESTAMP | SERIAL
      0x00, 0x09, // LOCAL_SERIAL
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, // timestamp 42
      ...str("ks"),
      0x65, 0x53, 0xf1, 0x02, // now in seconds
    ], "batch_full");
  });
  it("no options: consistency and a zero [int] flags", () => {
    const w = new Writer();
    appendBatch(w, { type: 0, statements: [{ id: ID, bindColumns: [], values: undefined }], consistency: 1, protocolVersion: 5 });
    assertV5Frame(w.toBytes(), 0x0d, [
      0x00, 0x00, 0x01, // LOGGED, 1 statement
      0x01, 0x00, 0x10, ...seq(0x10, 16), 0x00, 0x00, // prepared, id, no values
      0x00, 0x01, 0x00, 0x00, 0x00, 0x00, // ONE, flags 0
    ], "batch_bare");
  });
  it("v4 refuses a keyspace or now", () => {
    const base = { type: 0, statements: [], consistency: 1 };
    assert.throws(() => encodeBatch(new Writer(), { ...base, keyspace: "ks" }), TypeError);
    assert.throws(() => encodeBatch(new Writer(), { ...base, nowInSeconds: 1 }), TypeError);
  });
});

describe("PREPARE in v5", () => {
  it("[int] flags with WITH_KEYSPACE and the keyspace", () => {
    assertV5Frame(encodePrepare(new Writer(), "SELECT v FROM t WHERE k = ?", { protocolVersion: 5, keyspace: "ks" }), 0x09, [
      ...longStr("SELECT v FROM t WHERE k = ?"),
      0x00, 0x00, 0x00, 0x01, // flags: WITH_KEYSPACE
      ...str("ks"),
    ], "prepare_keyspace");
    assert.equal(PrepareFlag.WITH_KEYSPACE, 0x01);
  });
  it("zero flags without a keyspace; v4 has no flags and refuses a keyspace", () => {
    const w = new Writer();
    appendPrepare(w, "SELECT v FROM t WHERE k = ?", { protocolVersion: 5 });
    assertV5Frame(w.toBytes(), 0x09, [...longStr("SELECT v FROM t WHERE k = ?"), 0x00, 0x00, 0x00, 0x00], "prepare_bare");
    assert.deepEqual([...encodePrepare(new Writer(), "x").subarray(HEADER_LENGTH)], longStr("x"));
    assert.throws(() => encodePrepare(new Writer(), "x", { keyspace: "ks" }), TypeError);
  });
});

describe("RESULT in v5", () => {
  it("Prepared: id, result metadata id, bind metadata, result metadata", () => {
    const body = [
      0x00, 0x00, 0x00, 0x04, // kind Prepared
      0x00, 0x10, ...seq(0x10, 16), // id
      0x00, 0x10, ...seq(0xa0, 16), // result metadata id
      0x00, 0x00, 0x00, 0x01, // bind flags: global table spec
      0x00, 0x00, 0x00, 0x01, // 1 bind marker
      0x00, 0x00, 0x00, 0x01, 0x00, 0x00, // 1 partition key component: marker 0
      ...str("ks"), ...str("t"), ...str("k"), 0x00, 0x09, // k int
      0x00, 0x00, 0x00, 0x01, // result flags: global table spec
      0x00, 0x00, 0x00, 0x01, // 1 column
      ...str("ks"), ...str("t"), ...str("v"), 0x00, 0x0d, // v varchar
    ];
    assert.equal(hex(body), vectors.result_prepared);
    const r = decodeResult(new Reader(new Uint8Array(body)), undefined, undefined, 5);
    assert.equal(r.kind, "prepared");
    if (r.kind !== "prepared") return;
    assert.deepEqual(r.id, ID);
    assert.deepEqual(r.resultMetadataId, RID);
    assert.deepEqual(r.pkIndexes, [0]);
    assert.deepEqual(r.bindColumns.map((c) => c.name), ["k"]);
    assert.deepEqual(r.resultColumns.map((c) => [c.name, c.type]), [["v", { kind: "native", name: "text" }]]);
    // Read as v4 the same bytes are misparsed: the version matters.
    assert.throws(() => decodeResult(new Reader(new Uint8Array(body))), ProtocolError);
  });
  it("Rows with Metadata_changed: new_metadata_id surfaces on the result", () => {
    const body = [
      0x00, 0x00, 0x00, 0x02, // kind Rows
      0x00, 0x00, 0x00, 0x09, // flags: METADATA_CHANGED | GLOBAL_TABLES_SPEC
      0x00, 0x00, 0x00, 0x02, // 2 columns
      0x00, 0x10, ...seq(0xa0, 16), // new_metadata_id
      ...str("ks"), ...str("t"), ...str("k"), 0x00, 0x09, ...str("v"), 0x00, 0x0d,
      0x00, 0x00, 0x00, 0x01, // 1 row
      0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x07, // k = 7
      0x00, 0x00, 0x00, 0x05, ...ascii("seven"), // v = "seven"
    ];
    assert.equal(hex(body), vectors.result_rows_metadata_changed);
    const r = decodeResult(new Reader(new Uint8Array(body)), [col("k", INT)], undefined, 5) as RowsResult;
    assert.equal(r.kind, "rows");
    assert.deepEqual(r.newMetadataId, RID);
    assert.deepEqual(r.columns.map((c) => c.name), ["k", "v"]);
    assert.deepEqual(r.chunks, [[7, "seven"]]);
    assert.equal(r.rowCount, 1);
  });
  it("Rows without the flag carry no newMetadataId property at all", () => {
    const body = new Uint8Array([0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0]);
    const r = decodeResult(new Reader(body), [col("k", INT)], undefined, 5) as RowsResult;
    assert.ok(!("newMetadataId" in r));
  });
});

/** Decodes one of Cassandra's ERROR vectors. */
const errorVector = (name: string, version: number) => decodeError(new Reader(unhex(vectors[name])), undefined, version);

describe("ERROR bodies in v5", () => {
  const reasons = new Map([["127.0.0.2", 1], ["::1", 2]]);
  const reasonMap = [
    0x00, 0x00, 0x00, 0x02, // 2 entries
    0x04, 0x7f, 0x00, 0x00, 0x02, 0x00, 0x01, // [inetaddr] 127.0.0.2, READ_TOO_MANY_TOMBSTONES
    0x10, ...new Array(15).fill(0), 0x01, 0x00, 0x02, // [inetaddr] ::1, TIMEOUT
  ];
  it("READ_FAILURE: a reason map where v4 had numfailures", () => {
    const tail = [0x00, 0x04, 0, 0, 0, 1, 0, 0, 0, 2, ...reasonMap, 0x01];
    assert.ok(vectors.error_read_failure.endsWith(hex(tail)), "Cassandra's body ends with these fields");
    const d = errorVector("error_read_failure", 5);
    assert.deepEqual([d.code, d.consistency, d.received, d.blockFor, d.numFailures, d.dataPresent], [0x1300, 4, 1, 2, 2, true]);
    assert.deepEqual(d.reasons, reasons);
    const e = errorFromServer(d);
    assert.ok(e instanceof ReadFailureError);
    assert.deepEqual(e.reasons, reasons);
    assert.match(e.message, /QUORUM: 1 of 2 answered, 2 failed: 127\.0\.0\.2 READ_TOO_MANY_TOMBSTONES, ::1 TIMEOUT\)$/);
  });
  it("WRITE_FAILURE: a reason map, then the write type", () => {
    const tail = [0x00, 0x05, 0, 0, 0, 0, 0, 0, 0, 3, ...reasonMap, ...str("BATCH")];
    assert.ok(vectors.error_write_failure.endsWith(hex(tail)));
    const e = errorFromServer(errorVector("error_write_failure", 5));
    assert.ok(e instanceof WriteFailureError);
    assert.deepEqual([e.consistency, e.received, e.blockFor, e.numFailures, e.writeType], ["ALL", 0, 3, 2, "BATCH"]);
    assert.deepEqual(e.reasons, reasons);
  });
  it("the same failures in v4: numfailures, empty reasons", () => {
    const r = errorFromServer(errorVector("error_read_failure_v4", 4));
    assert.ok(r instanceof ReadFailureError);
    assert.deepEqual([r.numFailures, r.dataPresent, r.reasons.size], [2, true, 0]);
    const w = errorFromServer(errorVector("error_write_failure_v4", 4));
    assert.ok(w instanceof WriteFailureError);
    assert.deepEqual([w.numFailures, w.writeType, w.reasons.size], [2, "BATCH", 0]);
  });
  it("WRITE_TIMEOUT of a CAS write: [short] contentions after the write type (v5 only)", () => {
    assert.ok(vectors.error_cas_write_timeout.endsWith(hex([0x00, 0x08, 0, 0, 0, 1, 0, 0, 0, 2, ...str("CAS"), 0x00, 0x03])));
    const e = errorFromServer(errorVector("error_cas_write_timeout", 5));
    assert.ok(e instanceof WriteTimeoutError);
    assert.deepEqual([e.consistency, e.received, e.blockFor, e.writeType, e.contentions], ["SERIAL", 1, 2, "CAS", 3]);
    assert.match(e.message, /1 of 2 replicas acknowledged a CAS write, 3 contentions\)$/);
    const v4 = errorFromServer(errorVector("error_cas_write_timeout_v4", 4));
    assert.ok(v4 instanceof WriteTimeoutError);
    assert.equal(v4.contentions, null);
    const simple = errorFromServer(errorVector("error_write_timeout", 5));
    assert.ok(simple instanceof WriteTimeoutError);
    assert.deepEqual([simple.writeType, simple.contentions], ["SIMPLE", null]);
  });
  it("CAS_WRITE_UNKNOWN: consistency, received, blockfor; a ServerError naming them", () => {
    assert.ok(vectors.error_cas_write_unknown.endsWith(hex([0x00, 0x09, 0, 0, 0, 1, 0, 0, 0, 2])));
    const d = errorVector("error_cas_write_unknown", 5);
    assert.deepEqual([d.code, d.consistency, d.received, d.blockFor], [ErrorCode.CAS_WRITE_UNKNOWN, 9, 1, 2]);
    const e = errorFromServer(d);
    assert.equal(e.constructor, ServerError);
    assert.match(e.message, /LOCAL_SERIAL: 1 of 2 replicas acknowledged; the outcome is unknown\)$/);
  });
  it("a hostile reason map: a count the body cannot hold, or a 5-byte address, is a ProtocolError", () => {
    const head = [0, 0, 0x13, 0, ...str("m"), 0, 1, 0, 0, 0, 0, 0, 0, 0, 1];
    const huge = new Uint8Array([...head, 0x7f, 0xff, 0xff, 0xff, 0x01]);
    assert.throws(() => decodeError(new Reader(huge), undefined, 5), /reason map of 2147483647 entries/);
    const bad = new Uint8Array([...head, 0, 0, 0, 1, 0x05, 1, 2, 3, 4, 5, 0, 1, 0x01]);
    assert.throws(() => decodeError(new Reader(bad), undefined, 5), ProtocolError);
  });
});
