/**
 * `SessionConfig`: the resolved session settings (every default applied) that
 * `SessionBuilder` hands to the session, plus contact-point parsing.
 * @module
 */

import { ConsistencyCode } from "./consistency.ts";
import type { ContactPoint } from "./pool/address.ts";
import type { Credentials } from "./pool/handshake.ts";

export type { Credentials };

/** Makes a {@link Credentials} object whose password stays out of JSON and inspection. */
export function makeCredentials(username: string, password: string): Credentials {
  const c = Object.create(CREDENTIALS_PROTO) as { username: string; password: string };
  c.username = username;
  hideSecret(c, "password", password);
  return Object.freeze(c);
}

/**
 * Secrets live in a WeakMap, reached through getters on a shared prototype:
 * no own property holds them, so no inspector shows them, `showHidden` or not.
 */
const secrets = new WeakMap<object, Map<string, unknown>>();

function hideSecret(owner: object, name: string, value: unknown): void {
  let m = secrets.get(owner);
  if (m === undefined) secrets.set(owner, m = new Map());
  m.set(name, value);
}

function secretGetter(name: string): PropertyDescriptor {
  return {
    get(this: object) {
      return secrets.get(this)?.get(name);
    },
  };
}

const CREDENTIALS_PROTO = Object.freeze(Object.create(Object.prototype, {
  password: secretGetter("password"),
}));
const TLS_PROTO = Object.freeze(Object.create(Object.prototype, { key: secretGetter("key") }));

/** Frame compression negotiated in STARTUP; `null` for none. */
export type Compression = "lz4" | "snappy" | null;

/** PEM text or bytes of a certificate or key. */
export type Pem = string | Uint8Array;

/** TLS settings as the caller gives them to `SessionBuilder.tls`. */
export interface TlsOptions {
  /** Trusted CA certificate(s), PEM; the runtime's default roots when absent. */
  ca?: Pem | readonly Pem[];
  /** Client certificate chain (PEM) for mutual TLS; needs `key`. */
  cert?: Pem;
  /** Client private key (PEM) for mutual TLS; needs `cert`. */
  key?: Pem;
  /** Name to verify the server certificate against (and send as SNI); the host by default. */
  serverName?: string;
  /** Reject servers whose certificate does not verify; default `true`. */
  rejectUnauthorized?: boolean;
}

/** Resolved TLS settings; `key` is non-enumerable so it is never logged. */
export interface TlsConfig {
  /** Trusted CA certificates, or `undefined` for the runtime's default roots. */
  readonly ca?: readonly Pem[];
  /** Client certificate chain. */
  readonly cert?: Pem;
  /** Client private key (non-enumerable). */
  readonly key?: Pem;
  /** Server name to verify / send as SNI, or `undefined` for the contact host. */
  readonly serverName?: string;
  /** Whether an unverifiable server certificate aborts the connection. */
  readonly rejectUnauthorized: boolean;
}

/** Severity of a {@link LogEvent}. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** One structured log event passed to the configured logger. Never carries passwords. */
export interface LogEvent {
  /** Severity. */
  level: LogLevel;
  /** Human-readable text. */
  message: string;
  /** Structured details (host, shard, error, …). */
  [key: string]: unknown;
}

/** Receives the driver's log events; must not throw. */
export type Logger = (event: LogEvent) => void;

export type { RetryPolicy } from "./policies/retry.ts";
export type { SpeculativeExecutionPolicy } from "./policies/speculative.ts";
export type { ReconnectPolicy } from "./pool/reconnect_policy.ts";
import type { RetryPolicy } from "./policies/retry.ts";
import type { SpeculativeExecutionPolicy } from "./policies/speculative.ts";
import type { ReconnectPolicy } from "./pool/reconnect_policy.ts";
import type { ProfileSettings } from "./request/resolve.ts";
import type { LatencyAwareOptions, LatencyAwareSettings } from "./policies/latency_aware.ts";
import type { RequestTracker } from "./observability/tracker.ts";
import type { OpenTelemetryOptions, OtelApi } from "./observability/otel.ts";
import type { ConsistencyName, SerialConsistencyName } from "./consistency.ts";

