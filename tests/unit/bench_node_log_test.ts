/**
 * The bench's reading of a stopped node's logs (bench/lib/node_log.ts): which
 * lines a node incident quotes as the cause, from log text shaped as Cassandra
 * 5.0.9 writes it (system.log, and the JVM's own output in stdout.log).
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { causeLines, logTime } from "../../bench/lib/node_log.ts";

const SYSTEM_LOG = [
  "2026-12-07 06:47:07,352 INFO  [main] CassandraDaemon - JVM Arguments: [-Xms768m, " +
  "-XX:+ExitOnOutOfMemoryError, -ea]",
  "2026-12-07 06:48:18,839 WARN  [Notification Thread] GCInspector - G1 Old Generation GC " +
  "in 1284ms.  G1 Old Gen: 802124200 -> 797718408;",
  "2026-12-07 06:55:00,001 INFO  [Native-Transport-Requests-3] Reading page",
  "2026-12-07 06:55:01,500 WARN  [Notification Thread] GCInspector - G1 Old Generation GC " +
  "in 4210ms.",
  "2026-12-07 06:55:01,600 WARN  [Notification Thread] GCInspector - G1 Young Generation GC " +
  "in 210ms.",
  "2026-12-07 06:55:02,000 ERROR [ReadStage-1] JVMStabilityInspector - Exception in thread",
].join("\n");

const STDOUT_LOG = [
  "Terminating due to java.lang.OutOfMemoryError: Java heap space (an earlier life)",
  "2026-12-07 06:47:07,352 INFO  CassandraDaemon - JVM Arguments: [-XX:+ExitOnOutOfMemoryError]",
  "2026-12-07 06:55:02,000 ERROR JVMStabilityInspector - Exception in thread",
  "Terminating due to java.lang.OutOfMemoryError: Java heap space",
  "",
].join("\n");

describe("bench node incident: causeLines", () => {
  it("quotes errors, long GC pauses and the JVM's own exit line written since the run began", () => {
    assert.deepEqual(causeLines(SYSTEM_LOG, STDOUT_LOG, "2026-12-07 06:55:00"), [
      "2026-12-07 06:55:01,500 WARN  [Notification Thread] GCInspector - G1 Old Generation GC " +
      "in 4210ms.",
      "2026-12-07 06:55:02,000 ERROR [ReadStage-1] JVMStabilityInspector - Exception in thread",
      "Terminating due to java.lang.OutOfMemoryError: Java heap space",
    ]);
  });

  it("leaves out what came before the run, and the JVM argument that names OutOfMemoryError", () => {
    const all = causeLines(SYSTEM_LOG, STDOUT_LOG, "2026-12-07 06:00:00");
    assert.ok(all.every((l) => !l.includes("JVM Arguments")), all.join("\n"));
    assert.ok(all.some((l) => l.includes("GC in 1284ms")), "pauses of 1 s and more are causes");
    assert.ok(all.every((l) => !l.includes("in 210ms")), "short pauses are not");
  });

  it("says nothing when nothing was written since (a SIGKILL leaves no line)", () => {
    const killed = STDOUT_LOG.replace(/Terminating due to [^\n]*Java heap space\n/, "");
    assert.deepEqual(causeLines(SYSTEM_LOG, killed, "2026-12-07 07:00:00"), []);
  });

  it("keeps the last `max` lines, each cut to 300 characters", () => {
    const long = Array.from(
      { length: 5 },
      (_, i) => `2026-12-07 08:00:0${i},000 ERROR ${"x".repeat(400)}`,
    );
    const got = causeLines(long.join("\n"), "", "2026-12-07 08:00:00", 2);
    assert.equal(got.length, 2);
    assert.ok(got[0].startsWith("2026-12-07 08:00:03"));
    assert.ok(got.every((l) => l.length === 300));
  });
});

describe("bench node incident: logTime", () => {
  it("writes local time as log4j does, to the second", () => {
    const t = new Date(2026, 11, 7, 6, 5, 9, 123);
    assert.equal(logTime(t), "2026-12-07 06:05:09");
  });
});
