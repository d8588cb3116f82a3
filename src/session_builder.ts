/**
 * `SessionBuilder`: fluent, validated session configuration. Every setter
 * checks its argument at once (a `TypeError` or `RangeError`, thrown
 * synchronously) and returns the builder.
 * @module
 */

import {
  type Compression,
  DEFAULT_CONFIG,
  type ExecutionProfile,
  type Logger,
  makeCredentials,
  type ReconnectPolicy,
  resolveTls,
  type RetryPolicy,
  type SessionConfig,
  type SpeculativeExecutionPolicy,
  type TlsOptions,
} from "./config.ts";
import { consistencyCode, type ConsistencyName, consistencyName } from "./consistency.ts";
import { type ContactPoint, formatContactPoint, parseContactPoint } from "./pool/address.ts";
import {
  checkBoolean,
  checkPolicy,
  checkPositiveInteger as positiveInteger,
  checkTimeout,
} from "./validate.ts";
import { Session } from "./session.ts";
import * as check from "./builder_checks.ts";
import type { LatencyAwareOptions } from "./policies/latency_aware.ts";
import type { RequestTracker } from "./observability/tracker.ts";
import { loadOpenTelemetry, type OpenTelemetryOptions } from "./observability/otel.ts";

type Draft = { -readonly [K in keyof SessionConfig]: SessionConfig[K] };

/**
 * Configures and connects a {@link Session}. Setters check their argument at
 * once (a `TypeError` or `RangeError` names the setting) and return the
 * builder; `build()` connects.
 * @example
 * ```ts ignore
 * import { SessionBuilder } from "@rsylla/rsylla";
 * const session = await new SessionBuilder()
 *   .knownNodes(["10.0.0.1:9042", "10.0.0.2:9042"])
 *   .user("app", "secret")
 *   .useKeyspace("shop", false)
 *   .compression("lz4")
 *   .build();
 * ```
 */
export class SessionBuilder {
  // Private so that nothing but toConfig() can reach the credentials.
  readonly #nodes = new Map<string, ContactPoint>();
  readonly #draft: Draft = { ...DEFAULT_CONFIG, contactPoints: [] };
  readonly #profiles = new Map<string, check.CheckedProfile>();

  /**
   * Adds a contact point: `"host:port"`, `"host"` (port 9042), `"[::1]:9042"` or `"[::1]"`.
   * Adding the same address twice has no further effect.
   * @throws {TypeError} malformed; the message quotes the input
   */
  knownNode(hostPort: string): this {
    const cp = parseContactPoint(hostPort);
    this.#nodes.set(formatContactPoint(cp), cp);
    return this;
  }

  /**
   * Adds several contact points; if one is malformed none is added.
   * @throws {TypeError} not an array, or an entry is malformed
   */
  knownNodes(hostPorts: string[]): this {
    for (const cp of check.contactPoints(hostPorts)) this.#nodes.set(formatContactPoint(cp), cp);
    return this;
  }

  /**
   * Sets the keyspace every connection switches to.
   * @param caseSensitive `true` keeps the name's case (it is quoted); `false` lets the server lower-case it
   * @throws {TypeError} `name` is not a non-empty string, or `caseSensitive` is not a boolean
   */
  useKeyspace(name: string, caseSensitive: boolean): this {
    this.#draft.keyspace = check.keyspaceConfig(name, caseSensitive);
    return this;
  }

  /**
   * Sets the TCP connect + handshake timeout (default 5000 ms).
   * @throws {RangeError} ≤ 0, not finite, or above 2^31-1
   * @throws {TypeError} not a number
   */
  connectionTimeout(ms: number): this {
    this.#draft.connectionTimeout = checkTimeout(ms, "connection timeout");
    return this;
  }

  /**
   * Sets the connections per host — per shard on ScyllaDB (default 1).
   * @throws {RangeError} 0, negative or not an integer
   * @throws {TypeError} not a number
   */
  poolSize(n: number): this {
    this.#draft.poolSize = positiveInteger(n, "pool size");
    return this;
  }

  /**
   * Sets how many requests one connection carries at once (stream ids in use;
   * default 2048, at most 32768). Beyond rsylla.
   * @throws {RangeError} not an integer in 1..32768
   * @throws {TypeError} not a number
   */
  maxRequestsPerConnection(n: number): this {
    this.#draft.maxRequestsPerConnection = positiveInteger(n, "requests per connection", 32768);
    return this;
  }

