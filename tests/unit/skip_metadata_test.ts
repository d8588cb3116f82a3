/**
 * `Skip_metadata` on EXECUTE: asked for only where the server names a change of columns (a
 * result metadata id), and an answer without metadata read in the columns its request named,
 * even when another answer has meanwhile told of new ones (out-of-order answers across
 * connections during an `ALTER TABLE … ADD`).
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Reader, Writer } from "../../src/wire/bytes.ts";
import type { ColumnSpec, PreparedInfo } from "../../src/wire/metadata.ts";
import type { ResponseBody } from "../../src/wire/responses/envelope.ts";
import { PreparedMeta } from "../../src/statement/prepared_meta.ts";
import { DEFAULT_STATEMENT_OPTIONS } from "../../src/statement/options.ts";
import { PageRequest, type StatementRunner } from "../../src/request/statements.ts";
import type { ResolvedOptions } from "../../src/request/resolve.ts";
import { rowsBody } from "../sim/cql_bytes.ts";

const INT = { kind: "native", name: "int" } as const;
const col = (name: string): ColumnSpec => ({ keyspace: "ks", table: "t", name, type: INT });
const ID1 = new Uint8Array([1, 1, 1]), ID2 = new Uint8Array([2, 2, 2]);

function info(resultColumns: ColumnSpec[], resultMetadataId: Uint8Array | null): PreparedInfo {
  return {
    id: new Uint8Array([0xca, 0xfe]),
    resultMetadataId,
    bindColumns: [col("k")],
    pkIndexes: [0],
    resultColumns,
  };
}

/** Only what encode and decode read of the runner and the options. */
const runner = { tabletsRouting: 0 } as unknown as StatementRunner;
const options = { consistency: 1, pageSize: 5000 } as unknown as ResolvedOptions;

function request(meta: PreparedMeta): PageRequest {
  const runnable = { cql: meta.cql, meta, options: DEFAULT_STATEMENT_OPTIONS };
  return new PageRequest(runner, runnable, [7], null, options, { keyspace: "ks" }, undefined);
}

/** Encodes `r` as an EXECUTE on a connection of `version` (ids: v5, or v4 with the extension). */
function encode(r: PageRequest, version: number, ids: boolean): void {
  r.encode(new Writer(128), version, ids);
}

function answer(body: Uint8Array): ResponseBody {
  return {
    tracingId: null,
    warnings: [],
    customPayload: null,
    reader: new Reader(body),
    version: 5,
    metadataId: true,
  };
}

const cell = (v: number) => new Writer(4).writeInt(v).toBytes();

describe("Skip_metadata", () => {
  const select = () =>
    new PreparedMeta("SELECT * FROM ks.t WHERE k = ?", info([col("k"), col("v")], ID1));

  it("is asked for with a result metadata id, never without", () => {
    const withId = request(select());
    encode(withId, 5, true);
    assert.equal(withId.skipMetadata, true);
    assert.deepEqual(withId.resultMetadataId, ID1);

    const v4 = request(new PreparedMeta("SELECT * FROM ks.t WHERE k = ?", info([col("k")], null)));
    encode(v4, 4, false);
    assert.equal(v4.skipMetadata, false, "v4 without ids: a table change would go unseen");
  });

  it("is not asked for a statement without columns of its own, nor for an LWT's [applied]", () => {
    const insert = request(
      new PreparedMeta("INSERT INTO ks.t (k) VALUES (?)", info([], ID1)),
    );
    encode(insert, 5, true);
    assert.equal(insert.skipMetadata, false);
    const lwt = request(
      new PreparedMeta(
        "INSERT INTO ks.t (k) VALUES (?) IF NOT EXISTS",
        info([{ ...col("[applied]"), type: { kind: "native", name: "boolean" } }], ID1),
      ),
    );
    encode(lwt, 5, true);
    assert.equal(lwt.skipMetadata, false);
  });

  it("an answer without metadata is read in the columns its request named", () => {
    const meta = select();
    const early = request(meta);
    encode(early, 5, true);

    // Another request's answer tells of a column added by ALTER TABLE, with its new id.
    const other = request(meta);
    encode(other, 5, true);
    const changed = rowsBody("ks", "t", [["k", 0x09], ["v", 0x09], ["w", 0x09]], [[
      cell(1),
      cell(2),
      cell(3),
    ]], ID2);
    other.decode(0x08, answer(changed));
    assert.deepEqual(meta.result.id, ID2);
    assert.deepEqual(meta.result.columns.map((c) => c.name), ["k", "v", "w"]);

    // The early request's answer comes last, without metadata: the server ran it with ID1.
    const skipped = rowsBody(
      "ks",
      "t",
      [["k", 0x09], ["v", 0x09]],
      [[cell(4), cell(5)]],
      undefined,
      true,
    );
    const decoded = early.decode(0x08, answer(skipped));
    assert.deepEqual(decoded.columns.map((c) => c.name), ["k", "v"]);
    assert.deepEqual(decoded.chunks.flat(), [4, 5]);

    // A retry of the early request names ID1 still: a stale id brings the columns back.
    encode(early, 5, true);
    assert.deepEqual(early.resultMetadataId, ID1);

    // A new request names ID2 and reads its metadata-less answer in three columns.
    const later = request(meta);
    encode(later, 5, true);
    assert.deepEqual(later.resultMetadataId, ID2);
    const three = rowsBody(
      "ks",
      "t",
      [["k", 0x09], ["v", 0x09], ["w", 0x09]],
      [[
        cell(6),
        cell(7),
        cell(8),
      ]],
      undefined,
      true,
    );
    assert.deepEqual(later.decode(0x08, answer(three)).chunks.flat(), [6, 7, 8]);
  });
});
