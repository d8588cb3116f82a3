// deno-fmt-ignore-file -- keeps the annotated byte arrays one field per line
/**
 * Response decoding (native protocol v4 §4.2, §9; `src/wire/responses/`):
 * hand-built ERROR bodies for every error code, RESULT bodies of every kind,
 * EVENT bodies, the tracing/warning/custom-payload prefix, and hostile bodies
 * that must fail with `ProtocolError` rather than hang or allocate.
 *
 * Deno: `deno test -A tests/unit/responses_test.ts`; Bun: `bun test tests/unit/responses_test.ts`.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
// @ts-types="../../node_modules/fast-check/lib/fast-check.d.ts"
import fc from "fast-check";
import { ErrorCode, ProtocolError } from "../../src/errors.ts";
import { Reader, Writer } from "../../src/wire/bytes.ts";
import { FrameFlag } from "../../src/wire/frame.ts";
import type { ColumnSpec } from "../../src/wire/metadata.ts";
import type { CqlType } from "../../src/wire/cql_type.ts";
import { openBody } from "../../src/wire/responses/envelope.ts";
import { decodeError } from "../../src/wire/responses/error.ts";
import { decodeEvent } from "../../src/wire/responses/event.ts";
import { decodeResult, ResultKind } from "../../src/wire/responses/result.ts";

/** The bytes of an ASCII string, for annotated arrays. */
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
/** `[string]` of ASCII text. */
const str = (s: string): number[] => [0x00, s.length, ...ascii(s)];
const reader = (bytes: number[]) => new Reader(new Uint8Array(bytes));

const INT: CqlType = { kind: "native", name: "int" };
const TEXT: CqlType = { kind: "native", name: "text" };

/** Every prefix of `bytes` shorter than the whole must throw ProtocolError from `decode`. */
function assertEveryTruncationThrows(bytes: number[], decode: (r: Reader) => unknown): void {
  for (let n = 0; n < bytes.length; n++) {
    assert.throws(
      () => decode(reader(bytes.slice(0, n))),
      ProtocolError,
      `prefix of ${n} of ${bytes.length} bytes`,
    );
  }
}

// ───────────────────────────── ERROR ─────────────────────────────

