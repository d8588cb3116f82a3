/**
 * The soak workload, run by `scripts/soak.ts` in a child process: prepared
 * writes and reads at a fixed concurrency, heap and RSS sampled every 10 s.
 * After `close()` it returns without exiting: the parent checks that the
 * process then ends by itself (no timer, socket or listener left behind).
 * @module
 */

import process from "node:process";
import { Session } from "../../mod.ts";

const hosts = (process.env.CQL_HOSTS ?? "127.0.0.1:9042").split(",");
const total = Number(process.env.SOAK_REQUESTS ?? 1_000_000);
const concurrency = Number(process.env.SOAK_CONCURRENCY ?? 256);
const sampleMs = Number(process.env.SOAK_SAMPLE_MS ?? 10_000);

const session = await Session.connect(hosts);
await session.execute(
  "CREATE KEYSPACE IF NOT EXISTS soak WITH replication = " +
    "{'class': 'SimpleStrategy', 'replication_factor': 1}",
);
await session.execute("CREATE TABLE IF NOT EXISTS soak.kv (k int PRIMARY KEY, v text)");
const write = await session.prepare("INSERT INTO soak.kv (k, v) VALUES (?, ?)");
const read = await session.prepare("SELECT v FROM soak.kv WHERE k = ?");

const mb = (n: number) => Math.round(n / 1024 / 1024 * 10) / 10;
const started = performance.now();
let done = 0, failed = 0, next = 0;
const sample = () => {
  const m = process.memoryUsage();
  const s = ((performance.now() - started) / 1000).toFixed(0);
  console.log(
    `sample t=${s}s done=${done} failed=${failed} heapMB=${mb(m.heapUsed)} rssMB=${mb(m.rss)}`,
  );
};
sample();
const timer = setInterval(sample, sampleMs);
await Promise.all(Array.from({ length: concurrency }, async () => {
  while (next < total) {
    const i = next++;
    try {
      if (i % 2 === 0) await session.executePrepared(write, [i % 100_000, `value-${i}`]);
      else await session.executePrepared(read, [(i - 1) % 100_000]);
      done++;
    } catch (e) {
      failed++;
      if (failed <= 5) console.log(`error: ${(e as Error).message}`);
    }
  }
}));
clearInterval(timer);
sample();
const secs = (performance.now() - started) / 1000;
console.log(
  `result requests=${done} failed=${failed} seconds=${secs.toFixed(1)} ops=${
    Math.round(done / secs)
  }`,
);
await session.close();
console.log("closed");
