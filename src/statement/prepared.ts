/**
 * `PreparedStatement`: a statement prepared on the cluster, immutable; every
 * setter returns a new statement that shares the server's metadata.
 * @module
 */

import { type ColSpec, toColSpecs } from "../result.ts";
import type { PreparedInfo } from "../wire/metadata.ts";
import type { StatementOptions } from "./options.ts";
import type { PreparedMeta } from "./prepared_meta.ts";
import { PagedStatementBase } from "./statement_base.ts";

/**
 * @internal A statement as the session runs it: its text, prepared metadata (`null`: sent as
 * text) and options.
 */
export interface Runnable {
  /** The CQL text. */
  readonly cql: string;
  /** Prepared metadata, or `null` for a QUERY without values. */
  readonly meta: PreparedMeta | null;
  /** The statement's own options. */
  readonly options: StatementOptions;
}

/**
 * A statement prepared on the cluster (from `session.prepare`). It is
 * immutable: `withConsistency` and the other setters return a new statement
 * (sharing the id and metadata), so one prepared statement can be shared
 * safely across concurrent requests.
 * @example
 * ```ts ignore
 * const ps = await session.prepare("SELECT name FROM ks.users WHERE id = ?");
 * const strong = ps.withConsistency("ALL"); // ps itself is unchanged
 * await session.executePrepared(strong, [42]);
 * ```
 */
export class PreparedStatement extends PagedStatementBase {
  readonly #meta: PreparedMeta;
  #runnable: Runnable | undefined;

  /**
   * @internal Users get prepared statements from `session.prepare`.
   * @param meta what the server answered to PREPARE, with what the driver derived from it
   * @param options execution options; defaults when omitted
   */
  constructor(meta: PreparedMeta, options?: StatementOptions) {
    super(options);
    this.#meta = meta;
  }

  /** A prepared statement never changes: each setter returns a new one. */
  protected withOptions(next: StatementOptions): this {
    return new PreparedStatement(this.#meta, next) as this;
  }

  /**
   * @internal The server's answer to PREPARE and the facts derived from it
   * (routing key plan, result metadata cache); shared by derived statements.
   */
  get meta(): PreparedMeta {
    return this.#meta;
  }

  /**
   * @internal The statement as the session runs it (text, metadata, options), made once: the
   * statement never changes, and an object per request would cost the hot path an allocation.
   */
  get runnable(): Runnable {
    return this.#runnable ??= { cql: this.#meta.cql, meta: this.#meta, options: this.options };
  }

  /** @internal What the server answered to PREPARE. */
  get info(): PreparedInfo {
    return this.#meta.info;
  }

  /** A copy of the statement id the server assigned. */
  getId(): Uint8Array {
    return this.#meta.info.id.slice();
  }

  /** The CQL text that was prepared. */
  getStatement(): string {
    return this.#meta.cql;
  }

  /** The bind markers in order, with CQL types as text. */
  bindColSpecs(): ColSpec[] {
    return toColSpecs(this.#meta.info.bindColumns);
  }

  /**
   * The columns the statement returns (empty for writes), with CQL types as text: as last heard
   * from the server, which names new ones after `ALTER TABLE … ADD` (v5).
   */
  resultColSpecs(): ColSpec[] {
    return toColSpecs(this.#meta.resultColumns);
  }

  /** `PreparedStatement("SELECT ...")`. */
  override toString(): string {
    return `PreparedStatement(${JSON.stringify(this.#meta.cql)})`;
  }
}
