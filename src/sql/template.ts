/**
 * The `session.sql` tagged template: the template's strings joined with `?`
 * markers are prepared once per session and template (keyed by the strings
 * array, which JavaScript keeps identical for every evaluation of one template
 * literal), each interpolation is bound as a value, and every page is read.
 * @module
 */

import { CqlSyntaxError, InvalidQueryError } from "../errors.ts";
import type { QueryResult } from "../result.ts";
import type { PreparedStatement } from "../statement/prepared.ts";

/** What a template needs from a session (structural, so this module does not import it). */
export interface SqlRunner {
  /** Prepares CQL on the cluster. */
  prepare(cql: string): Promise<PreparedStatement>;
  /** Runs a prepared statement, following paging. */
  executePrepared(prepared: PreparedStatement, values?: readonly unknown[]): Promise<QueryResult>;
}

const HINT = "session.sql binds every ${…} as a value, never as text: " +
  "keyspace, table and column names cannot be interpolated " +
  "(build the CQL string yourself from a fixed list of names and use session.execute)";

/** Per session: template strings array → its prepared statement (a failed prepare is forgotten). */
const caches = new WeakMap<SqlRunner, WeakMap<TemplateStringsArray, Promise<PreparedStatement>>>();

/**
 * The CQL text of a template: its strings joined by `?`.
 * @throws {TypeError} `strings` is not a template strings array
 */
export function templateCql(strings: TemplateStringsArray): string {
  if (!Array.isArray(strings) || !Array.isArray((strings as { raw?: unknown }).raw)) {
    throw new TypeError("sql is a tagged template: call it as session.sql`SELECT …`");
  }
  return strings.join("?");
}

function prepared(runner: SqlRunner, strings: TemplateStringsArray): Promise<PreparedStatement> {
  let cache = caches.get(runner);
  if (cache === undefined) caches.set(runner, cache = new WeakMap());
  let p = cache.get(strings);
  if (p === undefined) {
    const cql = templateCql(strings);
    p = runner.prepare(cql).catch((e: unknown) => {
      cache.delete(strings);
      throw explain(e, strings.length - 1);
    });
    cache.set(strings, p);
  }
  return p;
}

/** Adds the interpolation hint to a syntax or invalid-query error from a template with values. */
function explain(e: unknown, interpolations: number): unknown {
  if (interpolations === 0) return e;
  const code = (e as { code?: number | null }).code ?? undefined;
  if (e instanceof CqlSyntaxError) {
    return new CqlSyntaxError(`${e.message}; ${HINT}`, { code, cause: e });
  }
  if (e instanceof InvalidQueryError) {
    return new InvalidQueryError(`${e.message}; ${HINT}`, { code, cause: e });
  }
  return e;
}

/**
 * Runs a tagged template on `runner` and resolves with its rows as plain
 * objects keyed by column name.
 * @throws {TypeError} a value does not fit its column; nothing was sent
 * @throws {CqlSyntaxError} the CQL is invalid, e.g. an interpolation where a name is expected
 */
export async function runTemplate<T>(
  runner: SqlRunner,
  strings: TemplateStringsArray,
  values: readonly unknown[],
): Promise<T[]> {
  const ps = await prepared(runner, strings);
  const result = await runner.executePrepared(ps, values);
  return result.rowsTyped<T>();
}
