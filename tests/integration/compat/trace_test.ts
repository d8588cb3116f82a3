/**
 * `client.metadata.getTrace` of `@rsylla/rsylla/compat` against the real node,
 * as DataStax's `examples/tracing/retrieve-query-trace` uses it.
 * @module
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as compat from "../../../src/compat/mod.ts";
import { cqlHosts } from "../env.ts";

describe("compat metadata.getTrace against the real node", () => {
  let client: compat.Client;

  before(async () => {
    client = new compat.Client({ contactPoints: cqlHosts(), localDataCenter: "datacenter1" });
    await client.connect();
  });

  after(async () => {
    await client.shutdown();
  });

  it("reads the trace of a traced query: coordinator, duration, parameters and events", async () => {
    const rs = await client.execute("SELECT release_version FROM system.local", [], {
      traceQuery: true,
    });
    const id = rs.info.traceId;
    assert.ok(id instanceof compat.Uuid, `traceId ${id}`);
    const trace = await client.metadata.getTrace(id);
    assert.ok(trace !== undefined);
    assert.ok(trace.coordinator instanceof compat.InetAddress, `coordinator ${trace.coordinator}`);
    assert.equal(typeof trace.duration, "number");
    assert.ok(trace.startedAt instanceof Date);
    assert.match(String(trace.requestType), /query|execute/i);
    assert.match(JSON.stringify(trace.parameters), /system\.local/);
    assert.ok(trace.events.length > 0, "no trace events");
    assert.ok(trace.events.every((e) => typeof e.activity === "string"));
  });

  it("with a callback (and a consistency) calls it with the trace", async () => {
    const rs = await client.execute("SELECT now() FROM system.local", [], { traceQuery: true });
    const trace = await new Promise<compat.QueryTrace | undefined>((resolve, reject) => {
      client.metadata.getTrace(
        rs.info.traceId!,
        compat.types.consistencies.one,
        (err, t) => (err ? reject(err) : resolve(t)),
      );
    });
    assert.ok(trace !== undefined && trace.events.length > 0);
  });
});
