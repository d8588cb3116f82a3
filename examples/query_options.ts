/**
 * Per-statement options of `Query`: consistency, page size, write timestamp,
 * client-side timeout, tracing, idempotence, and manual paging with
 * `withPagingState` / `result.pagingState`.
 *
 *   deno run -A examples/query_options.ts
 *   bun examples/query_options.ts
 *
 * Contact points come from CQL_HOSTS (comma-separated), default 127.0.0.1:9042.
 * @module
 */

import { Consistency, Query, Session, UnavailableError } from "../mod.ts";
import { contactPoints } from "./env.ts";
import { ensureKeyspace, KEYSPACE } from "./setup.ts";

const session = await Session.connect(contactPoints());
try {
  await ensureKeyspace(session);
  await session.useKeyspace(KEYSPACE, false);
  await session.execute(
    "CREATE TABLE IF NOT EXISTS events (day text, seq int, payload text, " +
      "PRIMARY KEY (day, seq))",
  );
  await session.awaitSchemaAgreement();
  console.log(`table ${KEYSPACE}.events ready`);

  // Consistency: per query, overriding the session default (LOCAL_QUORUM).
  const insert = new Query("INSERT INTO events (day, seq, payload) VALUES (?, ?, ?)")
    .withConsistency(Consistency.ONE)
    .withTimeout(2_000); // this statement's own client-side deadline, ms
  for (let seq = 0; seq < 25; seq++) {
    await session.query(insert, { day: "2024-01-01", seq, payload: `event #${seq}` });
  }
  console.log(`inserted 25 events at consistency ${insert.getConsistency()}`);

  // A level the cluster cannot reach fails with the numbers that explain why
  // (with replication factor 1 there is only one replica to answer).
  try {
    await session.query(
      new Query("SELECT * FROM events WHERE day = ?").withConsistency(Consistency.TWO),
      ["2024-01-01"],
    );
  } catch (e) {
    if (!(e instanceof UnavailableError)) throw e;
    console.log(
      `consistency TWO refused: ${e.name} (required ${e.required}, alive ${e.alive})`,
    );
  }

  // Write timestamp: the client decides which write is newer (microseconds).
  const micros = BigInt(Date.now()) * 1000n;
  await session.query(
    new Query("UPDATE events SET payload = ? WHERE day = ? AND seq = ?").withTimestamp(micros),
    ["newer write", "2024-01-01", 0],
  );
  await session.query(
    new Query("UPDATE events SET payload = ? WHERE day = ? AND seq = ?")
      .withTimestamp(micros - 1_000_000n), // one second older: loses
    ["older write", "2024-01-01", 0],
  );
  const ts = (await session.execute(
    "SELECT payload, WRITETIME(payload) AS written FROM events WHERE day = ? AND seq = ?",
    ["2024-01-01", 0],
  )).singleRow();
  console.log(
    `timestamped writes: payload=${JSON.stringify(ts.get("payload"))}, ` +
      `writetime ${ts.get("written")} (we sent ${micros})`,
  );

  // Tracing: the server records how it ran the request; the result carries the id.
  const traced = await session.query(
    new Query("SELECT * FROM events WHERE day = ? AND seq = ?").withTracing(true),
    ["2024-01-01", 1],
  );
  const traceId = traced.tracingId();
  console.log(`traced query returned ${traced.length} row(s); tracing id ${traceId}`);
  if (traceId !== null) {
    // Trace events are written asynchronously; give the node a moment.
    await new Promise((r) => setTimeout(r, 500));
    // system_traces is replicated twice by default: on one node read at ONE.
    const steps = await session.query(
      new Query("SELECT activity FROM system_traces.events WHERE session_id = ?")
        .withConsistency(Consistency.ONE),
      [traceId],
    );
    console.log(`  trace has ${steps.length} event(s), first: ${steps.firstRow()?.get(0)}`);
  }

  // Idempotence: false until set. Only idempotent statements are retried or
  // executed speculatively by the driver.
  const read = new Query("SELECT payload FROM events WHERE day = ?").setIdempotent(true);
  // A counter increment is not: running it twice counts twice. Leave it unset.
  const bump = new Query("UPDATE page_views SET views = views + 1 WHERE page = ?");
  console.log(`SELECT idempotent: ${read.isIdempotent()}; counter update: ${bump.isIdempotent()}`);

  // Page size: execute/query still return every row, fetching 10 per round trip.
  const all = await session.query(
    new Query("SELECT seq FROM events WHERE day = ?").withPageSize(10),
    ["2024-01-01"],
  );
  console.log(`page size 10, all rows collected: ${all.length} rows`);

  // Manual paging: hand each result's paging state to the next query, e.g. to
  // serve one page per HTTP request. A null state means "no more pages".
  let state: Uint8Array | null = null;
  let page = 0;
  do {
    const q: Query = new Query("SELECT seq FROM events WHERE day = ?")
      .withPageSize(10)
      .withPagingState(state);
    const rs = await session.query(q, ["2024-01-01"]);
    const seqs = rs.rows().map((r) => r.get("seq"));
    page++;
    console.log(
      `  page ${page}: ${rs.length} rows (seq ${seqs[0]}..${seqs.at(-1)}), ` +
        `more: ${rs.pagingState !== null}`,
    );
    state = rs.pagingState;
  } while (state !== null);
} finally {
  await session.close();
}