describe("decodeError: every error code", () => {
  it("covers every code in ErrorCode", () => {
    // If this fails, a code was added to ErrorCode: add a case below.
    assert.deepEqual(Object.keys(ErrorCode).sort(), [
      "ALREADY_EXISTS",
      "BAD_CREDENTIALS",
      "CAS_WRITE_UNKNOWN",
      "CDC_WRITE_FAILURE",
      "CONFIG_ERROR",
      "FUNCTION_FAILURE",
      "INVALID",
      "IS_BOOTSTRAPPING",
      "OVERLOADED",
      "PROTOCOL_ERROR",
      "READ_FAILURE",
      "READ_TIMEOUT",
      "SERVER_ERROR",
      "SYNTAX_ERROR",
      "TRUNCATE_ERROR",
      "UNAUTHORIZED",
      "UNAVAILABLE",
      "UNPREPARED",
      "WRITE_FAILURE",
      "WRITE_TIMEOUT",
    ]);
  });

  const messageOnly: [keyof typeof ErrorCode, number[]][] = [
    ["SERVER_ERROR", [0x00, 0x00, 0x00, 0x00]],
    ["PROTOCOL_ERROR", [0x00, 0x00, 0x00, 0x0a]],
    ["BAD_CREDENTIALS", [0x00, 0x00, 0x01, 0x00]],
    ["OVERLOADED", [0x00, 0x00, 0x10, 0x01]],
    ["IS_BOOTSTRAPPING", [0x00, 0x00, 0x10, 0x02]],
    ["TRUNCATE_ERROR", [0x00, 0x00, 0x10, 0x03]],
    ["CDC_WRITE_FAILURE", [0x00, 0x00, 0x16, 0x00]],
    ["SYNTAX_ERROR", [0x00, 0x00, 0x20, 0x00]],
    ["UNAUTHORIZED", [0x00, 0x00, 0x21, 0x00]],
    ["INVALID", [0x00, 0x00, 0x22, 0x00]],
    ["CONFIG_ERROR", [0x00, 0x00, 0x23, 0x00]],
  ];
  for (const [name, code] of messageOnly) {
    it(`${name}: code and message only`, () => {
      const bytes = [...code, ...str("boom")];
      const r = reader(bytes);
      assert.deepEqual(decodeError(r), { code: ErrorCode[name], message: "boom" });
      assert.equal(r.remaining, 0);
      assertEveryTruncationThrows(bytes, (r) => decodeError(r));
    });
  }

  it("UNAVAILABLE: consistency, required, alive", () => {
    const bytes = [
      0x00, 0x00, 0x10, 0x00, // code Unavailable
      ...str("Cannot achieve consistency"), 0x00, 0x04, // consistency QUORUM
      0x00, 0x00, 0x00, 0x03, // required 3
      0x00, 0x00, 0x00, 0x01, // alive 1
    ];
    assert.deepEqual(decodeError(reader(bytes)), {
      code: 0x1000,
      message: "Cannot achieve consistency",
      consistency: 4,
      required: 3,
      alive: 1,
    });
    assertEveryTruncationThrows(bytes, (r) => decodeError(r));
  });

  it("WRITE_TIMEOUT: consistency, received, blockFor, writeType", () => {
    const bytes = [
      0x00, 0x00, 0x11, 0x00, // code Write_timeout
      ...str("timed out"), 0x00, 0x06, // LOCAL_QUORUM
      0x00, 0x00, 0x00, 0x01, // received 1
      0x00, 0x00, 0x00, 0x02, // blockfor 2
      ...str("BATCH_LOG"), // writeType
    ];
    assert.deepEqual(decodeError(reader(bytes)), {
      code: 0x1100,
      message: "timed out",
      consistency: 6,
      received: 1,
      blockFor: 2,
      writeType: "BATCH_LOG",
    });
    assertEveryTruncationThrows(bytes, (r) => decodeError(r));
  });

  for (const [byte, present] of [[0x00, false], [0x01, true], [0x7f, true]] as const) {
    it(`READ_TIMEOUT: data_present byte 0x${byte.toString(16)} is ${present}`, () => {
      const bytes = [
        0x00, 0x00, 0x12, 0x00, // code Read_timeout
        ...str("read timeout"), 0x00, 0x01, // ONE
        0x00, 0x00, 0x00, 0x00, // received 0
        0x00, 0x00, 0x00, 0x01, // blockfor 1
        byte, // data_present
      ];
      assert.deepEqual(decodeError(reader(bytes)), {
        code: 0x1200,
        message: "read timeout",
        consistency: 1,
        received: 0,
        blockFor: 1,
        dataPresent: present,
      });
      assertEveryTruncationThrows(bytes, (r) => decodeError(r));
    });
  }

  it("READ_FAILURE: numFailures then data_present", () => {
    const bytes = [
      0x00, 0x00, 0x13, 0x00, // code Read_failure
      ...str("read failed"), 0x00, 0x05, // ALL
      0x00, 0x00, 0x00, 0x02, // received 2
      0x00, 0x00, 0x00, 0x03, // blockfor 3
      0x00, 0x00, 0x00, 0x01, // numfailures 1
      0x01, // data_present
    ];
    assert.deepEqual(decodeError(reader(bytes)), {
      code: 0x1300,
      message: "read failed",
      consistency: 5,
      received: 2,
      blockFor: 3,
      numFailures: 1,
      dataPresent: true,
    });
    assertEveryTruncationThrows(bytes, (r) => decodeError(r));
  });

  it("WRITE_FAILURE: numFailures then writeType", () => {
    const bytes = [
      0x00, 0x00, 0x15, 0x00, // code Write_failure
      ...str("write failed"), 0x00, 0x04, // QUORUM
      0x00, 0x00, 0x00, 0x01, // received 1
      0x00, 0x00, 0x00, 0x02, // blockfor 2
      0x00, 0x00, 0x00, 0x01, // numfailures 1
      ...str("SIMPLE"), // writeType
    ];
    assert.deepEqual(decodeError(reader(bytes)), {
      code: 0x1500,
      message: "write failed",
      consistency: 4,
      received: 1,
      blockFor: 2,
      numFailures: 1,
      writeType: "SIMPLE",
    });
    assertEveryTruncationThrows(bytes, (r) => decodeError(r));
  });

  it("FUNCTION_FAILURE: keyspace, function, arg types", () => {
    const bytes = [
      0x00, 0x00, 0x14, 0x00, // code Function_failure
      ...str("udf threw"), ...str("ks"), // keyspace
      ...str("f"), // function
      0x00, 0x02, ...str("int"), ...str("text"), // arg types
    ];
    assert.deepEqual(decodeError(reader(bytes)), {
      code: 0x1400,
      message: "udf threw",
      keyspace: "ks",
      functionName: "f",
      argTypes: ["int", "text"],
    });
    assertEveryTruncationThrows(bytes, (r) => decodeError(r));
  });

  it("CAS_WRITE_UNKNOWN: consistency, received, blockFor", () => {
    const bytes = [
      0x00, 0x00, 0x17, 0x00, // code CAS_WRITE_UNKNOWN
      ...str("cas unknown"), 0x00, 0x09, // LOCAL_SERIAL
      0x00, 0x00, 0x00, 0x01, // received 1
      0x00, 0x00, 0x00, 0x02, // blockfor 2
    ];
    assert.deepEqual(decodeError(reader(bytes)), {
      code: 0x1700,
      message: "cas unknown",
      consistency: 9,
      received: 1,
      blockFor: 2,
    });
    assertEveryTruncationThrows(bytes, (r) => decodeError(r));
  });

  it("ALREADY_EXISTS: keyspace and table (empty for a keyspace)", () => {
    const table = [0x00, 0x00, 0x24, 0x00, ...str("exists"), ...str("ks"), ...str("t")];
    assert.deepEqual(decodeError(reader(table)), {
      code: 0x2400,
      message: "exists",
      keyspace: "ks",
      table: "t",
    });
    const keyspace = [0x00, 0x00, 0x24, 0x00, ...str("exists"), ...str("ks"), 0x00, 0x00];
    assert.deepEqual(decodeError(reader(keyspace)), {
      code: 0x2400,
      message: "exists",
      keyspace: "ks",
      table: "",
    });
    assertEveryTruncationThrows(table, (r) => decodeError(r));
  });

  it("UNPREPARED: the statement id as [short bytes], copied out of the body", () => {
    const body = new Uint8Array([
      0x00, 0x00, 0x25, 0x00, // code Unprepared
      ...str("unknown id"),
      0x00, 0x03, 0xab, 0xcd, 0xef, // id
    ]);
    const e = decodeError(new Reader(body));
    assert.equal(e.code, 0x2500);
    assert.deepEqual(e.statementId, new Uint8Array([0xab, 0xcd, 0xef]));
    body.fill(0); // the frame buffer is reused after decoding
    assert.deepEqual(e.statementId, new Uint8Array([0xab, 0xcd, 0xef]));
    assertEveryTruncationThrows(
      [...new Uint8Array([0, 0, 0x25, 0, ...str("x"), 0, 1, 9])],
      (r) => decodeError(r),
    );
  });

  it("ScyllaDB rate limit with the announced custom code: opType and rejectedByCoordinator", () => {
    const code = [0x00, 0x00, 0xf0, 0x00]; // the code from SCYLLA_RATE_LIMIT_ERROR=ERROR_CODE=61440
    const read = [...code, ...str("rate limit"), 0x00, 0x01];
    assert.deepEqual(decodeError(reader(read), 0xf000), {
      code: 0xf000,
      message: "rate limit",
      opType: "read",
      rejectedByCoordinator: true,
    });
    const write = [...code, ...str("rate limit"), 0x01, 0x00];
    assert.deepEqual(decodeError(reader(write), 0xf000), {
      code: 0xf000,
      message: "rate limit",
      opType: "write",
      rejectedByCoordinator: false,
    });
    assertEveryTruncationThrows(read, (r) => decodeError(r, 0xf000));
  });

  it("the rate-limit code is not special unless announced", () => {
    const bytes = [0x00, 0x00, 0xf0, 0x00, ...str("rate limit"), 0x00, 0x01];
    assert.deepEqual(decodeError(reader(bytes)), { code: 0xf000, message: "rate limit" });
    assert.deepEqual(decodeError(reader(bytes), 0xf001), { code: 0xf000, message: "rate limit" });
  });

  it("an unknown code keeps the code and message", () => {
    assert.deepEqual(decodeError(reader([0x00, 0x00, 0x99, 0x99, ...str("?")])), {
      code: 0x9999,
      message: "?",
    });
  });

  it("a message that is not UTF-8 is a ProtocolError", () => {
    assert.throws(
      () => decodeError(reader([0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff])),
      ProtocolError,
    );
  });
});

