/**
 * `SessionBuilder`: fluent, validated session configuration. Every setter
 * checks its argument at once (a `TypeError` or `RangeError`, thrown
 * synchronously) and returns the builder.
 * @module
 */

import {
  type Compression,
  type Credentials,
  DEFAULT_CONFIG,
  type KeyspaceConfig,
  type Logger,
  makeCredentials,
  type ReconnectPolicy,
  resolveTls,
  type RetryPolicy,
  type SessionConfig,
  type SpeculativeExecutionPolicy,
  type TlsConfig,
  type TlsOptions,
} from "./config.ts";
import { consistencyCode, type ConsistencyName, consistencyName } from "./consistency.ts";
import { type ContactPoint, formatContactPoint, parseContactPoint } from "./pool/address.ts";
import {
  checkBoolean,
  checkPolicy,
  checkPositiveInteger as positiveInteger,
  checkTimeout,
  describeValue,
} from "./validate.ts";
import { Session } from "./session.ts";
import { keyspaceIdentifier } from "./identifiers.ts";
import { ConstantSpeculativeExecutionPolicy } from "./policies/speculative.ts";

type Draft = { -readonly [K in keyof SessionConfig]: SessionConfig[K] };

const REDACTED = "<redacted>";

/**
 * Configures and connects a {@link Session}.
 * @example
 * ```ts ignore
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
    if (!Array.isArray(hostPorts)) {
      throw new TypeError(`knownNodes expects an array of "host:port", got ${typeof hostPorts}`);
    }
    const parsed = hostPorts.map(parseContactPoint);
    for (const cp of parsed) this.#nodes.set(formatContactPoint(cp), cp);
    return this;
  }

  /**
   * Sets the keyspace every connection switches to.
   * @param caseSensitive `true` keeps the name's case (it is quoted); `false` lets the server lower-case it
   * @throws {TypeError} `name` is not a non-empty string, or `caseSensitive` is not a boolean
   */
  useKeyspace(name: string, caseSensitive: boolean): this {
    if (typeof name !== "string" || name === "") {
      throw new TypeError(`keyspace name must be a non-empty string, got ${describeValue(name)}`);
    }
    checkBoolean(caseSensitive, "caseSensitive");
    keyspaceIdentifier(name, caseSensitive); // refuse a name that cannot be used unquoted now
    const ks: KeyspaceConfig = Object.freeze({ name, caseSensitive });
    this.#draft.keyspace = ks;
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
    if (v !== 4 && v !== 5) {
      throw new RangeError(`protocol version must be 4 or 5, got ${describeValue(v)}`);
    }
    this.#draft.protocolVersion = v;
    return this;
  }

  /**
   * Sets PasswordAuthenticator credentials. The password never appears in
   * messages, logs, `JSON.stringify`, `String()` or `console.log` of the builder.
   * @throws {TypeError} `username` is not a non-empty string or `password` not a string
   */
  user(username: string, password: string): this {
    if (typeof username !== "string" || username === "") {
      throw new TypeError("username must be a non-empty string");
    }
    // Only the type is named: the value may be the secret itself.
    if (typeof password !== "string") {
      throw new TypeError(`password must be a string, got ${typeof password}`);
    }
    this.#draft.credentials = makeCredentials(username, password);
    return this;
  }

  /**
   * Sets frame compression, negotiated in STARTUP (default `null`, none).
   * @throws {RangeError} anything but `"lz4"`, `"snappy"` or `null`
   */
  compression(kind: Compression): this {
    if (kind !== null && kind !== "lz4" && kind !== "snappy") {
      throw new RangeError(
        `invalid compression ${describeValue(kind)}; valid: "lz4", "snappy", null`,
      );
    }
    this.#draft.compression = kind;
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
    if (ms !== null) {
      if (typeof ms !== "number") {
        throw new TypeError(`tcp keepalive must be a number of ms or null, got ${typeof ms}`);
      }
      if (!Number.isFinite(ms) || ms < 0) {
        throw new RangeError(`tcp keepalive must be a finite number of ms ≥ 0, got ${ms}`);
      }
    }
    this.#draft.tcpKeepalive = ms;
    return this;
  }

  /**
   * Connects over TLS. `tls()` or `tls({})` uses the runtime's trusted roots
   * and verifies the server; `null` turns TLS off again.
   * @throws {TypeError} not an object, an unknown option, a wrongly typed field,
   *   or only one of `cert` / `key`
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
    if (dc !== null && (typeof dc !== "string" || dc === "")) {
      throw new TypeError(
        `local datacenter must be a non-empty string or null, got ${describeValue(dc)}`,
      );
    }
    this.#draft.localDatacenter = dc;
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
    const p = checkPolicy(policy, "speculative execution policy", []);
    if (p !== null) new ConstantSpeculativeExecutionPolicy(p.delayMs, p.maxExecutions);
    this.#draft.speculativeExecution = p;
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
   * down, retries) to `fn`; `null` drops them (default).
   * @throws {TypeError} neither a function nor `null`
   */
  logger(fn: Logger | null): this {
    if (fn !== null && typeof fn !== "function") {
      throw new TypeError(`logger must be a function or null, got ${describeValue(fn)}`);
    }
    this.#draft.logger = fn;
    return this;
  }

  /**
   * The resolved configuration (@internal: read by the session).
   * @throws {TypeError} no contact point was added
   */
  toConfig(): SessionConfig {
    if (this.#nodes.size === 0) {
      throw new TypeError("no contact point: call knownNode() or knownNodes() before build()");
    }
    return Object.freeze({
      ...this.#draft,
      contactPoints: Object.freeze([...this.#nodes.values()]),
    });
  }

  /**
   * Connects: opens the control connection, discovers the cluster and opens
   * the pools.
   * @throws {TypeError} (as a rejection) no contact point was added
   * @throws {ConnectionError} (as a rejection) no contact point could be reached
   * @throws {AuthenticationError} (as a rejection) the credentials were refused
   */
  async build(): Promise<Session> {
    return await Session.open(this.toConfig());
  }

  /** A summary of the settings with secrets redacted (what `JSON.stringify` shows). */
  toJSON(): Record<string, unknown> {
    const d = this.#draft;
    return {
      knownNodes: [...this.#nodes.keys()],
      keyspace: d.keyspace,
      credentials: redactCredentials(d.credentials),
      compression: d.compression,
      poolSize: d.poolSize,
      connectionTimeout: d.connectionTimeout,
      requestTimeout: d.requestTimeout,
      tcpNodelay: d.tcpNodelay,
      tcpKeepalive: d.tcpKeepalive,
      tls: redactTls(d.tls),
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
    return typeof inspect === "function"
      ? `SessionBuilder ${inspect(this.toJSON(), options)}`
      : this.toString();
  }

  /** Redacted view for Node's and Bun's `console.log` / `util.inspect`. */
  [Symbol.for("nodejs.util.inspect.custom")](
    _depth?: number,
    options?: unknown,
    inspect?: (v: unknown, o?: unknown) => string,
  ): string {
    return typeof inspect === "function"
      ? `SessionBuilder ${inspect(this.toJSON(), options)}`
      : this.toString();
  }
}

function redactCredentials(c: Credentials | null): unknown {
  return c === null ? null : { username: c.username, password: REDACTED };
}

function redactTls(t: TlsConfig | null): unknown {
  if (t === null) return null;
  const shown: Record<string, unknown> = { rejectUnauthorized: t.rejectUnauthorized };
  if (t.ca !== undefined) shown.ca = `${t.ca.length} certificate(s)`;
  if (t.cert !== undefined) shown.cert = "<certificate>";
  if (t.key !== undefined) shown.key = REDACTED;
  if (t.serverName !== undefined) shown.serverName = t.serverName;
  return shown;
}
