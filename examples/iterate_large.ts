/**
 * Streaming a large result with `session.iter()`: rows arrive page by page,
 * the next page is fetched only when the previous one has been consumed, and
 * an `AbortSignal` bounds the whole read.
 *
 *   deno run -A examples/iterate_large.ts
 *   bun examples/iterate_large.ts
 *
 * Contact points come from CQL_HOSTS (comma-separated), default 127.0.0.1:9042.
 * @module
 */

import { Query, Session } from "../mod.ts";
import { contactPoints } from "./env.ts";
import { ensureKeyspace, KEYSPACE } from "./setup.ts";

const ROWS = 5000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const session = await Session.connect(contactPoints());
try {
  await ensureKeyspace(session);
  await session.execute(
    `CREATE TABLE IF NOT EXISTS ${KEYSPACE}.log_lines ` +
      "(source text, line int, message text, PRIMARY KEY (source, line))",
  );
  await session.awaitSchemaAgreement();

  const insert = await session.prepare(
    `INSERT INTO ${KEYSPACE}.log_lines (source, line, message) VALUES (?, ?, ?)`,
  );
  for (let start = 0; start < ROWS; start += 250) {
    const batch = [];
    for (let line = start; line < start + 250; line++) {
      batch.push(
        session.executePrepared(insert, [`app-${line % 4}`, line, `log line ${line}`]),
      );
    }
    await Promise.all(batch);
  }
  console.log(`wrote ${ROWS} rows to ${KEYSPACE}.log_lines`);

  const all = new Query(`SELECT source, line, message FROM ${KEYSPACE}.log_lines`)
    .withPageSize(500); // rows per round trip; only one page is held at a time

  // 1. Read everything, bounded by a 10-second deadline for the whole stream.
  let count = 0;
  let bytes = 0;
  const started = performance.now();
  for await (
    const row of session.iter(all, undefined, { signal: AbortSignal.timeout(10_000) })
  ) {
    count++;
    bytes += String(row.get("message")).length;
  }
  console.log(
    `streamed ${count} rows (${bytes} characters of messages) in ` +
      `${(performance.now() - started).toFixed(0)} ms, 500 rows per page`,
  );

  // 2. Stop early: `break` ends the stream; no further pages are fetched.
  const firstFive = [];
  for await (const row of session.iter(all)) {
    firstFive.push(`${row.get("source")}#${row.get("line")}`);
    if (firstFive.length === 5) break;
  }
  console.log(`first five rows: ${firstFive.join(", ")}`);

  // 3. A consumer too slow for its deadline: the signal fires while rows are
  //    being processed, and the stream stops with the signal's reason.
  count = 0;
  try {
    for await (
      const _row of session.iter(all, undefined, { signal: AbortSignal.timeout(300) })
    ) {
      count++;
      if (count % 500 === 0) await sleep(100); // slow work after every page
    }
    console.log(`slow consumer finished all ${count} rows`);
  } catch (e) {
    const name = (e as Error).name;
    console.log(`slow consumer stopped after ${count} of ${ROWS} rows: ${name}`);
  }

  // Values work too: stream one partition through a bind marker.
  let perSource = 0;
  for await (
    const _ of session.iter(
      `SELECT line FROM ${KEYSPACE}.log_lines WHERE source = ?`,
      ["app-1"],
    )
  ) perSource++;
  console.log(`partition app-1 has ${perSource} rows`);
} finally {
  await session.close();
}
