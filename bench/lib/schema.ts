/**
 * The bench schema: keyspace `benchks` (RF 1), table `test (id int PRIMARY KEY,
 * value int)` as in the rsylla benchmark suite, filled with keys 0..keys-1 so
 * every read finds its row, and table `paged` with one 100 000-row partition.
 * Filling is skipped when the last row of each is already there.
 * @module
 */

import { type Session, SessionBuilder } from "../../mod.ts";

/** What the bench reads and writes. */
export interface SchemaOptions {
  host: string;
  keyspace: string;
  keys: number;
  pagedRows: number;
}

async function fill(
  session: Session,
  cql: string,
  count: number,
  values: (i: number) => number[],
): Promise<void> {
  const ps = await session.prepare(cql);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await session.executePrepared(ps, values(i));
    }
  };
  await Promise.all(Array.from({ length: 128 }, worker));
}

/** Creates (or reuses) the schema and data; logs what it did; resolves with the server version. */
export async function ensureSchema(o: SchemaOptions, log: (s: string) => void): Promise<string> {
  const t0 = performance.now();
  const session = await new SessionBuilder().knownNode(o.host).build();
  let version = "?";
  try {
    const local = await session.execute("SELECT release_version FROM system.local");
    version = String(local.firstRow()?.get(0) ?? "?");
    await session.execute(
      `CREATE KEYSPACE IF NOT EXISTS ${o.keyspace} WITH replication = ` +
        `{'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    await session.execute(
      `CREATE TABLE IF NOT EXISTS ${o.keyspace}.test (id int PRIMARY KEY, value int)`,
    );
    await session.execute(
      `CREATE TABLE IF NOT EXISTS ${o.keyspace}.paged ` +
        `(pk int, ck int, v int, PRIMARY KEY (pk, ck))`,
    );
    await session.awaitSchemaAgreement();
    await session.useKeyspace(o.keyspace, false);
    const last = await session.execute("SELECT id FROM test WHERE id = ?", [o.keys - 1]);
    if (last.isEmpty()) {
      log(`  filling ${o.keyspace}.test with ${o.keys} rows…`);
      await fill(session, "INSERT INTO test (id, value) VALUES (?, ?)", o.keys, (i) => [i, i]);
    }
    const lastCk = await session.execute(
      "SELECT ck FROM paged WHERE pk = 0 AND ck = ?",
      [o.pagedRows - 1],
    );
    if (lastCk.isEmpty()) {
      log(`  filling ${o.keyspace}.paged partition 0 with ${o.pagedRows} rows…`);
      await fill(session, "INSERT INTO paged (pk, ck, v) VALUES (0, ?, ?)", o.pagedRows, (
        i,
      ) => [i, i * 7]);
    }
  } finally {
    await session.close();
  }
  log(`  schema ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return version;
}