  /**
   * Sets how many requests may wait per connection when all its stream ids are
   * in use (default 10 000); more fail at once with `ConnectionError`, so memory
   * stays bounded however many callers there are. Beyond rsylla.
   * @throws {RangeError} not an integer ≥ 1
   * @throws {TypeError} not a number
   */
  maxQueuedRequests(n: number): this {
    this.#draft.maxQueuedRequests = positiveInteger(n, "queued requests");
    return this;
  }

  /**
   * Pins the native protocol version. By default the driver offers the highest
   * it speaks (5) and falls back to 4 when the server refuses it (ScyllaDB,
   * Cassandra 3); a pinned version the server refuses fails `build()` with a
   * `ConnectionError` naming both versions.
   * @throws {RangeError} anything but 4 or 5
   */
  protocolVersion(v: 4 | 5): this {
    this.#draft.protocolVersion = check.checkProtocolVersion(v);
    return this;
  }

  /**
   * Sets PasswordAuthenticator credentials. The password never appears in
   * messages, logs, `JSON.stringify`, `String()` or `console.log` of the builder.
   * @throws {TypeError} `username` is not a non-empty string or `password` not a string
   */
  user(username: string, password: string): this {
    check.checkUser(username, password);
    this.#draft.credentials = makeCredentials(username, password);
    return this;
  }

  /**
   * Sets frame compression, negotiated in STARTUP (default `null`, none).
   * @throws {RangeError} anything but `"lz4"`, `"snappy"` or `null`
   */
  compression(kind: Compression): this {
    this.#draft.compression = check.checkCompression(kind);
    return this;
  }

  /**
   * Sets TCP_NODELAY (default `true`: no Nagle delay on small requests).
   * @throws {TypeError} not a boolean
   */
  tcpNodelay(on: boolean): this {
    this.#draft.tcpNodelay = checkBoolean(on, "tcpNodelay");
    return this;
  }

  /**
   * Sets the TCP keepalive interval in ms (default 30 000; 0 leaves the
   * interval to the OS); `null` disables keepalive.
   * @throws {RangeError} negative or not finite
   * @throws {TypeError} neither a number nor `null`
   */
  tcpKeepalive(ms: number | null): this {
    this.#draft.tcpKeepalive = check.checkKeepalive(ms);
    return this;
  }

  /**
   * Connects over TLS. `tls()` or `tls({})` uses the runtime's trusted roots
   * and verifies the server; `null` turns TLS off again.
   * @throws {TypeError} not an object, an unknown option, a wrongly typed field,
   *   or only one of `cert` / `key`
   * @example
   * ```ts ignore
   * const builder = new SessionBuilder().knownNode("db.example.com:9142").tls({
   *   ca: await Deno.readTextFile("ca.pem"),
   *   cert: await Deno.readTextFile("client.pem"), // mutual TLS: cert and key together
   *   key: await Deno.readTextFile("client.key"),
   * });
   * ```
   */
  tls(options: TlsOptions | null = {}): this {
    this.#draft.tls = options === null ? null : resolveTls(options);
    return this;
  }

  /**
   * Prefers coordinators in this datacenter; `null` treats all alike (default).
   * @throws {TypeError} neither a non-empty string nor `null`
   */
  localDatacenter(dc: string | null): this {
    this.#draft.localDatacenter = check.optionalName(dc, "local datacenter");
    return this;
  }

  /**
   * Sets the client-side timeout of each request (default 12 000 ms); a
   * statement's `withTimeout` overrides it.
   * @throws {RangeError} ≤ 0, not finite, or above 2^31-1
   * @throws {TypeError} not a number
   */
  requestTimeout(ms: number): this {
    this.#draft.requestTimeout = checkTimeout(ms, "request timeout");
    return this;
  }

  /**
   * Sets how long `awaitSchemaAgreement` waits (default 10 000 ms).
   * @throws {RangeError} ≤ 0, not finite, or above 2^31-1
   * @throws {TypeError} not a number
   */
  schemaAgreementTimeout(ms: number): this {
    this.#draft.schemaAgreementTimeout = checkTimeout(ms, "schema agreement timeout");
    return this;
  }

  /**
   * Sets the consistency of statements that set none (default `LOCAL_QUORUM`).
   * @throws {RangeError} not one of `ANY ONE TWO THREE QUORUM ALL LOCAL_QUORUM EACH_QUORUM LOCAL_ONE`
   */
  defaultConsistency(consistency: ConsistencyName): this {
    this.#draft.defaultConsistency = consistencyCode(consistency, "consistency");
    return this;
  }