// ───────────────────────────── RESULT ─────────────────────────────

describe("decodeResult: Void and Set_keyspace", () => {
  it("Void", () => {
    const r = reader([0x00, 0x00, 0x00, 0x01]); // kind Void
    assert.deepEqual(decodeResult(r), { kind: "void" });
    assert.equal(r.remaining, 0);
  });
  it("Set_keyspace", () => {
    const bytes = [
      0x00, 0x00, 0x00, 0x03, // kind Set_keyspace
      ...str("my_ks"),
    ];
    assert.deepEqual(decodeResult(reader(bytes)), { kind: "set_keyspace", keyspace: "my_ks" });
    assertEveryTruncationThrows(bytes, (r) => decodeResult(r));
  });
  it("an unknown kind is a ProtocolError", () => {
    assert.throws(() => decodeResult(reader([0x00, 0x00, 0x00, 0x06])), /unknown RESULT kind 6/);
    assert.throws(() => decodeResult(reader([0xff, 0xff, 0xff, 0xff])), ProtocolError);
  });
  it("has the spec's kind numbers", () => {
    assert.deepEqual(ResultKind, {
      VOID: 1,
      ROWS: 2,
      SET_KEYSPACE: 3,
      PREPARED: 4,
      SCHEMA_CHANGE: 5,
    });
  });
});

