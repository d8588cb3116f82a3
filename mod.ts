/**
 * rsylla: a ScyllaDB / Apache Cassandra driver for TypeScript on Deno, Bun
 * and Node. It speaks the CQL native protocol (v5, falling back to v4)
 * itself, pools connections per node (per shard on ScyllaDB), routes prepared
 * statements to a replica owning their token, and follows paging for you.
 *
 * Start with {@link SessionBuilder} (or {@link Session.connect}); run CQL with
 * `session.execute`, {@link Query}, {@link PreparedStatement}, {@link Batch} or
 * the `session.sql` tagged template; read rows from {@link QueryResult} and
 * {@link Row}. Failures from the cluster are {@link ScyllaError} subclasses;
 * wrong arguments are `TypeError` / `RangeError`, thrown before anything is sent.
 * Other entry points: `@rsylla/rsylla/compat` (a `cassandra-driver` 4.x
 * facade) and `@rsylla/rsylla/workers` (Cloudflare Workers sockets).
 *
 * @example Connect and read (needs a node on 127.0.0.1:9042)
 * ```ts ignore
 * import { SessionBuilder } from "@rsylla/rsylla";
 *
 * await using session = await new SessionBuilder().knownNode("127.0.0.1:9042").build();
 * const rs = await session.execute("SELECT release_version FROM system.local");
 * console.log(rs.firstRow()?.get("release_version"));
 *
 * const ps = await session.prepare("SELECT name FROM ks.users WHERE id = ?");
 * const user = (await session.executePrepared(ps, [42])).firstRowTyped<{ name: string }>();
 * const names = await session.sql<{ name: string }>`SELECT name FROM ks.users WHERE id = ${42}`;
 * ```
 *
 * @example Statements and settings are plain objects, checked as they are built
 * ```ts
 * import { Batch, Consistency, Query, SessionBuilder } from "@rsylla/rsylla";
 *
 * const builder = new SessionBuilder()
 *   .knownNodes(["10.0.0.1", "10.0.0.2:9042"])
 *   .localDatacenter("dc1")
 *   .defaultConsistency(Consistency.LOCAL_QUORUM);
 * const q = new Query("SELECT * FROM ks.events WHERE day = ?").withPageSize(1000);
 * const batch = new Batch("unlogged")
 *   .appendStatement("INSERT INTO ks.a (id) VALUES (?)")
 *   .appendQuery(new Query("INSERT INTO ks.b (id) VALUES (?)"));
 * console.log(q.getPageSize(), batch.statementsCount()); // 1000 2
 * try {
 *   builder.poolSize(0);
 * } catch (e) {
 *   console.log(e instanceof RangeError); // true
 * }
 * ```
 * @module
 */

export { type CallOptions, Session, type Values } from "./src/session.ts";
export { SessionBuilder } from "./src/session_builder.ts";
export { Query } from "./src/statement/query.ts";
export { PreparedStatement } from "./src/statement/prepared.ts";
export { Batch, type BatchType } from "./src/statement/batch.ts";
export { type ColSpec, QueryResult, Row } from "./src/result.ts";
export {
  Consistency,
  type ConsistencyName,
  type SerialConsistencyName,
} from "./src/consistency.ts";
export { ClusterData, type TabletCount } from "./src/cluster/cluster_data.ts";
export type { NodeInfo } from "./src/cluster/node.ts";
export type {
  ColumnMetadata,
  KeyspaceMetadata,
  TableMetadata,
  UserTypeMetadata,
} from "./src/cluster/schema.ts";
export {
  DefaultRetryPolicy,
  FallthroughRetryPolicy,
  type RetryContext,
  type RetryDecision,
  type RetryPolicy,
} from "./src/policies/retry.ts";
export { ExponentialReconnectPolicy, type ReconnectPolicy } from "./src/pool/reconnect_policy.ts";
export {
  ConstantSpeculativeExecutionPolicy,
  type SpeculativeExecutionPolicy,
} from "./src/policies/speculative.ts";
export type { ContactPoint } from "./src/pool/address.ts";
export type {
  Compression,
  Credentials,
  KeyspaceConfig,
  LogEvent,
  Logger,
  LogLevel,
  Pem,
  SessionConfig,
  TlsConfig,
  TlsOptions,
} from "./src/config.ts";
export type { StatementOptions } from "./src/statement/options.ts";
export { PagedStatementBase, StatementBase } from "./src/statement/statement_base.ts";
export type { ProfileSettings } from "./src/request/resolve.ts";
export type { ExecutionProfile, OpenTelemetryConfig } from "./src/config.ts";
export type { LatencyAwareOptions, LatencyAwareSettings } from "./src/policies/latency_aware.ts";
export type {
  AttemptInfo,
  RequestInfo,
  RequestKind,
  RequestTracker,
} from "./src/observability/tracker.ts";
export type { LatencySummary, MetricsSnapshot, NodeMetrics } from "./src/observability/metrics.ts";
export type { OpenTelemetryOptions, OtelApi, TracerProvider } from "./src/observability/otel.ts";
export {
  AlreadyExistsError,
  AuthenticationError,
  ConfigurationError,
  ConnectionError,
  type ConsistencyDetails,
  CqlSyntaxError,
  type FailureReasons,
  FunctionFailureError,
  InvalidQueryError,
  IsBootstrappingError,
  OverloadedError,
  ProtocolError,
  RateLimitReachedError,
  ReadFailureError,
  ReadTimeoutError,
  type ReplicaDetails,
  RequestTimeoutError,
  ScyllaError,
  type ScyllaErrorOptions,
  ServerError,
  TruncateError,
  UnauthorizedError,
  UnavailableError,
  WriteFailureError,
  WriteTimeoutError,
} from "./src/errors.ts";