  /**
   * Sets the retry policy; `null` restores the default.
   * @throws {TypeError} neither an object nor `null`
   */
  retryPolicy(policy: RetryPolicy | null): this {
    this.#draft.retryPolicy = checkPolicy(policy, "retry policy", ["decide"]);
    return this;
  }

  /**
   * Sets the speculative execution policy (idempotent statements only); `null` disables it.
   * @throws {TypeError} neither an object nor `null`
   */
  speculativeExecution(policy: SpeculativeExecutionPolicy | null): this {
    this.#draft.speculativeExecution = check.checkSpeculative(policy);
    return this;
  }

  /**
   * With `localDatacenter`, prefers this rack's replicas, then the DC's, then remote ones.
   * @throws {TypeError} neither a non-empty string nor `null` (without `localDatacenter`: at `build()`)
   */
  localRack(rack: string | null): this {
    this.#draft.localRack = check.optionalName(rack, "local rack");
    return this;
  }

  /**
   * Prefers faster hosts among equally good ones (off by default; `false` turns it off).
   * @param opts overrides of the defaults (see {@link LatencyAwareOptions}); `{}` for all defaults
   * @throws {RangeError} `exclusionThreshold` < 1, or a negative value
   * @throws {TypeError} an unknown option or a field that is not a number
   * @example
   * ```ts
   * import { SessionBuilder } from "@rsylla/rsylla";
   * const builder = new SessionBuilder()
   *   .knownNode("127.0.0.1")
   *   .localDatacenter("dc1")
   *   .latencyAware({ exclusionThreshold: 3 });
   * ```
   */
  latencyAware(opts: LatencyAwareOptions | false = {}): this {
    this.#draft.latencyAware = check.checkLatencyAware(opts);
    return this;
  }

  /**
   * Adds a named execution profile (picked by `withExecutionProfile(name)` or
   * `{ profile: name }`); unset fields take the builder's, `"default"` overrides those.
   * Precedence per request: call options → statement → profile → builder.
   * @throws {TypeError} empty or duplicate name, an unknown key or a wrongly typed field
   * @throws {RangeError} a field out of range, as with the builder's own setters
   * @example
   * ```ts
   * import { Query, SessionBuilder } from "@rsylla/rsylla";
   * const builder = new SessionBuilder()
   *   .knownNode("127.0.0.1")
   *   .executionProfile("analytics", { consistency: "ONE", requestTimeout: 60_000, pageSize: 10_000 })
   *   .executionProfile("critical", { consistency: "QUORUM", serialConsistency: "SERIAL" });
   * const q = new Query("SELECT * FROM ks.events").withExecutionProfile("analytics");
   * // or per call: session.execute(cql, values, { profile: "critical" })
   * ```
   */
  executionProfile(name: string, p: ExecutionProfile): this {
    this.#profiles.set(name, check.checkExecutionProfile(name, p, this.#profiles));
    return this;
  }

  /**
   * Calls `tracker` on each request's start, attempts, success and error (a throw is
   * logged, never fails the request); `null` removes it.
   * @throws {TypeError} not an object, or a callback that is not a function
   * @example
   * ```ts
   * import { SessionBuilder } from "@rsylla/rsylla";
   * const builder = new SessionBuilder().knownNode("127.0.0.1").requestTracker({
   *   onSuccess(r, ms) {
   *     if (ms > 100) console.warn(`slow ${r.kind} (${ms} ms): ${r.statement}`);
   *   },
   *   onError(r, e) {
   *     console.error(`request ${r.id} failed: ${e.message}`);
   *   },
   * });
   * ```
   */
  requestTracker(tracker: RequestTracker | null): this {
    this.#draft.requestTracker = check.checkTracker(tracker);
    return this;
  }

  /**
   * Emits spans through `@opentelemetry/api`, imported at `build()` only then; `false`: off.
   * @throws {TypeError} an unknown option or a wrongly typed field
   * @example
   * ```ts ignore
   * import { trace } from "@opentelemetry/api";
   * const session = await new SessionBuilder()
   *   .knownNode("127.0.0.1")
   *   .openTelemetry({ tracerProvider: trace.getTracerProvider(), captureStatementText: true })
   *   .build(); // ConfigurationError when @opentelemetry/api cannot be imported
   * ```
   */
  openTelemetry(opts: OpenTelemetryOptions | false = {}): this {
    this.#draft.openTelemetry = check.checkOpenTelemetry(opts);
    return this;
  }

