/**
 * `cassandra-driver` client options → a `SessionBuilder` and the facade's
 * query defaults. Options the driver cannot honour are a `TypeError` naming
 * them; options that only tune what the driver does anyway are accepted.
 * @module
 */

import {
  type ConsistencyName,
  consistencyName as protocolConsistencyName,
  type SerialConsistencyName,
} from "../consistency.ts";
import { SessionBuilder } from "../session_builder.ts";
import { PlainTextAuthProvider } from "./auth.ts";
import { mapPolicies } from "./policies.ts";

/** Options of `new Client(options)`, the subset of `cassandra-driver`'s `ClientOptions` supported. */
export interface ClientOptions {
  /** Nodes to connect to first: `"host"` or `"host:port"`. */
  contactPoints?: string[];
  /** The local datacenter (a warning is logged when no node is in it). */
  localDataCenter?: string;
  /** Keyspace every connection uses. */
  keyspace?: string;
  /** PasswordAuthenticator credentials. */
  credentials?: { username: string; password: string };
  /** `auth.PlainTextAuthProvider` (other providers are not supported). */
  authProvider?: unknown;
  /** `coreConnectionsPerHost: { local, remote }` (the larger becomes the pool size) and `maxRequestsPerConnection`. */
  pooling?: {
    coreConnectionsPerHost?: Record<string | number, number>;
    maxRequestsPerConnection?: number;
    heartBeatInterval?: number;
    warmup?: boolean;
  };
  /** `connectTimeout`, `readTimeout` (ms), `tcpNoDelay`, `keepAlive`, `keepAliveDelay`. */
  socketOptions?: {
    connectTimeout?: number;
    readTimeout?: number;
    tcpNoDelay?: boolean;
    keepAlive?: boolean;
    keepAliveDelay?: number;
    defunctReadTimeoutThreshold?: number;
  };
  /** Defaults of every `execute`: `consistency`, `serialConsistency`, `fetchSize`, `prepare`, `autoPage`, … */
  queryOptions?: QueryOptions;
  /** Policies from the facade's `policies` namespace. */
  policies?: Record<string, unknown>;
  /** `port` (default 9042) and `maxVersion` (4 or 5). */
  protocolOptions?: { port?: number; maxVersion?: number; noCompact?: boolean };
  /** TLS options (`ca`, `cert`, `key`, `servername`, `rejectUnauthorized`). */
  sslOptions?: {
    ca?: unknown;
    cert?: unknown;
    key?: unknown;
    servername?: string;
    rejectUnauthorized?: boolean;
  };
  /** Other `cassandra-driver` options are refused with a `TypeError` naming them. */
  [option: string]: unknown;
}

/** Per-request options of `execute`, `eachRow`, `stream` and `batch`. */
export interface QueryOptions {
  /** Prepare the statement (always done when there are parameters). */
  prepare?: boolean;
  /** Consistency, a `types.consistencies` value. */
  consistency?: number;
  /** Serial consistency, `types.consistencies.serial` or `localSerial`. */
  serialConsistency?: number;
  /** Rows per page. */
  fetchSize?: number;
  /** Where to resume: a result's `pageState` (hex) or `rawPageState`. */
  pageState?: string | Uint8Array;
  /** `eachRow`: fetch every page. */
  autoPage?: boolean;
  /** Whether the statement may be retried or sent speculatively. */
  isIdempotent?: boolean;
  /** Type hints: accepted and not needed (the driver prepares and knows each marker's type). */
  hints?: unknown[];
  /** Write timestamp in microseconds. */
  timestamp?: number | bigint | { toBigInt(): bigint };
  /** Trace the request (`result.info.traceId`). */
  traceQuery?: boolean;
  /** Client-side timeout of this request, ms. */
  readTimeout?: number;
  /** `batch`: logged (default `true`). */
  logged?: boolean;
  /** `batch`: a counter batch. */
  counter?: boolean;
  /** Other `cassandra-driver` query options are refused with a `TypeError` naming them. */
  [option: string]: unknown;
}

/**
 * The consistency name of a `types.consistencies` number.
 * @throws {TypeError} not a known consistency number
 */
export function consistencyName(c: number): ConsistencyName | SerialConsistencyName {
  // cassandra-driver's numbers are the protocol's codes: the driver's own table serves.
  const name = Number.isInteger(c) ? protocolConsistencyName(c) : "UNKNOWN";
  if (name.startsWith("UNKNOWN")) throw new TypeError(`unknown consistency ${c}`);
  return name as ConsistencyName | SerialConsistencyName;
}