describe("decodeResult: Rows", () => {
  const globalRows = [
    0x00, 0x00, 0x00, 0x02, // kind Rows
    0x00, 0x00, 0x00, 0x01, // flags: Global_tables_spec
    0x00, 0x00, 0x00, 0x02, // 2 columns
    ...str("ks"), ...str("users"), // global keyspace and table
    ...str("id"), 0x00, 0x09, // id int
    ...str("name"), 0x00, 0x0d, // name varchar
    0x00, 0x00, 0x00, 0x03, // 3 rows
    0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, // id 1
    0x00, 0x00, 0x00, 0x03, ...ascii("ann"), // name "ann"
    0x00, 0x00, 0x00, 0x04, 0xff, 0xff, 0xff, 0xfe, // id -2
    0xff, 0xff, 0xff, 0xff, // name NULL
    0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x03, // id 3
    0x00, 0x00, 0x00, 0x00, // name "" (empty, not NULL)
  ];

  it("global tables spec: columns and rows with a NULL and an empty cell", () => {
    const r = reader(globalRows);
    const res = decodeResult(r);
    assert.deepEqual(res, {
      kind: "rows",
      columns: [
        { keyspace: "ks", table: "users", name: "id", type: INT },
        { keyspace: "ks", table: "users", name: "name", type: TEXT },
      ],
      chunks: [[1, "ann", -2, null, 3, ""]],
      rowCount: 3,
      pagingState: null,
    });
    assert.equal(r.remaining, 0);
  });

  it("every truncation of a Rows body is a ProtocolError", () => {
    assertEveryTruncationThrows(globalRows, (r) => decodeResult(r));
  });

  it("per-column table spec", () => {
    const bytes = [
      0x00, 0x00, 0x00, 0x02, // kind Rows
      0x00, 0x00, 0x00, 0x00, // flags: none
      0x00, 0x00, 0x00, 0x02, // 2 columns
      ...str("ks1"), ...str("a"), ...str("x"), 0x00, 0x09, // ks1.a.x int
      ...str("ks2"), ...str("b"), ...str("y"), 0x00, 0x0d, // ks2.b.y varchar
      0x00, 0x00, 0x00, 0x01, // 1 row
      0x00, 0x00, 0x00, 0x04, 0x7f, 0xff, 0xff, 0xff, // x = 2^31-1
      0x00, 0x00, 0x00, 0x02, 0xc3, 0xa9, // y = "é"
    ];
    const res = decodeResult(reader(bytes));
    assert.equal(res.kind, "rows");
    if (res.kind !== "rows") return;
    assert.deepEqual(res.columns, [
      { keyspace: "ks1", table: "a", name: "x", type: INT },
      { keyspace: "ks2", table: "b", name: "y", type: TEXT },
    ]);
    assert.deepEqual(res.chunks, [[2147483647, "é"]]);
    assert.equal(res.rowCount, 1);
    assertEveryTruncationThrows(bytes, (r) => decodeResult(r));
  });

  it("Has_more_pages carries a paging state, copied out of the body", () => {
    const body = new Uint8Array([
      0x00, 0x00, 0x00, 0x02, // kind Rows
      0x00, 0x00, 0x00, 0x03, // flags: Global_tables_spec | Has_more_pages
      0x00, 0x00, 0x00, 0x01, // 1 column
      0x00, 0x00, 0x00, 0x03, 0x0a, 0x0b, 0x0c, // paging state
      ...str("ks"), ...str("t"), ...str("v"), 0x00, 0x09, // ks.t.v int
      0x00, 0x00, 0x00, 0x00, // 0 rows
    ]);
    const res = decodeResult(new Reader(body));
    assert.equal(res.kind, "rows");
    if (res.kind !== "rows") return;
    assert.deepEqual(res.chunks, []);
    assert.equal(res.rowCount, 0);
    assert.deepEqual(res.pagingState, new Uint8Array([0x0a, 0x0b, 0x0c]));
    body.fill(0);
    assert.deepEqual(res.pagingState, new Uint8Array([0x0a, 0x0b, 0x0c]));
  });

  it("Has_more_pages with a null paging state gives null", () => {
    const res = decodeResult(reader([
      0x00, 0x00, 0x00, 0x02, // kind Rows
      0x00, 0x00, 0x00, 0x06, // flags: Has_more_pages | No_metadata
      0x00, 0x00, 0x00, 0x00, // 0 columns
      0xff, 0xff, 0xff, 0xff, // paging state NULL
      0x00, 0x00, 0x00, 0x00, // 0 rows
    ]));
    assert.equal(res.kind === "rows" && res.pagingState, null);
  });

  const noMetadata = [
    0x00, 0x00, 0x00, 0x02, // kind Rows
    0x00, 0x00, 0x00, 0x04, // flags: No_metadata
    0x00, 0x00, 0x00, 0x02, // 2 columns
    0x00, 0x00, 0x00, 0x01, // 1 row
    0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x2a, // 42
    0x00, 0x00, 0x00, 0x02, ...ascii("hi"), // "hi"
  ];

  it("No_metadata decodes with the prepared statement's known columns", () => {
    const known: ColumnSpec[] = [
      { keyspace: "ks", table: "t", name: "k", type: INT },
      { keyspace: "ks", table: "t", name: "v", type: TEXT },
    ];
    const res = decodeResult(reader(noMetadata), known);
    assert.equal(res.kind, "rows");
    if (res.kind !== "rows") return;
    assert.equal(res.columns, known, "the known array itself, so its decoders are reused");
    assert.deepEqual(res.chunks, [[42, "hi"]]);
    assert.equal(res.rowCount, 1);
  });

  it("No_metadata without known columns is a ProtocolError", () => {
    assert.throws(() => decodeResult(reader(noMetadata)), /skipped result metadata/);
  });

  it("No_metadata with known columns of the wrong count is a ProtocolError", () => {
    const known: ColumnSpec[] = [{ keyspace: "ks", table: "t", name: "k", type: INT }];
    assert.throws(() => decodeResult(reader(noMetadata), known), /2 columns but 1/);
  });

  it("full metadata equal to the known columns reuses the known array", () => {
    const known: ColumnSpec[] = [
      { keyspace: "ks", table: "users", name: "id", type: INT },
      { keyspace: "ks", table: "users", name: "name", type: TEXT },
    ];
    const res = decodeResult(reader(globalRows), known);
    assert.equal(res.kind === "rows" && res.columns, known);
  });

  it("a cell of the wrong size for its type is a ProtocolError", () => {
    assert.throws(() =>
      decodeResult(reader([
        0x00, 0x00, 0x00, 0x02, // kind Rows
        0x00, 0x00, 0x00, 0x01, // Global_tables_spec
        0x00, 0x00, 0x00, 0x01, // 1 column
        ...str("ks"), ...str("t"), ...str("v"), 0x00, 0x09, // int
        0x00, 0x00, 0x00, 0x01, // 1 row
        0x00, 0x00, 0x00, 0x03, 0x01, 0x02, 0x03, // a 3-byte int
      ])), ProtocolError);
  });

  it("a text cell that is not UTF-8 is a ProtocolError", () => {
    assert.throws(() =>
      decodeResult(reader([
        0x00, 0x00, 0x00, 0x02, // kind Rows
        0x00, 0x00, 0x00, 0x01, // Global_tables_spec
        0x00, 0x00, 0x00, 0x01, // 1 column
        ...str("ks"), ...str("t"), ...str("v"), 0x00, 0x0d, // varchar
        0x00, 0x00, 0x00, 0x01, // 1 row
        0x00, 0x00, 0x00, 0x02, 0xc3, 0x28, // invalid UTF-8
      ])), ProtocolError);
  });
});

