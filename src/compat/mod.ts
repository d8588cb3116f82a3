/**
 * A `cassandra-driver` 4.x compatible facade over rsylla: `Client`, `types`,
 * `auth`, `policies` and `errors` shaped like DataStax's, so an application
 * switches by changing its import line. It is an adapter over rsylla's
 * `Session`, not a second driver: `Long`, `Integer`, `Uuid`, `Vector` and
 * friends are small value classes converted at its boundary.
 * Options and features it cannot honour are a `TypeError` naming them.
 *
 * @example
 * ```ts ignore
 * // was: const cassandra = require("cassandra-driver");
 * import * as cassandra from "@rsylla/rsylla/compat";
 *
 * const client = new cassandra.Client({
 *   contactPoints: ["127.0.0.1"],
 *   localDataCenter: "datacenter1",
 * });
 * const rs = await client.execute("SELECT key, release_version FROM system.local WHERE key = ?", ["local"]);
 * console.log(rs.first()?.release_version);
 * await client.shutdown();
 * ```
 * @module
 */

export { type Callback, Client, type Params, type RowCallback } from "./client.ts";
export type { ClientOptions, QueryOptions } from "./client_options.ts";
export { auth, AuthProvider, PlainTextAuthProvider } from "./auth.ts";
export { policies } from "./policies.ts";
export { consistencies, dataTypes, distance, responseErrorCodes, types } from "./types.ts";
export { Long } from "./long.ts";
export { Integer } from "./integer.ts";
export { Vector } from "./vector.ts";
export { TimeUuid, Uuid } from "./uuid.ts";
export { InetAddress, LocalDate, LocalTime, Tuple } from "./values.ts";
export { BigDecimal, Duration } from "./decimal_duration.ts";
export { type ColumnInfo, type ExecutionInfo, ResultSet, Row } from "./result_set.ts";
export { ResultStream } from "./row_stream.ts";
export { Emitter, type Listener } from "./emitter.ts";
export {
  type ConcurrentClient,
  type ConcurrentOptions,
  executeConcurrent,
  type QueryAndParams,
  ResultSetGroup,
} from "./concurrent.ts";
import { executeConcurrent, ResultSetGroup as Group } from "./concurrent.ts";

/** The facade's `concurrent` namespace, as `cassandra-driver`'s. */
export const concurrent: {
  executeConcurrent: typeof executeConcurrent;
  ResultSetGroup: typeof Group;
} = { executeConcurrent, ResultSetGroup: Group };
export type {
  ExecuteFn,
  Host,
  HostMap,
  KeyspaceInfo,
  Metadata,
  QueryTrace,
  TableInfo,
} from "./metadata.ts";
import * as errorClasses from "./errors.ts";
export {
  ArgumentError,
  AuthenticationError,
  BusyConnectionError,
  DriverError,
  DriverInternalError,
  NoHostAvailableError,
  NotSupportedError,
  OperationTimedOutError,
  ResponseError,
} from "./errors.ts";

/** The facade's `errors` namespace, as `cassandra-driver`'s. */
export const errors: {
  DriverError: typeof errorClasses.DriverError;
  NoHostAvailableError: typeof errorClasses.NoHostAvailableError;
  ResponseError: typeof errorClasses.ResponseError;
  DriverInternalError: typeof errorClasses.DriverInternalError;
  AuthenticationError: typeof errorClasses.AuthenticationError;
  ArgumentError: typeof errorClasses.ArgumentError;
  OperationTimedOutError: typeof errorClasses.OperationTimedOutError;
  NotSupportedError: typeof errorClasses.NotSupportedError;
  BusyConnectionError: typeof errorClasses.BusyConnectionError;
} = {
  DriverError: errorClasses.DriverError,
  NoHostAvailableError: errorClasses.NoHostAvailableError,
  ResponseError: errorClasses.ResponseError,
  DriverInternalError: errorClasses.DriverInternalError,
  AuthenticationError: errorClasses.AuthenticationError,
  ArgumentError: errorClasses.ArgumentError,
  OperationTimedOutError: errorClasses.OperationTimedOutError,
  NotSupportedError: errorClasses.NotSupportedError,
  BusyConnectionError: errorClasses.BusyConnectionError,
};
