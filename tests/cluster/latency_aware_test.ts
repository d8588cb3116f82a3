// Latency-aware routing on the 3-node cluster: requests without a routing key round-robin
// over dc1 (127.0.0.1, 127.0.0.2). Node c2 is then slowed — its JVM paused 20 ms of every
// 40 ms with SIGSTOP/SIGCONT (this kernel has no netem, and the driver reaches peers at their
// own addresses, so a proxy cannot sit in front of one node) — and its measured share of
// requests drops; once it is fast again its share recovers after the retry period. Shares are
// printed before, during and after.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { readFileSync } from "node:fs";
import type { Session } from "../../mod.ts";
import { clusterBuilder, connectCluster, ROOT, sentSince } from "./helpers.ts";

const SLOW = "127.0.0.2:9042";
const FAST = "127.0.0.1:9042";
const RETRY_MS = 2000;
const PHASE_MS = 4000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("latency-aware routing on the cluster", () => {
  let s: Session;
  let pid = 0;
  let slowing = false;
  let pauser: Promise<void> = Promise.resolve();

  before(async () => {
    pid = Number(readFileSync(`${ROOT}/.rsylla/nodes/c2/cassandra.pid`, "utf8").trim());
    s = await connectCluster(
      clusterBuilder().localDatacenter("dc1").latencyAware({
        exclusionThreshold: 3,
        retryPeriodMs: RETRY_MS,
        minimumMeasurements: 10,
        scale: 100,
      }),
    );
  });
  after(async () => {
    slowing = false;
    await pauser;
    process.kill(pid, "SIGCONT");
    await s?.close();
  });

  /** The share of requests each dc1 node coordinated over `ms` of steady load. */
  async function shares(ms: number): Promise<{ slow: number; fast: number; total: number }> {
    const before = s.getMetrics().requestsPerNode;
    const end = performance.now() + ms;
    const worker = async () => {
      while (performance.now() < end) await s.execute("SELECT now() FROM system.local");
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    const d = sentSince(s, before);
    const slow = d.get(SLOW) ?? 0, fast = d.get(FAST) ?? 0;
    return { slow: slow / (slow + fast), fast: fast / (slow + fast), total: slow + fast };
  }

  /**
   * Load on both dc1 nodes in turn, from a session without latency awareness, for `ms`: a node
   * restarted by an earlier test (cold JIT) is avoided by the latency-aware session and would
   * never warm up under its traffic alone.
   */
  async function warmBothNodes(ms: number): Promise<void> {
    const plain = await connectCluster(clusterBuilder().localDatacenter("dc1"));
    try {
      const end = performance.now() + ms;
      const worker = async () => {
        while (performance.now() < end) await plain.execute("SELECT now() FROM system.local");
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
    } finally {
      await plain.close();
    }
  }

  // Shares measured on a shared 2-core runner are not stable enough for CI: with three JVMs and
  // other work on the cores, the paused node has still taken 35 % while slowed (one of two runs,
  // load average 15). Run it by hand on a quiet machine:
  // `RSYLLA_LATENCY_TEST=1 deno test -A tests/cluster/latency_aware_test.ts` (cluster up).
  it("a slowed node gets a smaller share, and its share recovers once it is fast again", {
    skip: process.env.RSYLLA_LATENCY_TEST !== "1"
      ? "timing-dependent: run by hand on a quiet machine with RSYLLA_LATENCY_TEST=1"
      : false,
  }, async () => {
    await shares(1000); // every node measured
    // "Before" is measured once both nodes take a fair share; until then both are warmed by
    // plain round-robin load (bounded: two minutes).
    let before = await shares(PHASE_MS);
    const fair = (x: number) => x > 0.25 && x < 0.75;
    for (const deadline = Date.now() + 120_000; !fair(before.slow) && Date.now() < deadline;) {
      await warmBothNodes(2 * PHASE_MS);
      await sleep(2 * RETRY_MS); // old averages stop counting
      before = await shares(PHASE_MS);
    }
    slowing = true;
    pauser = (async () => {
      while (slowing) {
        process.kill(pid, "SIGSTOP");
        await sleep(20);
        process.kill(pid, "SIGCONT");
        await sleep(20);
      }
    })();
    const during = await shares(PHASE_MS);
    slowing = false;
    await pauser;
    process.kill(pid, "SIGCONT");
    // Requests stuck in a pause may have made the pool drop its connections to the node: wait
    // (bounded) until it has one again, then for its stale average to stop counting.
    const reconnectBy = Date.now() + 60_000;
    while ((s.getMetrics().nodes.get(SLOW)?.connections ?? 0) === 0 && Date.now() < reconnectBy) {
      await sleep(200);
    }
    await sleep(3 * RETRY_MS);
    // On a loaded machine the node may need a few phases to be measured fast again.
    let afterwards = await shares(PHASE_MS);
    const recovered = (x: number) => x > 0.2 && x > 2 * during.slow;
    for (const by = Date.now() + 40_000; !recovered(afterwards.slow) && Date.now() < by;) {
      afterwards = await shares(PHASE_MS);
    }
    const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
    console.log(
      `share of ${SLOW}: before ${pct(before.slow)} (${before.total} requests), ` +
        `slowed ${pct(during.slow)} (${during.total}), after ${
          pct(afterwards.slow)
        } (${afterwards.total})`,
    );
    const m = s.getMetrics().nodes;
    console.log(
      `p50 latency: ${FAST} ${m.get(FAST)?.latencyMs.p50} ms, ${SLOW} ${
        m.get(SLOW)?.latencyMs.p50
      } ms`,
    );
    assert.ok(before.slow > 0.25 && before.slow < 0.75, `before: ${pct(before.slow)}`);
    assert.ok(during.slow < 0.15, `while slow: ${pct(during.slow)}`);
    assert.ok(
      afterwards.slow > 0.2 && afterwards.slow > 2 * during.slow,
      `after: ${pct(afterwards.slow)}`,
    );
  });
});
