/**
 * Serves a SIMULATED ScyllaDB cluster (not ScyllaDB) for a peer driver to
 * connect to, driven over stdin/stdout by `tablets_python.py`: three nodes on
 * 127.0.0.61-63, a vnode keyspace `ks` and a tablets keyspace `tks` (RF 2,
 * 128 tablets at random boundaries on random shards).
 *
 * stdout: one JSON line `{"ready": true, "port": P, ...}` once listening, then
 * one JSON line per command. stdin commands, one per line:
 * `mark` (start counting), `share` (landing shares since the mark, for `tks`),
 * `move <token>` (move that token's tablet elsewhere), `quit`.
 *
 * `deno run -A tests/sim/peer_check/serve_cluster.ts [--port 19042] [--v2]`
 * or `bun tests/sim/peer_check/serve_cluster.ts ...`.
 * @module
 */

import process from "node:process";
import * as readline from "node:readline";
import { SimulatedScyllaCluster } from "../scylla_cluster.ts";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const port = Number(arg("--port", "19042"));
const cluster = await SimulatedScyllaCluster.start({
  port,
  shardAwarePort: port + 1,
  nrShards: [4, 3, 5],
  tabletKeyspaces: [{ name: "tks", rf: 2, count: 128, layout: "random" }],
  tabletsV2: process.argv.includes("--v2"),
  seed: Number(arg("--seed", "7")),
});
const say = (o: unknown) =>
  console.log(JSON.stringify(o, (_k, v) => (typeof v === "bigint" ? String(v) : v)));
say({
  ready: true,
  port: cluster.port,
  contactPoints: cluster.contactPoints(),
  tablets: cluster.tablets("tks").tablets.length,
});

let mark = cluster.mark();
const lines = readline.createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const [cmd, a] = line.trim().split(/\s+/);
  if (cmd === "mark") {
    mark = cluster.mark();
    say({ marked: true });
  } else if (cmd === "share") {
    const conns = cluster.nodes.flatMap((n) => n.connections);
    const negotiated = {
      connections: conns.length,
      v1: conns.filter((c) => c.startup.has("TABLETS_ROUTING_V1")).length,
      v2: conns.filter((c) => c.startup.has("TABLETS_ROUTING_V2_EXPERIMENTAL")).length,
    };
    const keys: Record<string, number> = {};
    for (const r of cluster.executes()) if (r.payload) keys[r.payload] = (keys[r.payload] ?? 0) + 1;
    say({ share: cluster.share(mark, "tks"), negotiated, payloadKeys: keys });
  } else if (cmd === "move") {
    say({ moved: cluster.moveTablet("tks", BigInt(a)) });
  } else if (cmd === "quit") {
    lines.close();
  } else say({ error: `unknown command ${cmd}` });
});
lines.on("close", async () => {
  await cluster.close();
  process.exit(0);
});
