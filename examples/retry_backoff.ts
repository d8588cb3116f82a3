/**
 * The seed's retry pattern: run a statement, and when it fails with a
 * transient error, wait with exponential backoff and try again — but only when
 * the statement is idempotent, since a failed write may have been applied.
 *
 *   deno run -A examples/retry_backoff.ts
 *   bun examples/retry_backoff.ts
 *
 * Contact points come from CQL_HOSTS (comma-separated), default 127.0.0.1:9042.
 * @module
 */

import {
  ConnectionError,
  Consistency,
  CqlSyntaxError,
  OverloadedError,
  Query,
  type QueryResult,
  ReadTimeoutError,
  RequestTimeoutError,
  ScyllaError,
  Session,
  UnavailableError,
  type Values,
  WriteTimeoutError,
} from "../mod.ts";
import { contactPoints } from "./env.ts";
import { ensureKeyspace, KEYSPACE } from "./setup.ts";

/** Errors worth another try: the cluster may answer differently a moment later. */
const TRANSIENT = [
  RequestTimeoutError,
  UnavailableError,
  OverloadedError,
  ReadTimeoutError,
  WriteTimeoutError,
  ConnectionError,
];

function isTransient(e: unknown): e is ScyllaError {
  return e instanceof ScyllaError && TRANSIENT.some((cls) => e instanceof cls);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `statement`, retrying up to `maxRetries` times after transient errors,
 * waiting `baseDelayMs * 2^attempt` (with jitter) before each retry. A plain
 * CQL string counts as not idempotent; pass `new Query(cql).setIdempotent(true)`
 * to allow retries. Other errors, and errors of non-idempotent statements,
 * are thrown at once.
 */
async function executeWithRetry(
  session: Pick<Session, "query">,
  statement: string | Query,
  values?: Values,
  maxRetries = 3,
  baseDelayMs = 100,
): Promise<QueryResult> {
  const query = typeof statement === "string" ? new Query(statement) : statement;
  for (let attempt = 0;; attempt++) {
    try {
      return await session.query(query, values);
    } catch (e) {
      if (!isTransient(e) || !query.isIdempotent() || attempt >= maxRetries) throw e;
      // Jitter spreads the retries of many clients that failed at the same moment.
      const wait = Math.round(baseDelayMs * 2 ** attempt * (0.5 + Math.random() / 2));
      console.log(`  retry ${attempt + 1}/${maxRetries} in ${wait} ms after ${e.name}`);
      await sleep(wait);
    }
  }
}

/** Describes how a call ended, for printing. */
async function outcome(p: Promise<QueryResult>): Promise<string> {
  const started = performance.now();
  try {
    const rs = await p;
    return `ok, ${rs.length} row(s) in ${(performance.now() - started).toFixed(0)} ms`;
  } catch (e) {
    const ms = (performance.now() - started).toFixed(0);
    return `failed after ${ms} ms with ${(e as Error).name}: ${(e as Error).message}`;
  }
}

const session = await Session.connect(contactPoints());
try {
  await ensureKeyspace(session);
  await session.execute(
    `CREATE TABLE IF NOT EXISTS ${KEYSPACE}.settings (name text PRIMARY KEY, value text)`,
  );
  await session.awaitSchemaAgreement();
  await session.execute(
    `INSERT INTO ${KEYSPACE}.settings (name, value) VALUES (?, ?)`,
    ["theme", "dark"],
  );
  console.log(`table ${KEYSPACE}.settings ready`);

  const read = () =>
    new Query(`SELECT value FROM ${KEYSPACE}.settings WHERE name = ?`).setIdempotent(true);

  // 1. A normal query: succeeds on the first attempt.
  console.log("1. idempotent read on a healthy cluster:");
  console.log(`  ${await outcome(executeWithRetry(session, read(), ["theme"]))}`);

  // 2. A transient error that goes away: this wrapper makes the cluster look
  //    overloaded for the first two attempts, as a busy node would.
  console.log("2. idempotent read while the node is overloaded for two attempts:");
  let calls = 0;
  const busy: Pick<Session, "query"> = {
    query: (q, v) => {
      if (++calls <= 2) {
        return Promise.reject(new OverloadedError("simulated: coordinator overloaded"));
      }
      return session.query(q, v);
    },
  };
  console.log(`  ${await outcome(executeWithRetry(busy, read(), ["theme"]))}`);

  // 3. A transient error that does not go away: with replication factor 1,
  //    consistency TWO is unavailable, so every retry fails and the last error is thrown.
  console.log("3. idempotent read at consistency TWO with one replica (UnavailableError):");
  const two = read().withConsistency(Consistency.TWO);
  console.log(`  ${await outcome(executeWithRetry(session, two, ["theme"], 3))}`);

  // 4. The same failure on a statement not marked idempotent: no retry. (An
  //    UnavailableError in fact means nothing was written, but a timeout would
  //    not tell, so this helper keeps the one simple rule.)
  console.log("4. the same failing statement, not marked idempotent:");
  const write = new Query(`UPDATE ${KEYSPACE}.settings SET value = ? WHERE name = ?`)
    .withConsistency(Consistency.TWO);
  console.log(`  ${await outcome(executeWithRetry(session, write, ["light", "theme"]))}`);

  // 5. Not transient: a syntax error fails at once, however often it is tried.
  console.log("5. a CQL syntax error:");
  const bad = new Query(`SELEC value FROM ${KEYSPACE}.settings`).setIdempotent(true);
  const failed = await executeWithRetry(session, bad).catch((e) => e);
  console.log(
    `  ${failed.name} (code 0x${failed.code?.toString(16)}), ` +
      `CqlSyntaxError: ${failed instanceof CqlSyntaxError}, transient: ${isTransient(failed)}`,
  );
} finally {
  await session.close();
}
