/**
 * TABLETS CLUSTER for the bench's `null-tablets` mode — a SIMULATION, not ScyllaDB: the
 * simulated ScyllaDB cluster of the tests (tests/sim/scylla_cluster.ts, imported, not copied)
 * with three nodes of 4, 3 and 5 shards on `--hosts` (default 127.0.0.51–53), all on `--port`
 * (default 19142; shard-aware port `--port` + 1), a tablets keyspace `tks` (RF 2, 128 tablets at
 * random boundaries on random shards, table `t (k int PRIMARY KEY, v int)`). The tablet map is
 * unrelated to the token ring, so only the `tablets-routing-v1` payloads teach a driver where a
 * partition lives; every EXECUTE is recorded with whether it landed on a replica node and on that
 * replica's shard.
 *
 * stdout: `listening {json}` once ready, then one JSON line per command. stdin, one per line:
 * `reset` (forget the record, start counting), `share` (landing shares since the reset, and the
 * connections opened since, with how many negotiated TABLETS_ROUTING_V1), `quit`.
 *
 * `deno run -A bench/tablets_server.ts [--hosts 127.0.0.51,127.0.0.52,127.0.0.53] [--port 19142]`
 * @module
 */

import process from "node:process";
import * as readline from "node:readline";
import { SimulatedScyllaCluster } from "../tests/sim/scylla_cluster.ts";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const port = Number(arg("--port", "19142"));
const addresses = arg("--hosts", "127.0.0.51,127.0.0.52,127.0.0.53").split(",");
const cluster = await SimulatedScyllaCluster.start({
  addresses,
  port,
  shardAwarePort: port + 1,
  nrShards: [4, 3, 5],
  tabletKeyspaces: [{ name: "tks", rf: 2, count: 128, layout: "random" }],
  seed: Number(arg("--seed", "7")),
});
const say = (o: unknown) =>
  console.log(JSON.stringify(o, (_k, v) => (typeof v === "bigint" ? String(v) : v)));
console.log(
  `listening ${
    JSON.stringify({
      contactPoints: cluster.contactPoints(),
      tablets: cluster.tablets("tks").tablets.length,
      shards: cluster.nodes.map((n) => n.nrShards),
    })
  }`,
);

let connMark = cluster.nodes.map((n) => n.connections.length);
const lines = readline.createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const cmd = line.trim();
  if (cmd === "reset") {
    // The record grows by one entry per request: drop it between client runs.
    for (const n of cluster.nodes) n.executes.length = 0;
    connMark = cluster.nodes.map((n) => n.connections.length);
    say({ reset: true });
  } else if (cmd === "share") {
    const conns = cluster.nodes.flatMap((n, i) => n.connections.slice(connMark[i]));
    say({
      share: cluster.share(undefined, "tks"),
      connections: conns.length,
      v1: conns.filter((c) => c.startup.has("TABLETS_ROUTING_V1")).length,
      shardAware: conns.filter((c) => c.via === "shard-aware").length,
    });
  } else if (cmd === "quit") {
    lines.close();
  } else say({ error: `unknown command ${cmd}` });
});
lines.on("close", async () => {
  await cluster.close();
  process.exit(0);
});
