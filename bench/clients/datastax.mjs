/**
 * Bench client for the DataStax Node.js driver (npm `cassandra-driver`), on
 * Node, and on Bun and Deno where it runs. Client protocol: see `harness.mjs`.
 *
 * Workloads map to the driver's own idioms:
 * - `read`/`write`: `client.execute(cql)`, a QUERY with the values in the text;
 * - `*_bind`: `client.execute(cql, params, { prepare: false, hints })`, a QUERY
 *   with bound values (hints give the int type: plain numbers would go as double);
 * - `*_prepared`: `client.execute(cql, params, { prepare: true })`, the driver's
 *   way to prepare (once, cached) and EXECUTE;
 * - `paged_read`: prepared, `fetchSize` = page size, following `pageState`;
 * - `batch`: `client.batch(ten { query, params }, { prepare: true, logged: false })`, an
 *   UNLOGGED BATCH of the prepared INSERT (prepared once, cached);
 * - `inflight`: see harness.mjs; `pooling.maxRequestsPerConnection` raised to 32768 (default
 *   2048) so that all 10 000 requests are on the wire.
 * @module
 */

import process from "node:process";
import { createRequire } from "node:module";
import {
  batchKeys,
  CQL,
  hostPort,
  parseArgs,
  runBench,
  runInflight,
  runtimeName,
} from "./harness.mjs";

const require = createRequire(import.meta.url);
const cassandra = require("cassandra-driver");
const version = require("cassandra-driver/package.json").version;

const o = parseArgs(process.argv.slice(2));
const hosts = o.hosts.map(hostPort);
const client = new cassandra.Client({
  contactPoints: hosts.map((h) => h.host),
  protocolOptions: { port: hosts[0].port, maxVersion: 4 },
  localDataCenter: "datacenter1",
  keyspace: o.keyspace,
  socketOptions: o.workload === "inflight"
    ? { tcpNoDelay: true, readTimeout: 60_000 }
    : { tcpNoDelay: true },
  ...(o.workload === "inflight" ? { pooling: { maxRequestsPerConnection: 32768 } } : {}),
});
await client.connect();

const INT = ["int"];
const INT2 = ["int", "int"];
const prepared = { prepare: true };
const bound1 = { prepare: false, hints: INT };
const bound2 = { prepare: false, hints: INT2 };

/** @type {(k: number) => Promise<number | void>} */
let op;
switch (o.workload) {
  case "read":
    op = async (k) => {
      const rs = await client.execute(CQL.read(k));
      rs.first();
      return rs.rowLength;
    };
    break;
  case "read_bind":
    op = async (k) => {
      const rs = await client.execute(CQL.readBind, [k], bound1);
      rs.first();
      return rs.rowLength;
    };
    break;
  case "read_prepared":
    op = async (k) => {
      const rs = await client.execute(CQL.readBind, [k], prepared);
      rs.first();
      return rs.rowLength;
    };
    break;
  case "write":
    op = async (k) => {
      await client.execute(CQL.write(k));
    };
    break;
  case "write_bind":
    op = async (k) => {
      await client.execute(CQL.writeBind, [k, k], bound2);
    };
    break;
  case "write_prepared":
    op = async (k) => {
      await client.execute(CQL.writeBind, [k, k], prepared);
    };
    break;
  case "paged_read": {
    const opts = { prepare: true, fetchSize: o.pageSize };
    op = async () => {
      let n = 0;
      let rs = await client.execute(CQL.paged, [0], opts);
      for (;;) {
        for (const row of rs.rows) {
          row.ck;
          n++;
        }
        if (!rs.pageState) break;
        rs = await client.execute(CQL.paged, [0], { ...opts, pageState: rs.pageState });
      }
      return n;
    };
    break;
  }
  case "batch": {
    const opts = { prepare: true, logged: false };
    const keys = o.keys;
    op = async (k) => {
      await client.batch(
        batchKeys(k, keys).map((x) => ({ query: CQL.writeBind, params: [x, x] })),
        opts,
      );
    };
    break;
  }
  case "inflight":
    op = async (k) => {
      const rs = await client.execute(CQL.readBind, [k], prepared);
      rs.first();
      return rs.rowLength;
    };
    break;
  default:
    throw new Error(`unknown workload ${o.workload}`);
}

const info = { driver: `datastax ${version}`, runtime: runtimeName() };
if (o.workload === "inflight") {
  await runInflight(info, o, {
    op,
    holdOp: (k) => client.execute(CQL.hold, [k], prepared),
    scalar: async (cql) => Number((await client.execute(cql)).first()?.get(0) ?? 0),
  });
} else await runBench(info, o, op);
await client.shutdown();
process.exit(0);
