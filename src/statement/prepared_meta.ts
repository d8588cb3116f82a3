/**
 * What the driver knows of one prepared statement: the server's answer to
 * PREPARE and the facts derived from it once (routing key plan, result
 * metadata cache). Shared by every `PreparedStatement` derived from one
 * prepare, and held by the session's prepared-statement cache.
 * @module
 */

import { type KeyPlan, keyPlan } from "../routing/routing_key.ts";
import type { ColumnSpec, PreparedInfo } from "../wire/metadata.ts";
import type { MetadataCache } from "../wire/responses/result.ts";
import { checkCql } from "./query.ts";

/**
 * The result columns the driver holds for a prepared statement with the server's id for them
 * (v5, or v4 with ScyllaDB's `SCYLLA_USE_METADATA_ID`; else `null`). Replaced whole when the
 * server says they changed, never modified: a request keeps the one it named in its EXECUTE,
 * and an answer without metadata is in exactly those columns.
 */
export interface ResultShape {
  /** The result metadata id, `null` when the connection has none. */
  readonly id: Uint8Array | null;
  /** The result columns. */
  readonly columns: readonly ColumnSpec[];
  /**
   * Whether an EXECUTE naming this shape may ask the server to leave the column specs out
   * (`Skip_metadata`): only with an id, which makes the server send the columns again once they
   * change (v4 without ids gives no such word, so there a table change would go unseen), and only
   * for a statement that returns columns of its own, not an LWT's `[applied]`, whose answer's
   * columns depend on the outcome.
   */
  readonly skippable: boolean;
}

/** The shape of `columns` under `id`, whether it may be skipped worked out once. */
export function resultShape(
  id: Uint8Array | null,
  columns: readonly ColumnSpec[],
): ResultShape {
  const skippable = id !== null && id.length > 0 && columns.length > 0 &&
    columns[0].name !== "[applied]";
  return { id, columns, skippable };
}

/** One prepared statement's server metadata and derived routing facts. */
export class PreparedMeta {
  /** The CQL text that was prepared. */
  readonly cql: string;
  /** The server's answer to PREPARE. */
  readonly info: PreparedInfo;
  /** v5: the keyspace it was prepared in (`Query.withKeyspace`), else the connection's. */
  readonly keyspace: string | undefined;
  /**
   * The last result column specs seen, as raw bytes and decoded: a table change
   * (`ALTER TABLE … ADD`) keeps the statement id but changes its columns.
   */
  readonly metadataCache: MetadataCache;
  /**
   * The result columns and their id as last heard from the server: the PREPARED answer's, then
   * those of any answer that said they changed (`Metadata_changed`, after `ALTER TABLE … ADD`).
   */
  result: ResultShape;
  #keyPlan: KeyPlan | undefined;

  /**
   * @param cql the prepared text
   * @param info the server's PREPARED answer
   * @param keyspace v5: the keyspace it was prepared in, when not the connection's
   * @throws {TypeError} `cql` is not a non-empty string
   */
  constructor(cql: string, info: PreparedInfo, keyspace?: string) {
    this.cql = checkCql(cql);
    this.keyspace = keyspace;
    this.info = info;
    this.metadataCache = { bytes: null, columns: info.resultColumns };
    this.result = resultShape(info.resultMetadataId ?? null, info.resultColumns);
  }

  /** How to compute the routing key from bound values; worked out on first use. */
  get keyPlan(): KeyPlan {
    return this.#keyPlan ??= keyPlan(this.info, this.cql);
  }

  /** The result columns as last heard from the server (see {@link PreparedMeta.result}). */
  get resultColumns(): readonly ColumnSpec[] {
    return this.result.columns;
  }
}
