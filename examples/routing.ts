/**
 * Rack- and latency-aware routing: prefer coordinators in the local rack, then
 * the local datacenter, then remote ones, and among equally good ones avoid
 * a node much slower than the fastest. Prints where requests went.
 *
 *   deno run -A examples/routing.ts [datacenter] [rack]
 *   bun examples/routing.ts [datacenter] [rack]
 *
 * Contact points come from CQL_HOSTS (comma-separated), default 127.0.0.1:9042.
 * Without arguments the datacenter and rack are those of the first node.
 * @module
 */

import { Session, SessionBuilder } from "../mod.ts";
import { contactPoints } from "./env.ts";

const args = (globalThis as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
// Ask the cluster where its first node is, unless told.
const probe = await Session.connect(contactPoints());
const first = probe.getClusterData().nodes[0];
await probe.close();
const dc = args[0] ?? first.datacenter;
const rack = args[1] ?? first.rack;

const session = await new SessionBuilder()
  .knownNodes(contactPoints())
  .localDatacenter(dc)
  .localRack(rack)
  .latencyAware({ exclusionThreshold: 2, retryPeriodMs: 10_000, minimumMeasurements: 50 })
  .build();
try {
  for (let i = 0; i < 200; i++) await session.execute("SELECT now() FROM system.local");
  const m = session.getMetrics();
  console.log(`local datacenter ${dc}, local rack ${rack}`);
  for (const n of session.getClusterData().nodes) {
    const key = `${n.address}:${n.port}`;
    console.log(
      `${key} (${n.datacenter}/${n.rack}): ${m.requestsPerNode.get(key) ?? 0} requests, ` +
        `p50 ${m.nodes.get(key)?.latencyMs.p50 ?? 0} ms`,
    );
  }
} finally {
  await session.close();
}
