/**
 * Bench client for rsylla-ts (this driver). Speaks the client protocol of
 * `harness.mjs`; run by `bench/run.ts`.
 *
 * Deno: `deno run -A bench/clients/rsylla.ts --workload read_prepared --concurrency 32`
 * Bun:  `bun bench/clients/rsylla.ts ...`
 * Node: `bun build bench/clients/rsylla.ts --target=node --outfile=.cache/bench/rsylla_node.mjs`
 *       then `node .cache/bench/rsylla_node.mjs ...`
 *
 * `batch`: one `Batch("unlogged")` holding the prepared INSERT ten times, built once, run with
 * `session.batch(b, values)` (ten value rows per operation; the driver routes a batch by its
 * first statement). `inflight`: see harness.mjs (the connection cap is raised to 32768 so that
 * all 10 000 requests are on the wire, not queued in the driver).
 *
 * `--routing-forced` flips the driver's internal switch (src/cluster/routing_switch.ts, not
 * exported from mod.ts): against one unsharded node the driver then computes the routing key,
 * the Murmur3 token and the replica lookup on every request, as the peers do.
 * @module
 */

import process from "node:process";
import { Batch, type PreparedStatement, SessionBuilder } from "../../mod.ts";
import { forceRouting } from "../../src/cluster/routing_switch.ts";
import {
  BATCH_SIZE,
  batchKeys,
  CQL,
  parseArgs,
  runBench,
  runInflight,
  runtimeName,
} from "./harness.mjs";

const o = parseArgs(process.argv.slice(2));
if (o.routingForced) forceRouting(true);
const builder = new SessionBuilder()
  .knownNodes(o.hosts)
  .useKeyspace(o.keyspace, false);
// Any other value is the builder's RangeError, not a silent fallback to negotiation.
if (o.protocol !== 0) builder.protocolVersion(o.protocol as 4 | 5);
if (o.workload === "inflight") builder.maxRequestsPerConnection(32768).requestTimeout(60_000);
const session = await builder.build();

/** A read of one key by a statement prepared once: `read_prepared`, `inflight`, `tablets_read`. */
async function preparedRead(cql: string): Promise<(k: number) => Promise<number>> {
  const ps = await session.prepare(cql);
  return async (k) => {
    const rs = await session.executePrepared(ps, [k]);
    rs.firstRow()?.columns();
    return rs.length;
  };
}

/** The 100 000-row read of `paged_read` and `paged_iter`, prepared, in `--page-size` pages. */
async function pagedStatement(): Promise<PreparedStatement> {
  return (await session.prepare(CQL.paged)).withPageSize(o.pageSize);
}

let op: (k: number) => Promise<number | void>;
switch (o.workload) {
  case "read":
    op = async (k) => {
      const rs = await session.execute(CQL.read(k));
      rs.firstRow()?.columns();
      return rs.length;
    };
    break;
  case "read_bind":
    op = async (k) => {
      const rs = await session.execute(CQL.readBind, [k]);
      rs.firstRow()?.columns();
      return rs.length;
    };
    break;
  case "read_prepared":
  case "inflight":
    op = await preparedRead(CQL.readBind);
    break;
  case "write":
    op = async (k) => {
      await session.execute(CQL.write(k));
    };
    break;
  case "write_bind":
    op = async (k) => {
      await session.execute(CQL.writeBind, [k, k]);
    };
    break;
  case "write_prepared": {
    const ps = await session.prepare(CQL.writeBind);
    op = async (k) => {
      await session.executePrepared(ps, [k, k]);
    };
    break;
  }
  case "paged_read": {
    // Page by hand, as datastax.mjs does: one await per page, a plain loop over its rows.
    const ps = await pagedStatement();
    op = async () => {
      let n = 0;
      let rs = await session.executePrepared(ps.withPagingState(null), [0]);
      for (;;) {
        for (const row of rs) {
          row.get(0);
          n++;
        }
        if (rs.pagingState === null) return n;
        rs = await session.executePrepared(ps.withPagingState(rs.pagingState), [0]);
      }
    };
    break;
  }
  case "paged_iter": {
    // The streaming API: `for await` costs the runtime one microtask per row.
    const ps = await pagedStatement();
    op = async () => {
      let n = 0;
      for await (const row of session.iter(ps, [0])) {
        row.get(0);
        n++;
      }
      return n;
    };
    break;
  }
  case "batch": {
    const ps = await session.prepare(CQL.writeBind);
    const b = new Batch("unlogged");
    for (let i = 0; i < BATCH_SIZE; i++) b.appendPrepared(ps);
    const keys = o.keys;
    op = async (k) => {
      await session.batch(b, batchKeys(k, keys).map((x) => [x, x]));
    };
    break;
  }
  case "tablets_read":
    op = await preparedRead(CQL.tabletsRead);
    break;
  default:
    throw new Error(`unknown workload ${o.workload}`);
}
const info = { driver: "rsylla-ts", runtime: runtimeName() };
if (o.workload === "inflight") {
  const hold = await session.prepare(CQL.hold);
  await runInflight(info, o, {
    op,
    holdOp: (k) => session.executePrepared(hold, [k]),
    scalar: async (cql) => Number((await session.execute(cql)).firstRow()?.get(0) ?? 0),
  });
} else await runBench(info, o, op);
await session.close();
process.exit(0);
