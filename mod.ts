/**
 * rsylla: a ScyllaDB / Apache Cassandra driver for TypeScript on Deno, Bun
 * and Node. It speaks the CQL native protocol v4 itself, pools connections
 * per node, and routes each request to a live node.
 *
 * @example
 * ```ts ignore
 * import { SessionBuilder } from "@rsylla/rsylla";
 *
 * const session = await new SessionBuilder().knownNode("127.0.0.1:9042").build();
 * const rs = await session.execute("SELECT release_version FROM system.local");
 * console.log(rs.firstRow()?.get("release_version"));
 * await session.close();
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
