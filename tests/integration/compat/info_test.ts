/**
 * `ResultSet.info.queriedHost` through `@rsylla/rsylla/compat` against the real node, side by
 * side with the real `cassandra-driver` (a devDependency): both name the node that answered
 * the same way.
 * @module
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import cassandra from "cassandra-driver";
import * as compat from "../../../src/compat/mod.ts";
import { cqlHosts } from "../env.ts";

describe("compat ResultSet.info against the real node and cassandra-driver", () => {
  let client: compat.Client;
  let theirs: cassandra.Client;

  before(async () => {
    client = new compat.Client({ contactPoints: cqlHosts(), localDataCenter: "datacenter1" });
    theirs = new cassandra.Client({ contactPoints: cqlHosts(), localDataCenter: "datacenter1" });
    await theirs.connect();
  });

  after(async () => {
    await theirs?.shutdown();
    await client?.shutdown();
  });

  it("queriedHost names the node that answered, as cassandra-driver's does", async () => {
    const cql = "SELECT release_version FROM system.local";
    const ours = await client.execute(cql);
    const ref = await theirs.execute(cql);
    assert.ok(ours.info.queriedHost !== null, "queriedHost is known");
    assert.equal(ours.info.queriedHost, String(ref.info.queriedHost));
    const prepared = await client.execute(`${cql} WHERE key = ?`, ["local"], { prepare: true });
    assert.equal(prepared.info.queriedHost, String(ref.info.queriedHost));
  });
});
