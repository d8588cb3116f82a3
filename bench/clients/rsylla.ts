/**
 * Bench client for rsylla-ts (this driver). Speaks the client protocol of
 * `harness.mjs`; run by `bench/run.ts`.
 *
 * Deno: `deno run -A bench/clients/rsylla.ts --workload read_prepared --concurrency 32`
 * Bun:  `bun bench/clients/rsylla.ts ...`
 * Node: `bun build bench/clients/rsylla.ts --target=node --outfile=.cache/bench/rsylla_node.mjs`
 *       then `node .cache/bench/rsylla_node.mjs ...`
 * @module
 */

import process from "node:process";
import { type PreparedStatement, SessionBuilder } from "../../mod.ts";
import { CQL, parseArgs, runBench, runtimeName } from "./harness.mjs";

const o = parseArgs(process.argv.slice(2));
const session = await new SessionBuilder()
  .knownNodes(o.hosts)
  .useKeyspace(o.keyspace, false)
  .build();

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
  case "read_prepared": {
    const ps = await session.prepare(CQL.readBind);
    op = async (k) => {
      const rs = await session.executePrepared(ps, [k]);
      rs.firstRow()?.columns();
      return rs.length;
    };
    break;
  }
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
    const ps: PreparedStatement = (await session.prepare(CQL.paged)).withPageSize(o.pageSize);
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
  default:
    throw new Error(`unknown workload ${o.workload}`);
}
await runBench({ driver: "rsylla-ts", runtime: runtimeName() }, o, op);
await session.close();
process.exit(0);
