/**
 * Where integration tests find their nodes. `scripts/test.ts` sets every variable; when a test
 * file is run by hand, each falls back to what `deno task db:up` (and
 * `deno task db:up --auth --tls --name secure --ip 127.0.0.4`) start, with TLS files from
 * `.rsylla/tls/`. Nothing is skipped when a node is missing: the test fails, and
 * {@link NO_NODE_HINT} says how to start one.
 * @module
 */

type Env = Record<string, string | undefined>;
const g = globalThis as {
  process?: { env: Env };
  Deno?: { env: { get(key: string): string | undefined } };
};

function env(name: string): string | undefined {
  const v = g.process?.env[name] ?? g.Deno?.env.get(name);
  return v === "" ? undefined : v;
}

function list(v: string): string[] {
  return v.split(",").map((s) => s.trim()).filter(Boolean);
}

/** Repository root, from this file's location. */
const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const TLS = `${ROOT}/.rsylla/tls`;

/** Appended to connection failures so a missing node is obvious. */
export const NO_NODE_HINT = "no CQL node answered: run `deno task db:up` (and for secure tests " +
  "`deno task db:up --auth --tls --name secure --ip 127.0.0.4`), or run everything with " +
  "`deno task test`";

/** Plain node(s), `host:port`; `CQL_HOSTS`, default `127.0.0.1:9042`. */
export function cqlHosts(): string[] {
  return list(env("CQL_HOSTS") ?? "127.0.0.1:9042");
}

/** Node with PasswordAuthenticator and optional client TLS; `CQL_SECURE_HOSTS`. */
export function secureHosts(): string[] {
  return list(env("CQL_SECURE_HOSTS") ?? "127.0.0.4:9042");
}

/** Superuser of the secure node. */
export function secureCredentials(): { user: string; password: string } {
  return {
    user: env("CQL_SECURE_USER") ?? "cassandra",
    password: env("CQL_SECURE_PASSWORD") ?? "cassandra",
  };
}

/** Absolute paths of the test CA and the client certificate/key (PEM). */
export function tlsFiles(): { ca: string; clientCert: string; clientKey: string } {
  return {
    ca: env("CQL_TLS_CA") ?? `${TLS}/ca.pem`,
    clientCert: env("CQL_TLS_CLIENT_CERT") ?? `${TLS}/client.pem`,
    clientKey: env("CQL_TLS_CLIENT_KEY") ?? `${TLS}/client.key`,
  };
}

/** The 3-node cluster (cluster tests only); `CQL_CLUSTER_HOSTS`. */
export function clusterHosts(): string[] {
  return list(
    env("CQL_CLUSTER_HOSTS") ?? "127.0.0.1:9042,127.0.0.2:9042,127.0.0.3:9042",
  );
}

/** Splits `host:port` (port defaults to 9042). */
export function hostPort(hp: string): { host: string; port: number } {
  const i = hp.lastIndexOf(":");
  if (i < 0) return { host: hp, port: 9042 };
  return { host: hp.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(hp.slice(i + 1)) };
}

/**
 * The protocol version the suite pins (`RSYLLA_TEST_PROTOCOL=4` or `5`), or `null` to let
 * the driver negotiate (v5 on Cassandra 4+). `scripts/test.ts` runs the suite both ways.
 */
export function testProtocol(): 4 | 5 | null {
  const v = env("RSYLLA_TEST_PROTOCOL");
  if (v === undefined) return null;
  if (v !== "4" && v !== "5") throw new Error(`RSYLLA_TEST_PROTOCOL must be 4 or 5, got ${v}`);
  return Number(v) as 4 | 5;
}