describe("decodeResult: Prepared", () => {
  const prepared = [
    0x00, 0x00, 0x00, 0x04, // kind Prepared
    0x00, 0x02, 0xbe, 0xef, // id
    0x00, 0x00, 0x00, 0x01, // flags: Global_tables_spec
    0x00, 0x00, 0x00, 0x03, // 3 bind markers
    0x00, 0x00, 0x00, 0x02, // 2 partition key components
    0x00, 0x02, 0x00, 0x00, // pk indexes 2, 0
    ...str("ks"), ...str("t"), ...str("a"), 0x00, 0x09, // a int
    ...str("v"), 0x00, 0x0d, // v varchar
    ...str("b"), 0x00, 0x09, // b int
    // result metadata
    0x00, 0x00, 0x00, 0x01, // flags: Global_tables_spec
    0x00, 0x00, 0x00, 0x01, // 1 column
    ...str("ks"), ...str("t"), ...str("v"), 0x00, 0x0d, // v varchar
  ];

  it("decodes id, pk indexes, bind and result columns", () => {
    const r = reader(prepared);
    assert.deepEqual(decodeResult(r), {
      kind: "prepared",
      id: new Uint8Array([0xbe, 0xef]),
      resultMetadataId: null,
      bindColumns: [
        { keyspace: "ks", table: "t", name: "a", type: INT },
        { keyspace: "ks", table: "t", name: "v", type: TEXT },
        { keyspace: "ks", table: "t", name: "b", type: INT },
      ],
      pkIndexes: [2, 0],
      resultColumns: [{ keyspace: "ks", table: "t", name: "v", type: TEXT }],
      flags: 1,
    });
    assert.equal(r.remaining, 0);
  });

  it("every truncation of a Prepared body is a ProtocolError", () => {
    assertEveryTruncationThrows(prepared, (r) => decodeResult(r));
  });

  it("an INSERT: per-column specs and no result columns (No_metadata)", () => {
    const res = decodeResult(reader([
      0x00, 0x00, 0x00, 0x04, // kind Prepared
      0x00, 0x01, 0x07, // id
      0x00, 0x00, 0x00, 0x00, // flags: none
      0x00, 0x00, 0x00, 0x01, // 1 bind marker
      0x00, 0x00, 0x00, 0x00, // no pk components
      ...str("ks"), ...str("t"), ...str("k"), 0x00, 0x09, // ks.t.k int
      0x00, 0x00, 0x00, 0x04, // result flags: No_metadata
      0x00, 0x00, 0x00, 0x00, // 0 columns
    ]));
    assert.equal(res.kind, "prepared");
    if (res.kind !== "prepared") return;
    assert.deepEqual(res.pkIndexes, []);
    assert.deepEqual(res.resultColumns, []);
    assert.deepEqual(res.bindColumns, [{ keyspace: "ks", table: "t", name: "k", type: INT }]);
  });

  it("more pk components than bind markers is a ProtocolError", () => {
    assert.throws(() =>
      decodeResult(reader([
        0x00, 0x00, 0x00, 0x04, // kind Prepared
        0x00, 0x01, 0x07, // id
        0x00, 0x00, 0x00, 0x01, // flags
        0x00, 0x00, 0x00, 0x01, // 1 bind marker
        0x00, 0x00, 0x00, 0x02, // 2 pk components
        0x00, 0x00, 0x00, 0x00, ...str("ks"), ...str("t"), ...str("k"),
        0x00, 0x09, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00,
      ])), ProtocolError);
  });

  // BUG src/wire/responses/result.ts:199-200 (readPrepared): pk indexes are not checked
  // against the bind marker count, so a pk index of 5 with 1 marker is accepted and
  // src/routing_key.ts:26-30 later fails with a TypeError on `bindColumns[5].name`.
  // Expected: ProtocolError at decode time. Un-skip once fixed.
  it("a pk index past the bind markers is a ProtocolError", () => {
    assert.throws(() =>
      decodeResult(reader([
        0x00, 0x00, 0x00, 0x04, // kind Prepared
        0x00, 0x01, 0x07, // id
        0x00, 0x00, 0x00, 0x01, // flags
        0x00, 0x00, 0x00, 0x01, // 1 bind marker
        0x00, 0x00, 0x00, 0x01, // 1 pk component
        0x00, 0x05, // pk index 5
        ...str("ks"), ...str("t"), ...str("k"),
        0x00, 0x09, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00,
      ])), ProtocolError);
  });
});