  /**
   * Whether `getMetrics()` counts requests and latencies (default `true`).
   * @throws {TypeError} not a boolean
   */
  metrics(on: boolean): this {
    this.#draft.metrics = checkBoolean(on, "metrics");
    return this;
  }

  /**
   * Sets the reconnection policy; `null` restores the default.
   * @throws {TypeError} neither an object nor `null`
   */
  reconnectPolicy(policy: ReconnectPolicy | null): this {
    this.#draft.reconnectPolicy = checkPolicy(policy, "reconnect policy", ["delayMs"]);
    return this;
  }

  /**
   * Sends the driver's log events (connections opened and lost, nodes up and
   * down, retries) to `fn`; `null` drops them (default). `fn` must not throw.
   * @throws {TypeError} neither a function nor `null`
   * @example
   * ```ts
   * import { SessionBuilder } from "@rsylla/rsylla";
   * const builder = new SessionBuilder()
   *   .knownNode("127.0.0.1")
   *   .logger(({ level, message, ...details }) => {
   *     if (level !== "debug") console.log(level, message, details);
   *   });
   * ```
   */
  logger(fn: Logger | null): this {
    this.#draft.logger = check.checkLogger(fn);
    return this;
  }

  /**
   * The resolved configuration (@internal: read by the session).
   * @throws {TypeError} no contact point was added, or a `localRack` has no `localDatacenter`
   */
  toConfig(): SessionConfig {
    if (this.#nodes.size === 0) {
      throw new TypeError("no contact point: call knownNode() or knownNodes() before build()");
    }
    const c = { ...this.#draft, contactPoints: Object.freeze([...this.#nodes.values()]) };
    return Object.freeze({ ...c, executionProfiles: check.mergeProfiles(c, this.#profiles) });
  }

  /**
   * Connects: opens the control connection, discovers the cluster and opens
   * the pools.
   * @throws {TypeError} (as a rejection) no contact point was added, or a
   *   `localRack` (the builder's or a profile's) has no `localDatacenter`
   * @throws {ConnectionError} (as a rejection) no contact point could be reached,
   *   or a pinned protocol version was refused
   * @throws {AuthenticationError} (as a rejection) the credentials were refused
   * @throws {ConfigurationError} (as a rejection) `openTelemetry()` was called and
   *   `@opentelemetry/api` cannot be imported
   * @example
   * ```ts ignore
   * import { SessionBuilder } from "@rsylla/rsylla";
   * await using session = await new SessionBuilder()
   *   .knownNodes(["10.0.0.1", "10.0.0.2"])
   *   .localDatacenter("dc1")
   *   .build();
   * ```
   */
  async build(): Promise<Session> {
    let config = this.toConfig();
    const otel = config.openTelemetry;
    if (otel !== null) {
      const api = await loadOpenTelemetry();
      config = Object.freeze({ ...config, openTelemetry: Object.freeze({ ...otel, api }) });
    }
    return await Session.open(config);
  }

  /** A summary of the settings with secrets redacted (what `JSON.stringify` shows). */
  toJSON(): Record<string, unknown> {
    const d = this.#draft;
    return {
      knownNodes: [...this.#nodes.keys()],
      keyspace: d.keyspace,
      credentials: check.redactCredentials(d.credentials),
      compression: d.compression,
      poolSize: d.poolSize,
      connectionTimeout: d.connectionTimeout,
      requestTimeout: d.requestTimeout,
      tcpNodelay: d.tcpNodelay,
      tcpKeepalive: d.tcpKeepalive,
      tls: check.redactTls(d.tls),
      localDatacenter: d.localDatacenter,
      defaultConsistency: consistencyName(d.defaultConsistency),
    };
  }

  /** `SessionBuilder {...}` with secrets redacted. */
  toString(): string {
    return `SessionBuilder ${JSON.stringify(this.toJSON())}`;
  }

  /** Redacted view for Deno's `console.log` / `Deno.inspect`. */
  [Symbol.for("Deno.customInspect")](
    inspect?: (v: unknown, o?: unknown) => string,
    options?: unknown,
  ): string {
    return check.inspected(this, inspect, options);
  }

  /** Redacted view for Node's and Bun's `console.log` / `util.inspect`. */
  [Symbol.for("nodejs.util.inspect.custom")](
    _depth?: number,
    options?: unknown,
    inspect?: (v: unknown, o?: unknown) => string,
  ): string {
    return check.inspected(this, inspect, options);
  }
}
