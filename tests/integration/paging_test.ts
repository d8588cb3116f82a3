// Paging over 10 000 rows of one partition: execute() follows every page, iter() fetches
// pages lazily and stops when the loop breaks or its signal aborts. Page fetches are counted
// on the node (system_views.clients), never timed.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Query, type QueryResult, type Row, type Session } from "../../mod.ts";
import { cqlHosts } from "./env.ts";
import {
  connect,
  createKeyspace,
  dropKeyspace,
  newBuilder,
  requestsOf,
  uniqueKeyspace,
} from "./helpers.ts";

const KS = uniqueKeyspace("paging");
const N = 10_000;
const PAGE = 100;
const SELECT = "SELECT ck, v FROM rows WHERE pk = 1";

describe("paging", () => {
  let admin: Session;
  /** The session under test: one connection, on KS, so its requests can be counted. */
  let s: Session;
  const sent = (action: () => Promise<unknown>) => requestsOf(admin, KS, action);

  before(async () => {
    admin = await connect();
    await createKeyspace(admin, KS);
    await admin.execute(`CREATE TABLE ${KS}.rows (pk int, ck int, v text, PRIMARY KEY (pk, ck))`);
    await admin.execute(`CREATE TABLE ${KS}.empty (pk int, ck int, PRIMARY KEY (pk, ck))`);
    const ins = await admin.prepare(`INSERT INTO ${KS}.rows (pk, ck, v) VALUES (1, ?, ?)`);
    for (let start = 0; start < N; start += 500) {
      await Promise.all(
        Array.from(
          { length: 500 },
          (_, i) => admin.executePrepared(ins, [start + i, `v${start + i}`]),
        ),
      );
    }
    s = await connect(newBuilder().knownNodes(cqlHosts()).useKeyspace(KS, false));
  });

  after(async () => {
    await s?.close();
    await dropKeyspace(admin, KS);
    await admin?.close();
  });

  function assertAllRows(cks: unknown[]) {
    assert.equal(cks.length, N);
    for (let i = 0; i < N; i++) if (cks[i] !== i) assert.fail(`row ${i} has ck ${cks[i]}`);
  }

  it("execute() with page size 100 returns every row, one request per page", async () => {
    let rs: QueryResult | undefined;
    const requests = await sent(async () => {
      rs = await s.query(new Query(SELECT).withPageSize(PAGE));
    });
    assertAllRows(rs!.rows().map((r) => r.get("ck")));
    assert.equal(rs!.pagingState, null);
    // 100 full pages, and perhaps one empty page to learn that there is no more.
    assert.ok(requests === 100n || requests === 101n, `${requests} requests`);
  });

  it("execute() with values and the default page size returns every row", async () => {
    const rs = await s.execute("SELECT ck FROM rows WHERE pk = ?", [1]);
    assertAllRows(rs.rows().map((r) => r.get(0)));
    const prepared = await s.prepare("SELECT ck FROM rows WHERE pk = ?");
    const ps = await s.executePrepared(prepared.withPageSize(PAGE), { pk: 1 });
    assertAllRows(ps.rows().map((r) => r.get(0)));
  });

  it("iter() streams every row of a string, a Query and a PreparedStatement", async () => {
    const collect = async (it: AsyncIterable<Row>) => {
      const out: unknown[] = [];
      for await (const row of it) out.push(row.get(0));
      return out;
    };
    assertAllRows(await collect(s.iter(new Query(SELECT).withPageSize(PAGE))));
    assertAllRows(await collect(s.iter("SELECT ck FROM rows WHERE pk = ?", [1])));
    const ps = (await s.prepare("SELECT ck FROM rows WHERE pk = :p")).withPageSize(PAGE);
    assertAllRows(await collect(s.iter(ps, { p: 1 })));
    assertAllRows(await collect(s.iter(ps, [1])));
    assert.deepEqual(await collect(s.iter("SELECT ck FROM empty WHERE pk = 1")), []);
  });

  it("iter() fetches a page only when the previous one is consumed", async () => {
    const iterator = s.iter(new Query(SELECT).withPageSize(PAGE))[Symbol.asyncIterator]();
    let next: IteratorResult<Row> | undefined;
    // The first row costs one request.
    assert.equal(await sent(async () => next = await iterator.next()), 1n);
    assert.equal(next!.value?.get("ck"), 0);
    // The rest of the first page is already here.
    const rest = await sent(async () => {
      for (let i = 1; i < PAGE; i++) assert.equal((await iterator.next()).value?.get(0), i);
    });
    assert.equal(rest, 0n);
    // Row 100 needs the second page.
    assert.equal(await sent(async () => next = await iterator.next()), 1n);
    assert.equal(next!.value?.get(0), PAGE);
    await iterator.return?.();
  });

  it("breaking out of iter() stops fetching", async () => {
    let seen = 0;
    const requests = await sent(async () => {
      for await (const row of s.iter(new Query(SELECT).withPageSize(PAGE))) {
        assert.equal(row.get("ck"), seen);
        if (++seen === 150) break;
      }
    });
    assert.equal(seen, 150);
    assert.equal(requests, 2n, "two pages for 150 rows");
    // Nothing is fetched after the loop ended either.
    assert.equal(await sent(() => Promise.resolve()), 0n);
  });

  it("iter() with an AbortSignal rejects with its reason and stops fetching", async () => {
    const controller = new AbortController();
    const reason = new Error("enough rows");
    let seen = 0;
    const requests = await sent(async () => {
      await assert.rejects(async () => {
        for await (
          const _ of s.iter(new Query(SELECT).withPageSize(PAGE), undefined, {
            signal: controller.signal,
          })
        ) {
          if (++seen === 250) controller.abort(reason);
        }
      }, (e: unknown) => e === reason);
    });
    assert.ok(seen >= 250 && seen <= 300, `${seen} rows seen`);
    assert.equal(requests, 3n, "pages 1 to 3 only");
  });

  it("iter() with an already-aborted signal rejects and sends nothing", async () => {
    const reason = new Error("aborted before");
    const requests = await sent(async () => {
      await assert.rejects(async () => {
        for await (const _ of s.iter(SELECT, undefined, { signal: AbortSignal.abort(reason) })) {
          assert.fail("no row expected");
        }
      }, (e: unknown) => e === reason);
    });
    assert.equal(requests, 0n);
  });
});