describe("decodeResult: Schema_change", () => {
  const cases: [string, number[], object][] = [
    [
      "keyspace created",
      [...str("CREATED"), ...str("KEYSPACE"), ...str("ks")],
      { change: "CREATED", target: "KEYSPACE", keyspace: "ks" },
    ],
    [
      "table updated",
      [...str("UPDATED"), ...str("TABLE"), ...str("ks"), ...str("t")],
      { change: "UPDATED", target: "TABLE", keyspace: "ks", name: "t" },
    ],
    [
      "type dropped",
      [...str("DROPPED"), ...str("TYPE"), ...str("ks"), ...str("addr")],
      { change: "DROPPED", target: "TYPE", keyspace: "ks", name: "addr" },
    ],
    [
      "function created with argument types",
      [
        ...str("CREATED"), ...str("FUNCTION"), ...str("ks"), ...str("f"),
        0x00, 0x02, ...str("int"), ...str("text"),
      ],
      {
        change: "CREATED",
        target: "FUNCTION",
        keyspace: "ks",
        name: "f",
        argTypes: ["int", "text"],
      },
    ],
    [
      "aggregate dropped with no arguments",
      [...str("DROPPED"), ...str("AGGREGATE"), ...str("ks"), ...str("agg"), 0x00, 0x00],
      { change: "DROPPED", target: "AGGREGATE", keyspace: "ks", name: "agg", argTypes: [] },
    ],
  ];
  for (const [name, change, want] of cases) {
    it(name, () => {
      const bytes = [0x00, 0x00, 0x00, 0x05, ...change]; // kind Schema_change
      const r = reader(bytes);
      assert.deepEqual(decodeResult(r), { kind: "schema_change", ...want });
      assert.equal(r.remaining, 0);
      assertEveryTruncationThrows(bytes, (r) => decodeResult(r));
    });
  }
});

// ───────────────────────────── EVENT ─────────────────────────────

describe("decodeEvent", () => {
  it("TOPOLOGY_CHANGE NEW_NODE with an IPv4 address", () => {
    const bytes = [
      ...str("TOPOLOGY_CHANGE"), ...str("NEW_NODE"),
      0x04, 10, 0, 0, 3, // inet 10.0.0.3
      0x00, 0x00, 0x23, 0x52, // port 9042
    ];
    assert.deepEqual(decodeEvent(reader(bytes)), {
      type: "TOPOLOGY_CHANGE",
      change: "NEW_NODE",
      address: "10.0.0.3",
      port: 9042,
    });
    assertEveryTruncationThrows(bytes, decodeEvent);
  });

  it("STATUS_CHANGE DOWN with an IPv6 address", () => {
    const bytes = [
      ...str("STATUS_CHANGE"), ...str("DOWN"),
      0x10, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, // 2001:db8::1
      0x00, 0x00, 0x23, 0x52, // port 9042
    ];
    assert.deepEqual(decodeEvent(reader(bytes)), {
      type: "STATUS_CHANGE",
      change: "DOWN",
      address: "2001:db8::1",
      port: 9042,
    });
    assertEveryTruncationThrows(bytes, decodeEvent);
  });

  it("SCHEMA_CHANGE TABLE", () => {
    const bytes = [
      ...str("SCHEMA_CHANGE"), ...str("CREATED"), ...str("TABLE"), ...str("ks"),
      ...str("t"),
    ];
    assert.deepEqual(decodeEvent(reader(bytes)), {
      type: "SCHEMA_CHANGE",
      change: "CREATED",
      target: "TABLE",
      keyspace: "ks",
      name: "t",
    });
    assertEveryTruncationThrows(bytes, decodeEvent);
  });

  it("SCHEMA_CHANGE FUNCTION", () => {
    assert.deepEqual(
      decodeEvent(reader([
        ...str("SCHEMA_CHANGE"), ...str("DROPPED"), ...str("FUNCTION"),
        ...str("ks"), ...str("fn"),
        0x00, 0x01, ...str("int"),
      ])),
      {
        type: "SCHEMA_CHANGE",
        change: "DROPPED",
        target: "FUNCTION",
        keyspace: "ks",
        name: "fn",
        argTypes: ["int"],
      },
    );
  });

  it("an unknown event type is a ProtocolError", () => {
    assert.throws(() => decodeEvent(reader(str("CLIENTS_CHANGE"))), ProtocolError);
  });
});