/**
 * A named set of request options (`SessionBuilder.executionProfile`); unset
 * fields take the builder's settings (or the `"default"` profile's). A request
 * picks one with `withExecutionProfile(name)` on its statement or
 * `{ profile: name }` in the call options; precedence: call options →
 * statement → profile → builder. An unknown name is a `TypeError` at call time.
 * @example
 * ```ts
 * import { DefaultRetryPolicy, type ExecutionProfile, Query, SessionBuilder } from "@rsylla/rsylla";
 * const reporting: ExecutionProfile = {
 *   consistency: "ONE",
 *   requestTimeout: 60_000,
 *   pageSize: 10_000,
 *   retryPolicy: new DefaultRetryPolicy(),
 * };
 * const builder = new SessionBuilder().knownNode("127.0.0.1").executionProfile("reporting", reporting);
 * const q = new Query("SELECT * FROM ks.sales").withExecutionProfile("reporting");
 * ```
 */
export interface ExecutionProfile {
  /** Consistency of statements that set none. */
  consistency?: ConsistencyName;
  /** Serial consistency of conditional statements. */
  serialConsistency?: SerialConsistencyName;
  /** Client-side timeout per attempt, ms. */
  requestTimeout?: number;
  /** Decides what to do with a failed attempt. */
  retryPolicy?: RetryPolicy;
  /** Extra executions of idempotent statements; `null` for none. */
  speculativeExecution?: SpeculativeExecutionPolicy | null;
  /** Rows per page. */
  pageSize?: number;
  /** Datacenter to prefer for coordinators. */
  localDatacenter?: string;
  /** Rack to prefer inside the local datacenter. */
  localRack?: string;
  /** Latency-aware routing among equally good hosts; `false` turns it off. */
  latencyAware?: LatencyAwareOptions | false;
}

/** OpenTelemetry settings, with the API module once `build()` loaded it. */
export interface OpenTelemetryConfig extends OpenTelemetryOptions {
  /** `@opentelemetry/api`, loaded by `SessionBuilder.build()`. */
  readonly api?: OtelApi;
}
import type { ClusterOptions } from "./cluster/cluster.ts";
import { keyspaceIdentifier } from "./identifiers.ts";

/** Keyspace every connection switches to. */
export interface KeyspaceConfig {
  /** Keyspace name as given. */
  readonly name: string;
  /** Whether the name is quoted (case kept) rather than lower-cased by the server. */
  readonly caseSensitive: boolean;
}

