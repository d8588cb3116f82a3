/**
 * Execution profiles in the builder: every field checked like the builder's
 * own setters, `"default"` overriding the builder, the others merged over
 * that, per-profile load balancing, and resolution call → statement →
 * profile → defaults with the unknown-name error listing the known ones.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ConstantSpeculativeExecutionPolicy,
  FallthroughRetryPolicy,
  Query,
  SessionBuilder,
} from "../../mod.ts";
import { OptionsResolver } from "../../src/request/resolve.ts";
import { ConsistencyCode } from "../../src/consistency.ts";
import { DefaultLoadBalancingPolicy } from "../../src/policies/default_policy.ts";

function builder(): SessionBuilder {
  return new SessionBuilder().knownNode("127.0.0.1");
}

describe("SessionBuilder.executionProfile", () => {
  it("refuses an empty or duplicate name, unknown keys and bad fields", () => {
    const b = builder().executionProfile("fast", { consistency: "ONE" });
    assert.throws(() => b.executionProfile("", {}), TypeError);
    assert.throws(() => b.executionProfile("fast", {}), /already defined/);
    assert.throws(
      () => b.executionProfile("x", { consitency: "ONE" } as never),
      /unknown.*consitency.*valid: consistency/,
    );
    assert.throws(() => b.executionProfile("x", { consistency: "MOST" as never }), RangeError);
    assert.throws(() => b.executionProfile("x", { serialConsistency: "ONE" as never }), RangeError);
    assert.throws(() => b.executionProfile("x", { requestTimeout: 0 }), RangeError);
    assert.throws(() => b.executionProfile("x", { requestTimeout: "1" as never }), TypeError);
    assert.throws(() => b.executionProfile("x", { pageSize: 1.5 }), RangeError);
    assert.throws(() => b.executionProfile("x", { retryPolicy: {} as never }), /decide/);
    assert.throws(
      () => b.executionProfile("x", { speculativeExecution: { delayMs: -1, maxExecutions: 2 } }),
      RangeError,
    );
    assert.throws(() => b.executionProfile("x", { localDatacenter: "" }), TypeError);
    assert.throws(
      () => b.executionProfile("x", { latencyAware: { exclusionThreshold: 0.5 } }),
      RangeError,
    );
    assert.throws(() => b.executionProfile("x", null as never), TypeError);
  });

  it("merges: default over the builder, the others over that", () => {
    const retry = new FallthroughRetryPolicy();
    const spec = new ConstantSpeculativeExecutionPolicy(10, 2);
    const c = builder().requestTimeout(5000).defaultConsistency("ONE")
      .speculativeExecution(spec)
      .executionProfile("default", { consistency: "QUORUM", pageSize: 100 })
      .executionProfile("batchy", {
        requestTimeout: 60_000,
        retryPolicy: retry,
        speculativeExecution: null,
      })
      .toConfig();
    const d = c.executionProfiles.get("default")!;
    assert.equal(d.consistency, ConsistencyCode.QUORUM);
    assert.equal(d.pageSize, 100);
    assert.equal(d.requestTimeout, 5000);
    assert.equal(d.speculativeExecution, spec);
    const p = c.executionProfiles.get("batchy")!;
    assert.equal(p.consistency, ConsistencyCode.QUORUM);
    assert.equal(p.pageSize, 100);
    assert.equal(p.requestTimeout, 60_000);
    assert.equal(p.retryPolicy, retry);
    assert.equal(p.speculativeExecution, null);
  });

  it("a profile with routing settings gets its own policy; localRack needs a datacenter", () => {
    const c = builder().localDatacenter("dc1")
      .executionProfile("rack", { localRack: "r2", latencyAware: {} })
      .executionProfile("plain", { consistency: "ALL" })
      .toConfig();
    const rack = c.executionProfiles.get("rack") as { loadBalancing?: unknown };
    assert.ok(rack.loadBalancing instanceof DefaultLoadBalancingPolicy);
    assert.ok((rack.loadBalancing as DefaultLoadBalancingPolicy).latencyAware !== null);
    assert.equal(
      (c.executionProfiles.get("plain") as { loadBalancing?: unknown }).loadBalancing,
      null,
    );
    assert.throws(
      () => builder().executionProfile("r", { localRack: "r1" }).toConfig(),
      /needs localDatacenter/,
    );
    assert.throws(() => builder().localRack("r1").toConfig(), /needs localDatacenter/);
    assert.throws(() => builder().localRack(""), TypeError);
    assert.throws(() => builder().latencyAware({ exclusionThreshold: 0.9 }), RangeError);
    assert.throws(() => builder().latencyAware({ retryPeriodMs: -1 }), RangeError);
    assert.throws(() => builder().latencyAware({ scale: "1" } as never), TypeError);
    assert.throws(() => builder().latencyAware({ other: 1 } as never), TypeError);
  });

  it("resolves call → statement → profile → defaults; unknown names list the known ones", () => {
    const c = builder().defaultConsistency("ONE").requestTimeout(1000)
      .executionProfile("strong", { consistency: "ALL", requestTimeout: 9000 })
      .executionProfile("paged", { pageSize: 7 })
      .toConfig();
    const defaults = {
      consistency: c.defaultConsistency,
      pageSize: 5000,
      requestTimeout: c.requestTimeout,
      retryPolicy: new FallthroughRetryPolicy(),
      speculativeExecution: null,
    };
    const r = new OptionsResolver(defaults, c.executionProfiles);
    const q = new Query("SELECT 1").withExecutionProfile("strong");
    assert.equal(r.resolve(q.options).consistency, ConsistencyCode.ALL);
    assert.equal(r.resolve(q.options).requestTimeout, 9000);
    assert.equal(r.resolve(q.withConsistency("TWO").options).consistency, ConsistencyCode.TWO);
    assert.equal(r.resolve(new Query("x").options, { profile: "paged" }).pageSize, 7);
    assert.equal(
      r.resolve(new Query("x").withExecutionProfile("strong").options, { profile: "paged" })
        .consistency,
      ConsistencyCode.ONE,
    );
    assert.equal(r.resolve(new Query("x").options).requestTimeout, 1000);
    assert.throws(
      () => r.resolve(new Query("x").options, { profile: "nope" }),
      (e: Error) =>
        e instanceof TypeError && /"nope".*known: default, strong, paged/.test(e.message),
    );
  });
});
