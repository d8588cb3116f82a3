/**
 * OpenTelemetry spans, opt-in: `@opentelemetry/api` is imported (dynamically)
 * only when `SessionBuilder.openTelemetry()` was called. One CLIENT span per
 * request, a child span per attempt (speculative executions' attempts
 * marked), attributes from the database semantic conventions, errors
 * recorded with the span status set.
 * @module
 */

import type { Cluster, Host } from "../cluster/cluster.ts";
import { consistencyName } from "../consistency.ts";
import { ConfigurationError, ScyllaError } from "../errors.ts";
import type { RequestDescription, RequestObserver } from "./observer.ts";

/** A tracer provider, as `@opentelemetry/api` defines it (only `getTracer` is used). */
export interface TracerProvider {
  /** The tracer named `name`. */
  getTracer(name: string, version?: string): unknown;
}

/** Settings of `SessionBuilder.openTelemetry()`. */
export interface OpenTelemetryOptions {
  /** Where spans go; the global provider (`trace.getTracerProvider()`) by default. */
  tracerProvider?: TracerProvider;
  /** Record the CQL text as `db.query.text` (default `false`: it may hold literals). */
  captureStatementText?: boolean;
}

type Attributes = Record<string, string | number | boolean>;

interface Span {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setAttributes(a: Attributes): unknown;
  setStatus(s: { code: number; message?: string }): unknown;
  recordException(e: unknown): unknown;
  end(): void;
}

interface Tracer {
  startSpan(
    name: string,
    options?: { kind?: number; attributes?: Attributes },
    ctx?: unknown,
  ): Span;
}

/** The parts of `@opentelemetry/api` used here. */
export interface OtelApi {
  /** Tracing entry points. */
  trace: {
    getTracerProvider(): TracerProvider;
    setSpan(ctx: unknown, span: unknown): unknown;
  };
  /** The active context. */
  context: { active(): unknown };
}

const SPAN_KIND_CLIENT = 2;
const STATUS_ERROR = 2;
/** The optional peer dependency, named in messages. */
const API_MODULE = "@opentelemetry/api";
/** Longest `db.query.text` recorded. */
const MAX_TEXT = 2000;

/**
 * Imports `@opentelemetry/api`.
 * @throws {ConfigurationError} the package cannot be imported
 */
export async function loadOpenTelemetry(): Promise<OtelApi> {
  try {
    // A literal specifier, so JSR's publish step maps it to its npm: package; it is still only
    // loaded when openTelemetry() was asked for.
    const m = await import("@opentelemetry/api");
    return (m.trace ? m : m.default) as OtelApi;
  } catch (e) {
    throw new ConfigurationError(
      `openTelemetry() needs the "${API_MODULE}" package, which could not be imported ` +
        `(install it, or map it in your import map): ${(e as Error)?.message ?? e}`,
      { cause: e },
    );
  }
}

interface RequestSpan {
  span: Span;
  ctx: unknown;
  name: string;
}

/** Reports requests as spans. */
export class OtelObserver implements RequestObserver {
  /** Every request is described and timed. */
  readonly detailed = true;
  readonly #api: OtelApi;
  readonly #tracer: Tracer;
  readonly #captureText: boolean;
  readonly #cluster: Cluster;

  /**
   * @param api the loaded `@opentelemetry/api`
   * @param options provider and statement capture
   * @param cluster tells ScyllaDB from Cassandra
   */
  constructor(api: OtelApi, options: OpenTelemetryOptions, cluster: Cluster) {
    this.#api = api;
    const provider = options.tracerProvider ?? api.trace.getTracerProvider();
    this.#tracer = provider.getTracer("rsylla") as Tracer;
    this.#captureText = options.captureStatementText ?? false;
    this.#cluster = cluster;
  }

  start(d: RequestDescription | null): RequestSpan {
    if (d === null) throw new TypeError("a detailed observer needs a description");
    const operation = d.kind === "batch" ? "BATCH" : firstWord(d.statement) || d.kind.toUpperCase();
    const target = d.table !== null && d.keyspace !== null
      ? `${d.keyspace}.${d.table}`
      : d.keyspace;
    const name = target ? `${operation} ${target}` : operation;
    const a: Attributes = {
      "db.system.name": this.#system(),
      "db.operation.name": operation,
    };
    if (d.keyspace !== null) a["db.namespace"] = d.keyspace;
    if (d.table !== null) a["db.collection.name"] = d.table;
    if (this.#captureText && d.statement !== "") {
      a["db.query.text"] = d.statement.slice(0, MAX_TEXT);
    }
    const o = d.options;
    if (o !== null) {
      a["cassandra.consistency.level"] = consistencyName(o.consistency).toLowerCase();
      a["cassandra.page.size"] = o.pageSize;
      a["cassandra.query.idempotent"] = o.idempotent;
    }
    const span = this.#tracer.startSpan(name, { kind: SPAN_KIND_CLIENT, attributes: a });
    return { span, ctx: this.#api.trace.setSpan(this.#api.context.active(), span), name };
  }

  attempt(s: unknown, host: Host, shard: number | null, n: number, spec: boolean): Span {
    const r = s as RequestSpan;
    const a: Attributes = {
      "server.address": host.info.address,
      "server.port": host.info.port,
      "cassandra.coordinator.id": host.info.hostId,
      "cassandra.coordinator.dc": host.info.datacenter,
      "rsylla.attempt": n,
      "rsylla.speculative": spec,
    };
    if (shard !== null) a["rsylla.shard"] = shard;
    r.span.setAttributes({
      "server.address": host.info.address,
      "server.port": host.info.port,
      "cassandra.coordinator.id": host.info.hostId,
      "cassandra.coordinator.dc": host.info.datacenter,
    });
    const kind = spec ? "speculative execution" : "attempt";
    return this.#tracer.startSpan(
      `${r.name} ${kind}`,
      { kind: SPAN_KIND_CLIENT, attributes: a },
      r.ctx,
    );
  }

  attemptEnd(_s: unknown, a: unknown, _h: Host, _ms: number, e: unknown): void {
    const span = a as Span;
    if (e !== undefined) fail(span, e);
    span.end();
  }

  retry(): void {}

  speculativeStart(s: unknown): void {
    const span = (s as RequestSpan).span as Span & { _specs?: number };
    span._specs = (span._specs ?? 0) + 1;
    span.setAttribute("cassandra.speculative_execution.count", span._specs);
  }

  end(s: unknown, _ms: number, e: unknown): void {
    const span = (s as RequestSpan).span;
    if (e !== undefined) fail(span, e);
    span.end();
  }

  #system(): string {
    const c = this.#cluster;
    if (c.lwtMask !== null) return "scylladb";
    for (const h of c.hosts.values()) if (h.pool.shardCount !== null) return "scylladb";
    return "cassandra";
  }
}

function fail(span: Span, e: unknown): void {
  span.recordException(e instanceof Error ? e : String(e));
  const a: Attributes = { "error.type": e instanceof Error ? e.name : "Error" };
  if (e instanceof ScyllaError && e.code !== null) {
    a["db.response.status_code"] = `0x${e.code.toString(16).padStart(4, "0")}`;
  }
  span.setAttributes(a);
  span.setStatus({ code: STATUS_ERROR, message: e instanceof Error ? e.message : String(e) });
}

function firstWord(cql: string): string {
  const m = /^\s*([A-Za-z]+)/.exec(cql);
  return m ? m[1].toUpperCase() : "";
}