/** Every session setting, defaults applied (@internal: made by `SessionBuilder.toConfig`). */
export interface SessionConfig {
  /** Where to connect first; at least one. */
  readonly contactPoints: readonly ContactPoint[];
  /** Keyspace to `USE` on every connection, or `null`. */
  readonly keyspace: KeyspaceConfig | null;
  /** TCP connect + TLS + protocol handshake timeout, ms. */
  readonly connectionTimeout: number;
  /** Connections per host (per shard on ScyllaDB). */
  readonly poolSize: number;
  /** Credentials, or `null` when the cluster needs none. */
  readonly credentials: Credentials | null;
  /** Frame compression to ask for. */
  readonly compression: Compression;
  /** Whether TCP_NODELAY is set. */
  readonly tcpNodelay: boolean;
  /** TCP keepalive interval in ms (0: OS default), `null` to disable keepalive. */
  readonly tcpKeepalive: number | null;
  /** TLS settings, `null` for plain TCP. */
  readonly tls: TlsConfig | null;
  /** Datacenter to prefer for coordinators, or `null` to use all alike. */
  readonly localDatacenter: string | null;
  /** Client-side request timeout, ms. */
  readonly requestTimeout: number;
  /** Consistency wire code used when a statement sets none. */
  readonly defaultConsistency: number;
  /** Retry policy, `null` for the default one. */
  readonly retryPolicy: RetryPolicy | null;
  /** Speculative execution policy, `null` for none. */
  readonly speculativeExecution: SpeculativeExecutionPolicy | null;
  /** Reconnection policy, `null` for the default one. */
  readonly reconnectPolicy: ReconnectPolicy | null;
  /** Log sink, `null` to drop log events. */
  readonly logger: Logger | null;
  /** How long `awaitSchemaAgreement` waits, ms. */
  readonly schemaAgreementTimeout: number;
  /** Prepared statements cached per session (CQL text → prepared metadata). */
  readonly preparedCacheSize: number;
  /** In-flight requests per connection (stream ids in use). */
  readonly maxRequestsPerConnection: number;
  /** Requests allowed to wait for a free stream id per host before new ones are rejected. */
  readonly maxQueuedRequests: number;
  /** Protocol version to speak, or `null` to offer the highest (5) and fall back to 4. */
  readonly protocolVersion: 4 | 5 | null;
  /** Named execution profiles, each merged over the builder's settings. */
  readonly executionProfiles: ReadonlyMap<string, ProfileSettings>;
  /** Rack preferred inside the local datacenter, or `null`. */
  readonly localRack: string | null;
  /** Latency-aware routing settings, or `null` when off (default). */
  readonly latencyAware: LatencyAwareSettings | null;
  /** Callbacks on each request's life, or `null`. */
  readonly requestTracker: RequestTracker | null;
  /** OpenTelemetry spans, or `null` when off (default). */
  readonly openTelemetry: OpenTelemetryConfig | null;
  /** Whether `getMetrics()` counts requests and latencies (default `true`). */
  readonly metrics: boolean;
}

/**
 * Defaults of every setting but the contact points.
 *
 * - `poolSize` 1: on ScyllaDB that is one connection per shard, which is what
 *   shard-aware drivers use; on Cassandra one v4 connection multiplexes
 *   thousands of requests.
 * - `tcpKeepalive` 30 000: keeps idle connections alive through NATs and
 *   firewalls that drop silent flows.
 * - `maxRequestsPerConnection` 2048 (the DataStax drivers' default for v3+):
 *   well below the 32 768 stream ids, so one slow connection cannot absorb a
 *   flood of requests that other connections could serve.
 */
export const DEFAULT_CONFIG: Omit<SessionConfig, "contactPoints"> = Object.freeze({
  keyspace: null,
  connectionTimeout: 5000,
  poolSize: 1,
  credentials: null,
  compression: null,
  tcpNodelay: true,
  tcpKeepalive: 30_000,
  tls: null,
  localDatacenter: null,
  requestTimeout: 12_000,
  defaultConsistency: ConsistencyCode.LOCAL_QUORUM,
  retryPolicy: null,
  speculativeExecution: null,
  reconnectPolicy: null,
  logger: null,
  schemaAgreementTimeout: 10_000,
  preparedCacheSize: 1000,
  maxRequestsPerConnection: 2048,
  maxQueuedRequests: 10_000,
  protocolVersion: null,
  executionProfiles: new Map(),
  localRack: null,
  latencyAware: null,
  requestTracker: null,
  openTelemetry: null,
  metrics: true,
});

/** What the cluster layer is given of a configuration. */
export function clusterOptions(config: SessionConfig): ClusterOptions {
  const ks = config.keyspace;
  return {
    contactPoints: [...config.contactPoints],
    poolSize: config.poolSize,
    localDatacenter: config.localDatacenter,
    requestTimeout: config.requestTimeout,
    reconnect: config.reconnectPolicy ?? undefined,
    log: (level, message) => config.logger?.({ level, message }),
    connection: {
      noDelay: config.tcpNodelay,
      keepAliveMs: config.tcpKeepalive,
      tls: config.tls,
      compression: config.compression,
      credentials: config.credentials,
      keyspace: ks ? keyspaceIdentifier(ks.name, ks.caseSensitive) : null,
      connectTimeoutMs: config.connectionTimeout,
      maxInFlight: config.maxRequestsPerConnection,
      maxQueued: config.maxQueuedRequests,
      protocolVersion: config.protocolVersion,
      clientOptions: clientOptionsJson(config),
    },
  };
}

