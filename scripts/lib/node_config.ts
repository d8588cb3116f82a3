/**
 * What one test node is (`NodeInfo`, saved as `.rsylla/nodes/<name>/info.json`) and the files
 * Cassandra reads at start: cassandra.yaml, logback.xml, cassandra-rackdc.properties.
 * @module
 */

import { nodeDir, NODES_DIR } from "./paths.ts";
import type { TlsFiles } from "./tls.ts";

/** Everything needed to (re)start a node and for tests to find it. */
export interface NodeInfo {
  name: string;
  /**
   * Unique per checkout and node (or cluster), so a node never gossips with a stranger and
   * readiness checks can tell our node from another server on the same address.
   */
  clusterName: string;
  ip: string;
  port: number;
  /** `single` nodes are independent; `cluster` nodes share one ring. */
  kind: "single" | "cluster";
  auth: boolean;
  tls: boolean;
  /** TLS clients must present a certificate signed by the test CA. */
  mtls: boolean;
  /**
   * Murmur3 token(s), comma-separated: single nodes own one token, cluster nodes `numTokens`
   * (vnodes, 16 by default as in Cassandra 4+).
   */
  token: string;
  /** `num_tokens` in cassandra.yaml; 1 when absent (nodes set up before vnodes). */
  numTokens?: number;
  seeds: string;
  snitch: "SimpleSnitch" | "GossipingPropertyFileSnitch";
  dc: string;
  rack: string;
  cassandraVersion: string;
  tlsFiles?: TlsFiles;
  pid?: number;
  startedAt?: string;
  /** Container name when the node runs ScyllaDB under Docker instead of a local JVM. */
  docker?: string;
}

/** A cluster name tied to this checkout: `rsylla-<label>-<hash of the nodes dir>`. */
export async function clusterNameFor(label: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(NODES_DIR));
  const hex = Array.from(
    new Uint8Array(digest).slice(0, 4),
    (b) => b.toString(16).padStart(2, "0"),
  );
  return `rsylla-${label}-${hex.join("")}`;
}

/** Paths inside a node directory. */
export function nodePaths(name: string) {
  const dir = nodeDir(name);
  return {
    dir,
    info: `${dir}/info.json`,
    pid: `${dir}/cassandra.pid`,
    yaml: `${dir}/cassandra.yaml`,
    logback: `${dir}/logback.xml`,
    rackdc: `${dir}/cassandra-rackdc.properties`,
    logs: `${dir}/logs`,
    systemLog: `${dir}/logs/system.log`,
    stdoutLog: `${dir}/logs/stdout.log`,
    tmp: `${dir}/tmp`,
  };
}

/**
 * Evenly spaced Murmur3 tokens for `n` one-token nodes, node 1 at the minimum token.
 * For n = 3 these are the values in CASSANDRA.md.
 */
export function evenTokens(n: number): string[] {
  const span = 2n ** 64n;
  return Array.from({ length: n }, (_, i) => String((span * BigInt(i)) / BigInt(n) - 2n ** 63n));
}

/**
 * `perNode` vnode tokens for each of `n` nodes, from a seeded generator so a ring is the same on
 * every run (and `sameAsRunning` can compare it) yet irregular like a real one: neighbouring
 * ranges often belong to the same node, and ranges differ in size. Returns one sorted list per
 * node; no token appears twice.
 */
export function vnodeTokens(n: number, perNode: number, seed = 0x5eed16): string[][] {
  let x = BigInt(seed) | 1n;
  const mask = (1n << 64n) - 1n;
  const next = () => {
    // xorshift64*: plenty for spreading tokens; deterministic across runtimes.
    x ^= x >> 12n;
    x ^= (x << 25n) & mask;
    x ^= x >> 27n;
    return ((x * 0x2545F4914F6CDD1Dn) & mask) - (1n << 63n);
  };
  const seen = new Set<bigint>();
  const out: bigint[][] = Array.from({ length: n }, () => []);
  for (let k = 0; k < n * perNode;) {
    const t = next();
    if (t === -(1n << 63n) || seen.has(t)) continue;
    seen.add(t);
    out[k % n].push(t);
    k++;
  }
  return out.map((ts) => ts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String));
}