const CLIENT_KEYS = new Set([
  "contactPoints",
  "localDataCenter",
  "keyspace",
  "credentials",
  "authProvider",
  "pooling",
  "socketOptions",
  "queryOptions",
  "policies",
  "protocolOptions",
  "sslOptions",
  "encoding",
  "maxPrepared",
  "refreshSchemaDelay",
  "isMetadataSyncEnabled",
  "prepareOnAllHosts",
  "rePrepareOnUp",
  "applicationName",
  "applicationVersion",
  "id",
  "profiles",
]); // deno-fmt-ignore

/**
 * The builder and query defaults for `options`.
 * @throws {TypeError} an option the driver cannot honour (e.g. `cloud`), named
 */
export function builderFor(options: ClientOptions): {
  builder: SessionBuilder;
  defaults: QueryOptions;
  contactPoints: string[];
} {
  if (options === null || typeof options !== "object") {
    throw new TypeError("Client options must be an object");
  }
  for (const k of Object.keys(options)) {
    if (!CLIENT_KEYS.has(k) && options[k] !== undefined) {
      throw new TypeError(`Client option ${k} is not supported by @rsylla/rsylla/compat`);
    }
  }
  if (options.profiles !== undefined) {
    throw new TypeError("Client option profiles is not supported by @rsylla/rsylla/compat");
  }
  const cps = options.contactPoints;
  if (!Array.isArray(cps) || cps.length === 0) {
    throw new TypeError("Client option contactPoints must be a non-empty array");
  }
  const port = options.protocolOptions?.port ?? 9042;
  const contactPoints = cps.map((h) =>
    /^\[.*\]:\d+$|^[^:]+:\d+$/.test(h) ? h : h.includes(":") ? `[${h}]:${port}` : `${h}:${port}`
  );
  const b = new SessionBuilder().knownNodes(contactPoints);
  if (options.keyspace) b.useKeyspace(options.keyspace, false);
  const creds = options.credentials ??
    (options.authProvider instanceof PlainTextAuthProvider
      ? options.authProvider.credentials()
      : undefined);
  if (options.authProvider !== undefined && !(options.authProvider instanceof PlainTextAuthProvider)) {
    throw new TypeError("Client option authProvider: only auth.PlainTextAuthProvider is supported");
  }
  if (creds) b.user(creds.username, creds.password);
  const core = options.pooling?.coreConnectionsPerHost;
  if (core) {
    const n = Math.max(...Object.values(core).filter((v) => typeof v === "number" && v > 0));
    if (Number.isFinite(n)) b.poolSize(n);
  }
  if (options.pooling?.maxRequestsPerConnection) {
    b.maxRequestsPerConnection(options.pooling.maxRequestsPerConnection);
  }
  const so = options.socketOptions ?? {};
  if (so.connectTimeout !== undefined) b.connectionTimeout(so.connectTimeout);
  if (so.readTimeout !== undefined && so.readTimeout > 0) b.requestTimeout(so.readTimeout);
  if (so.tcpNoDelay !== undefined) b.tcpNodelay(so.tcpNoDelay);
  if (so.keepAlive === false) b.tcpKeepalive(null);
  else if (so.keepAliveDelay) b.tcpKeepalive(so.keepAliveDelay);
  const mv = options.protocolOptions?.maxVersion;
  if (mv !== undefined) {
    if (mv !== 4 && mv !== 5) throw new TypeError(`protocolOptions.maxVersion ${mv}: only 4 and 5`);
    b.protocolVersion(mv);
  }
  if (options.sslOptions) {
    const s = options.sslOptions;
    b.tls({
      ca: s.ca as string | undefined,
      cert: s.cert as string | undefined,
      key: s.key as string | undefined,
      serverName: s.servername,
      rejectUnauthorized: s.rejectUnauthorized,
    });
  }
  const p = mapPolicies(options.policies);
  const dc = options.localDataCenter ?? p.localDc;
  if (dc) b.localDatacenter(dc);
  if (p.retry) b.retryPolicy(p.retry);
  if (p.reconnect) b.reconnectPolicy(p.reconnect);
  if (p.speculative !== undefined) b.speculativeExecution(p.speculative);
  const defaults = { ...(options.queryOptions ?? {}) };
  // cassandra-driver's default is LOCAL_ONE (LOCAL_QUORUM only for its cloud service, which the
  // facade refuses), not rsylla's LOCAL_QUORUM: a migrated application keeps its behaviour.
  b.defaultConsistency(
    defaults.consistency === undefined
      ? "LOCAL_ONE"
      : consistencyName(defaults.consistency) as ConsistencyName,
  );
  return { builder: b, defaults, contactPoints };
}