/**
 * The session's policies and timeouts as ScyllaDB's `CLIENT_OPTIONS` STARTUP value, which
 * the server shows in `system.clients` (no credentials, no TLS material).
 */
function clientOptionsJson(config: SessionConfig): string {
  const name = (p: object | null) => p?.constructor?.name ?? null;
  return JSON.stringify({
    driver: "rsylla",
    protocolVersion: config.protocolVersion ?? "negotiated",
    poolSize: config.poolSize,
    compression: config.compression,
    localDatacenter: config.localDatacenter,
    defaultConsistency: config.defaultConsistency,
    requestTimeoutMs: config.requestTimeout,
    connectionTimeoutMs: config.connectionTimeout,
    retryPolicy: name(config.retryPolicy) ?? "DefaultRetryPolicy",
    speculativeExecution: config.speculativeExecution
      ? {
        delayMs: config.speculativeExecution.delayMs,
        maxExecutions: config.speculativeExecution.maxExecutions,
      }
      : null,
    executionProfiles: [...config.executionProfiles.keys()],
  });
}

/** A full configuration: `settings` over the defaults. */
export function sessionConfig(
  settings: Partial<SessionConfig> & Pick<SessionConfig, "contactPoints">,
): SessionConfig {
  return Object.freeze({ ...DEFAULT_CONFIG, ...settings });
}

const TLS_KEYS = ["ca", "cert", "key", "serverName", "rejectUnauthorized"];

function isPem(v: unknown): v is Pem {
  return typeof v === "string" || v instanceof Uint8Array;
}

function copyPem(v: Pem): Pem {
  return typeof v === "string" ? v : v.slice();
}

/**
 * Checks `SessionBuilder.tls` options and resolves them (copies, defaults).
 * @throws {TypeError} not an object, an unknown key, a wrongly typed field, or
 *   only one of `cert` / `key`
 */
export function resolveTls(options: unknown): TlsConfig {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError("tls options must be an object");
  }
  const o = options as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!TLS_KEYS.includes(k)) {
      throw new TypeError(`unknown tls option ${JSON.stringify(k)}; valid: ${TLS_KEYS.join(", ")}`);
    }
  }
  const out: { -readonly [K in keyof TlsConfig]: TlsConfig[K] } = Object.create(TLS_PROTO);
  out.rejectUnauthorized = true;
  if (o.ca !== undefined) {
    const list = Array.isArray(o.ca) ? o.ca : [o.ca];
    if (list.length === 0 || !list.every(isPem)) {
      throw new TypeError("tls ca must be PEM text or bytes, or a non-empty array of them");
    }
    out.ca = Object.freeze(list.map(copyPem));
  }
  if ((o.cert === undefined) !== (o.key === undefined)) {
    throw new TypeError("tls cert and key must be given together");
  }
  if (o.cert !== undefined) {
    if (!isPem(o.cert)) throw new TypeError("tls cert must be PEM text or bytes");
    if (!isPem(o.key)) throw new TypeError("tls key must be PEM text or bytes");
    out.cert = copyPem(o.cert);
    hideSecret(out, "key", copyPem(o.key));
  }
  if (o.serverName !== undefined) {
    if (typeof o.serverName !== "string" || o.serverName === "") {
      throw new TypeError("tls serverName must be a non-empty string");
    }
    out.serverName = o.serverName;
  }
  if (o.rejectUnauthorized !== undefined) {
    if (typeof o.rejectUnauthorized !== "boolean") {
      throw new TypeError("tls rejectUnauthorized must be a boolean");
    }
    out.rejectUnauthorized = o.rejectUnauthorized;
  }
  return Object.freeze(out);
}