function yaml(info: NodeInfo): string {
  const p = nodePaths(info.name);
  const lines = [
    `cluster_name: "${info.clusterName}"`,
    `num_tokens: ${info.numTokens ?? 1}`,
    `initial_token: "${info.token}"`,
    "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
    `endpoint_snitch: ${info.snitch}`,
    "auto_bootstrap: false",
    "seed_provider:",
    "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
    "    parameters:",
    `      - seeds: "${info.seeds}"`,
    `listen_address: ${info.ip}`,
    `rpc_address: ${info.ip}`,
    "storage_port: 7000",
    `native_transport_port: ${info.port}`,
    "start_native_transport: true",
    "commitlog_sync: periodic",
    "commitlog_sync_period: 10000ms",
    `data_file_directories: ["${p.dir}/data"]`,
    `commitlog_directory: "${p.dir}/commitlog"`,
    `saved_caches_directory: "${p.dir}/saved_caches"`,
    `hints_directory: "${p.dir}/hints"`,
    // Features some metadata and DDL tests exercise; off by default in 5.0.
    "user_defined_functions_enabled: true",
    "materialized_views_enabled: true",
    "sasi_indexes_enabled: true",
  ];
  if (info.auth) {
    lines.push(
      "authenticator: PasswordAuthenticator",
      "authorizer: CassandraAuthorizer",
      "role_manager: CassandraRoleManager",
      // Caches would make GRANT/REVOKE/CREATE ROLE take up to 2 s to show, so tests would flake.
      "roles_validity: 0ms",
      "permissions_validity: 0ms",
      "credentials_validity: 0ms",
    );
  } else {
    lines.push("authenticator: AllowAllAuthenticator", "authorizer: AllowAllAuthorizer");
  }
  if (info.tls && info.tlsFiles) {
    lines.push(
      "client_encryption_options:",
      "  enabled: true",
      // Plaintext and TLS on the same port: tests of both need only one node.
      "  optional: true",
      `  keystore: "${info.tlsFiles.serverKeystore}"`,
      `  require_client_auth: ${info.mtls}`,
      "  ssl_context_factory:",
      "    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory",
    );
    if (info.mtls) lines.push(`  truststore: "${info.tlsFiles.ca}"`);
  }
  return lines.join("\n") + "\n";
}

const LOGBACK = `<configuration>
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>\${cassandra.logdir}/system.log</file>
    <encoder><pattern>%d %-5level [%thread] %logger{0} - %msg%n</pattern></encoder>
  </appender>
  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
    <filter class="ch.qos.logback.classic.filter.ThresholdFilter"><level>WARN</level></filter>
    <encoder><pattern>%d %-5level %logger{0} - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="FILE"/><appender-ref ref="OUT"/></root>
</configuration>
`;

/** Wipes the node directory and writes its configuration and `info.json`. */
export async function writeNodeFiles(info: NodeInfo): Promise<void> {
  const p = nodePaths(info.name);
  await Deno.remove(p.dir, { recursive: true }).catch(() => {});
  for (const sub of ["data", "commitlog", "saved_caches", "hints", "logs", "tmp"]) {
    await Deno.mkdir(`${p.dir}/${sub}`, { recursive: true });
  }
  await Deno.writeTextFile(p.yaml, yaml(info));
  await Deno.writeTextFile(p.logback, LOGBACK);
  await Deno.writeTextFile(p.rackdc, `dc=${info.dc}\nrack=${info.rack}\n`);
  await saveInfo(info);
}

/** Writes `info.json`. */
export async function saveInfo(info: NodeInfo): Promise<void> {
  await Deno.writeTextFile(nodePaths(info.name).info, JSON.stringify(info, null, 2) + "\n");
}

/** Reads `info.json`, or `null` when the node was never set up (or was removed). */
export async function loadInfo(name: string): Promise<NodeInfo | null> {
  try {
    return JSON.parse(await Deno.readTextFile(nodePaths(name).info)) as NodeInfo;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}
