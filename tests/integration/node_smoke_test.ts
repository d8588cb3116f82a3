// The test nodes themselves answer as expected, checked with the scripts' tiny probe client
// (not the driver): if these fail, driver test failures are about the environment.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { CqlProbe, CqlServerError, probeReleaseVersion } from "../../scripts/lib/cql_probe.ts";
import {
  cqlHosts,
  hostPort,
  NO_NODE_HINT,
  secureCredentials,
  secureHosts,
  tlsFiles,
} from "./env.ts";

async function orHint<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof CqlServerError) throw e;
    throw new Error(`${(e as Error).message}; ${NO_NODE_HINT}`);
  }
}

describe("test nodes", () => {
  it("plain node runs Cassandra 5.0", async () => {
    const version = await orHint(probeReleaseVersion(hostPort(cqlHosts()[0])));
    assert.match(version, /^5\.0/);
  });

  it("secure node rejects a wrong password", async () => {
    const { user } = secureCredentials();
    await assert.rejects(
      orHint(CqlProbe.connect({ ...hostPort(secureHosts()[0]), user, password: "wrong" })),
      (e: unknown) => e instanceof CqlServerError && e.code === 0x0100,
    );
  });

  it("secure node accepts its superuser over verified TLS", async () => {
    const ca = readFileSync(tlsFiles().ca, "utf8");
    const version = await orHint(
      probeReleaseVersion({ ...hostPort(secureHosts()[0]), ...secureCredentials(), tls: { ca } }),
    );
    assert.match(version, /^5\.0/);
  });
});