// ───────────────────────────── body prefix ─────────────────────────────

describe("openBody", () => {
  const TRACE = [
    0x55, 0x0e, 0x84, 0x00, 0xe2, 0x9b, 0x41, 0xd4, 0xa7, 0x16, 0x44, 0x66, 0x55,
    0x44, 0x00, 0x00,
  ];
  const TRACE_TEXT = "550e8400-e29b-41d4-a716-446655440000";
  const WARNINGS = [0x00, 0x02, ...str("Batch too large"), ...str("w2")];
  const PAYLOAD = [
    0x00, 0x01, // 1 entry
    ...str("k"),
    0x00, 0x00, 0x00, 0x02, 0x01, 0x02, // k → 01 02
  ];
  const VOID = [0x00, 0x00, 0x00, 0x01];

  it("with no flags reads nothing", () => {
    const b = openBody(0, new Uint8Array(VOID));
    assert.equal(b.tracingId, null);
    assert.deepEqual(b.warnings, []);
    assert.equal(b.customPayload, null);
    assert.equal(b.reader.pos, 0);
  });

  it("every combination of tracing, warning and custom payload, in spec order", () => {
    const flags = [FrameFlag.TRACING, FrameFlag.WARNING, FrameFlag.CUSTOM_PAYLOAD];
    for (let mask = 0; mask < 8; mask++) {
      let f = 0;
      const bytes: number[] = [];
      if (mask & 1) {
        f |= flags[0];
        bytes.push(...TRACE);
      }
      if (mask & 2) {
        f |= flags[1];
        bytes.push(...WARNINGS);
      }
      if (mask & 4) {
        f |= flags[2];
        bytes.push(...PAYLOAD);
      }
      bytes.push(...VOID);
      // Compression and beta flags say nothing about the body prefix.
      const b = openBody(f | FrameFlag.COMPRESSION | FrameFlag.USE_BETA, new Uint8Array(bytes));
      assert.equal(b.tracingId, mask & 1 ? TRACE_TEXT : null, `mask ${mask}`);
      assert.deepEqual(b.warnings, mask & 2 ? ["Batch too large", "w2"] : []);
      assert.deepEqual(
        b.customPayload,
        mask & 4 ? new Map([["k", new Uint8Array([1, 2])]]) : null,
      );
      assert.deepEqual(decodeResult(b.reader), { kind: "void" });
      assert.equal(b.reader.remaining, 0);
    }
  });

  it("a truncated prefix is a ProtocolError", () => {
    const all = FrameFlag.TRACING | FrameFlag.WARNING | FrameFlag.CUSTOM_PAYLOAD;
    const bytes = [...TRACE, ...WARNINGS, ...PAYLOAD];
    for (let n = 0; n < bytes.length; n++) {
      assert.throws(() => openBody(all, new Uint8Array(bytes.slice(0, n))), ProtocolError, `${n}`);
    }
  });
});

// ───────────────────────────── hostile bodies ─────────────────────────────

describe("hostile RESULT bodies fail fast with ProtocolError", () => {
  const rowsHead = (flags: number, columns: number) => {
    const w = new Writer();
    w.writeInt(2).writeInt(flags).writeInt(columns);
    return w;
  };

  it("a row count of 2^31-1 in a tiny body", () => {
    const w = rowsHead(1, 1);
    w.writeString("ks").writeString("t").writeString("v").writeShort(0x09);
    w.writeInt(0x7fffffff); // rows
    w.writeInt(4).writeInt(1); // one cell
    const t = performance.now();
    assert.throws(() => decodeResult(new Reader(w.toBytes())), /row count 2147483647/);
    assert.ok(performance.now() - t < 1000);
  });

  it("a row count of 2^31-1 with No_metadata and known columns", () => {
    const w = rowsHead(4, 2).writeInt(0x7fffffff);
    const known: ColumnSpec[] = [
      { keyspace: "ks", table: "t", name: "a", type: INT },
      { keyspace: "ks", table: "t", name: "b", type: INT },
    ];
    assert.throws(() => decodeResult(new Reader(w.toBytes()), known), ProtocolError);
  });

  // BUG src/wire/responses/result.ts:114 (readRows): the hostile-count guard is skipped
  // when columnCount is 0 (`columnCount > 0 && ...`), so a 16-byte Rows body
  // [kind 2][flags 0][0 columns][rows 0x7fffffff] makes the driver build 2^31-1 empty
  // row arrays: measured 20M rows → 1.8 s, so 2^31-1 hangs for minutes and exhausts
  // memory. Expected: ProtocolError (a 0-column result cannot carry rows, or cap
  // rowCount by r.remaining). Un-skip once fixed.
  it("a row count of 2^31-1 with zero columns", () => {
    const w = rowsHead(0, 0).writeInt(0x7fffffff);
    assert.throws(() => decodeResult(new Reader(w.toBytes())), ProtocolError);
  });

  it("a negative row count", () => {
    const w = rowsHead(4, 0).writeInt(-1);
    assert.throws(() => decodeResult(new Reader(w.toBytes())), /row count -1/);
  });

  it("a negative column count", () => {
    assert.throws(
      () => decodeResult(new Reader(rowsHead(1, -5).toBytes())),
      /invalid column count -5/,
    );
  });

  it("a column count of 2^31-1 in a tiny body", () => {
    for (const flags of [0, 1, 4]) {
      const w = rowsHead(flags, 0x7fffffff).writeInt(0);
      assert.throws(() => decodeResult(new Reader(w.toBytes())), ProtocolError, `flags ${flags}`);
    }
  });

  it("a cell length past the end of the body", () => {
    const w = rowsHead(1, 1);
    w.writeString("ks").writeString("t").writeString("v").writeShort(0x0d);
    w.writeInt(1).writeInt(0x7fffffff).writeRaw(new Uint8Array(4));
    assert.throws(() => decodeResult(new Reader(w.toBytes())), /overruns the body/);
  });

  it("a negative paging state length other than -1 reads as no paging state", () => {
    const w = rowsHead(2 | 4, 0).writeInt(-7).writeInt(0);
    const res = decodeResult(new Reader(w.toBytes()));
    assert.equal(res.kind === "rows" && res.pagingState, null);
  });

  it("a paging state longer than the body", () => {
    const w = rowsHead(2 | 4, 0).writeInt(0x7fffffff);
    assert.throws(() => decodeResult(new Reader(w.toBytes())), ProtocolError);
  });

  it("a Prepared result with 2^31-1 bind markers or pk components", () => {
    for (const [cols, pks] of [[0x7fffffff, 0], [1, 0x7fffffff], [-1, 0], [1, -1]]) {
      const w = new Writer();
      w.writeInt(4).writeShortBytes(new Uint8Array([1])).writeInt(1).writeInt(cols).writeInt(pks);
      assert.throws(() => decodeResult(new Reader(w.toBytes())), ProtocolError, `${cols}/${pks}`);
    }
  });

  it("type nesting 10,000 deep is refused, not a stack overflow", () => {
    const w = rowsHead(1, 1);
    w.writeString("ks").writeString("t").writeString("v");
    for (let i = 0; i < 10_000; i++) w.writeShort(0x0020); // list<list<...
    w.writeShort(0x0009);
    assert.throws(() => decodeResult(new Reader(w.toBytes())), ProtocolError);
  });

  it("an unknown type option id", () => {
    const w = rowsHead(1, 1);
    w.writeString("ks").writeString("t").writeString("v").writeShort(0x00ee);
    assert.throws(() => decodeResult(new Reader(w.toBytes())), /unknown type option id 0x00ee/);
  });

  /** A Rows body declaring zero columns: the unguarded case of the bug above. */
  const zeroColumnRows = (body: Uint8Array) =>
    body.length >= 12 && body[3] === 2 && body[0] === 0 && body[1] === 0 && body[2] === 0 &&
    new DataView(body.buffer, body.byteOffset).getInt32(8) === 0;

  it("random bytes never throw anything but ProtocolError (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 3, 4, 5),
        fc.uint8Array({ maxLength: 200 }),
        (kind, tail) => {
          const body = new Uint8Array(4 + tail.length);
          new DataView(body.buffer).setInt32(0, kind);
          body.set(tail, 4);
          fc.pre(!zeroColumnRows(body)); // the known hang, see the skipped test above
          try {
            decodeResult(new Reader(body));
          } catch (e) {
            if (!(e instanceof ProtocolError)) throw e;
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("mutated valid Rows bodies never throw anything but ProtocolError (property)", () => {
    const w = rowsHead(1, 3);
    w.writeString("ks").writeString("t");
    w.writeString("a").writeShort(0x0009); // int
    w.writeString("b").writeShort(0x0020).writeShort(0x000d); // list<text>
    w.writeString("c").writeShort(0x0021).writeShort(0x000d).writeShort(0x0002); // map<text,bigint>
    w.writeInt(1);
    w.writeInt(4).writeInt(7);
    w.writeInt(13).writeInt(2).writeInt(1).writeRaw(new Uint8Array([0x61])).writeInt(-1);
    w.writeInt(4 + 4 + 1 + 4 + 8).writeInt(1).writeInt(1).writeRaw(new Uint8Array([0x6b]))
      .writeInt(8).writeLong(5n);
    const valid = w.toBytes();
    const res = decodeResult(new Reader(valid));
    assert.equal(res.kind, "rows");
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const body = valid.slice();
          for (const [at, v] of edits) body[at] = v;
          fc.pre(!zeroColumnRows(body)); // the known hang, see the skipped test above
          try {
            decodeResult(new Reader(body));
          } catch (e) {
            if (!(e instanceof ProtocolError)) throw e;
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
