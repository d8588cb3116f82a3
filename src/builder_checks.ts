/**
 * Checks of the builder's operational settings (execution profiles,
 * latency awareness, tracker, OpenTelemetry) and the merge of each profile
 * over the builder's settings. Kept apart so `session_builder.ts` stays a
 * list of setters.
 * @module
 */

import type {
  Compression,
  Credentials,
  KeyspaceConfig,
  Logger,
  OpenTelemetryConfig,
  RetryPolicy,
  SessionConfig,
  SpeculativeExecutionPolicy,
  TlsConfig,
} from "./config.ts";
import { consistencyCode } from "./consistency.ts";
import type { RequestTracker } from "./observability/tracker.ts";
import { DefaultLoadBalancingPolicy } from "./policies/default_policy.ts";
import {
  LATENCY_AWARE_DEFAULTS,
  type LatencyAwareOptions,
  type LatencyAwareSettings,
  LatencyTracker,
} from "./policies/latency_aware.ts";
import type { LoadBalancingPolicy } from "./policies/load_balancing.ts";
import { DefaultRetryPolicy } from "./policies/retry.ts";
import { ConstantSpeculativeExecutionPolicy } from "./policies/speculative.ts";
import type { RoutedProfile } from "./request/resolve.ts";
import { checkPageSize, DEFAULT_PAGE_SIZE } from "./statement/options.ts";
import { checkBoolean, checkPolicy, checkTimeout, describeValue } from "./validate.ts";
import { keyspaceIdentifier } from "./identifiers.ts";
import { type ContactPoint, parseContactPoint } from "./pool/address.ts";

const LATENCY_KEYS = Object.keys(LATENCY_AWARE_DEFAULTS);
const PROFILE_KEYS = [
  "consistency",
  "serialConsistency",
  "requestTimeout",
  "retryPolicy",
  "speculativeExecution",
  "pageSize",
  "localDatacenter",
  "localRack",
  "latencyAware",
];

function checkKeys(o: unknown, valid: readonly string[], what: string): Record<string, unknown> {
  if (o === null || typeof o !== "object" || Array.isArray(o)) {
    throw new TypeError(`${what} must be an object, got ${describeValue(o)}`);
  }
  for (const k of Object.keys(o)) {
    if (!valid.includes(k)) {
      throw new TypeError(`unknown ${what} key ${JSON.stringify(k)}; valid: ${valid.join(", ")}`);
    }
  }
  return o as Record<string, unknown>;
}

/**
 * Checks latency-aware options and applies their defaults; `false` is off.
 * @throws {TypeError} not an object or `false`, an unknown key, or a field that is not a number
 * @throws {RangeError} `exclusionThreshold` < 1, or a negative or non-finite value
 */
export function checkLatencyAware(opts: unknown): LatencyAwareSettings | null {
  if (opts === false) return null;
  const o = checkKeys(opts ?? {}, LATENCY_KEYS, "latencyAware option");
  for (const k of LATENCY_KEYS) {
    const v = o[k];
    if (v === undefined) continue;
    if (typeof v !== "number") {
      throw new TypeError(`latencyAware ${k} must be a number, got ${describeValue(v)}`);
    }
    if (!Number.isFinite(v) || v < 0) {
      throw new RangeError(`latencyAware ${k} must be a finite number ≥ 0, got ${v}`);
    }
  }
  if (o.exclusionThreshold !== undefined && (o.exclusionThreshold as number) < 1) {
    throw new RangeError(
      `latencyAware exclusionThreshold must be ≥ 1, got ${o.exclusionThreshold}`,
    );
  }
  if (o.scale === 0) throw new RangeError("latencyAware scale must be > 0 ms");
  return Object.freeze({ ...LATENCY_AWARE_DEFAULTS, ...(o as LatencyAwareOptions) });
}

function nonEmpty(v: unknown, what: string): string {
  if (typeof v !== "string" || v === "") {
    throw new TypeError(`${what} must be a non-empty string, got ${describeValue(v)}`);
  }
  return v;
}

/** A checked execution profile: wire codes and defaults applied where given. */
export interface CheckedProfile {
  readonly consistency?: number;
  readonly serialConsistency?: number;
  readonly requestTimeout?: number;
  readonly retryPolicy?: RetryPolicy;
  readonly speculativeExecution?: SpeculativeExecutionPolicy | null;
  readonly pageSize?: number;
  readonly localDatacenter?: string;
  readonly localRack?: string;
  readonly latencyAware?: LatencyAwareSettings | null;
}

/**
 * Checks an execution profile field by field, as the builder's own setters do.
 * @throws {TypeError} empty or duplicate name, not an object, an unknown key, a wrongly typed field
 * @throws {RangeError} a consistency name, timeout, page size or latency setting out of range
 */
export function checkExecutionProfile(
  name: unknown,
  p: unknown,
  known: ReadonlyMap<string, unknown>,
): CheckedProfile {
  const n = nonEmpty(name, "execution profile name");
  if (known.has(n)) {
    throw new TypeError(`execution profile ${JSON.stringify(n)} is already defined`);
  }
  const o = checkKeys(p, PROFILE_KEYS, `execution profile ${JSON.stringify(n)}`);
  const out: { -readonly [K in keyof CheckedProfile]: CheckedProfile[K] } = {};
  if (o.consistency !== undefined) out.consistency = consistencyCode(o.consistency);
  if (o.serialConsistency !== undefined) {
    out.serialConsistency = consistencyCode(o.serialConsistency, "serial consistency");
  }
  if (o.requestTimeout !== undefined) {
    out.requestTimeout = checkTimeout(o.requestTimeout, "request timeout");
  }
  if (o.retryPolicy !== undefined) {
    const r = checkPolicy(o.retryPolicy as RetryPolicy, "retry policy", ["decide"]);
    if (r === null) throw new TypeError("a profile's retry policy must be an object");
    out.retryPolicy = r;
  }
  if (o.speculativeExecution !== undefined) {
    out.speculativeExecution = checkSpeculative(o.speculativeExecution);
  }
  if (o.pageSize !== undefined) out.pageSize = checkPageSize(o.pageSize);
  if (o.localDatacenter !== undefined) {
    out.localDatacenter = nonEmpty(o.localDatacenter, "local datacenter");
  }
  if (o.localRack !== undefined) out.localRack = nonEmpty(o.localRack, "local rack");
  if (o.latencyAware !== undefined) out.latencyAware = checkLatencyAware(o.latencyAware);
  return Object.freeze(out);
}

/**
 * Checks a speculative execution policy (`null` for none).
 * @throws {TypeError} neither an object nor `null`
 * @throws {RangeError} a negative delay or fewer than one execution
 */
export function checkSpeculative(p: unknown): SpeculativeExecutionPolicy | null {
  const s = checkPolicy(p as SpeculativeExecutionPolicy | null, "speculative execution policy", []);
  if (s !== null) new ConstantSpeculativeExecutionPolicy(s.delayMs, s.maxExecutions);
  return s;
}

/**
 * Checks a request tracker: an object whose `on*` members are functions; `null` removes it.
 * @throws {TypeError} not an object, or a callback that is not a function
 */
export function checkTracker(t: unknown): RequestTracker | null {
  if (t === null) return null;
  if (typeof t !== "object") {
    throw new TypeError(`request tracker must be an object or null, got ${describeValue(t)}`);
  }
  for (const k of ["onStart", "onAttempt", "onSuccess", "onError"]) {
    const f = (t as Record<string, unknown>)[k];
    if (f !== undefined && typeof f !== "function") {
      throw new TypeError(`request tracker ${k} must be a function`);
    }
  }
  return t as RequestTracker;
}

/**
 * Checks `openTelemetry()` options; `false` turns tracing off.
 * @throws {TypeError} not an object, an unknown key, or a wrongly typed field
 */
export function checkOpenTelemetry(o: unknown): OpenTelemetryConfig | null {
  if (o === false) return null;
  const r = checkKeys(o ?? {}, ["tracerProvider", "captureStatementText"], "openTelemetry option");
  const provider = r.tracerProvider as { getTracer?: unknown } | undefined;
  if (provider !== undefined && typeof provider?.getTracer !== "function") {
    throw new TypeError("openTelemetry tracerProvider must have a getTracer() method");
  }
  if (r.captureStatementText !== undefined && typeof r.captureStatementText !== "boolean") {
    throw new TypeError("openTelemetry captureStatementText must be a boolean");
  }
  return Object.freeze({ ...r }) as OpenTelemetryConfig;
}

type Routing = {
  localDatacenter: string | null;
  localRack: string | null;
  latencyAware: LatencyAwareSettings | null;
};

/**
 * The session's own load-balancing policy when rack or latency awareness
 * asks for it; `null` keeps the token-aware round-robin default.
 */
export function routingPolicy(r: Routing, always = false): LoadBalancingPolicy | null {
  if (!always && r.localRack === null && r.latencyAware === null) return null;
  return new DefaultLoadBalancingPolicy({
    localDatacenter: r.localDatacenter,
    localRack: r.localRack,
    latencyAware: r.latencyAware === null ? null : new LatencyTracker(r.latencyAware),
  });
}

function mergeRouting(base: Routing, p: CheckedProfile, name: string): Routing {
  const dc = p.localDatacenter ?? base.localDatacenter;
  // A profile naming another datacenter does not inherit a rack of the builder's.
  const rack = p.localRack ??
    (p.localDatacenter !== undefined && p.localDatacenter !== base.localDatacenter
      ? null
      : base.localRack);
  if (rack !== null && dc === null) {
    throw new TypeError(
      `${name}: localRack(${JSON.stringify(rack)}) needs localDatacenter() as well`,
    );
  }
  return {
    localDatacenter: dc,
    localRack: rack,
    latencyAware: p.latencyAware === undefined ? base.latencyAware : p.latencyAware,
  };
}

/**
 * Merges each profile over the builder's settings into the settings the
 * resolver uses. `"default"` is merged over the builder's and replaces them;
 * the others are merged over that.
 * @throws {TypeError} a `localRack` without a `localDatacenter`
 */
export function mergeProfiles(
  c: SessionConfig,
  profiles: ReadonlyMap<string, CheckedProfile>,
): Map<string, RoutedProfile> {
  const baseRouting: Routing = {
    localDatacenter: c.localDatacenter,
    localRack: c.localRack,
    latencyAware: c.latencyAware,
  };
  if (c.localRack !== null && c.localDatacenter === null) {
    throw new TypeError(
      `localRack(${JSON.stringify(c.localRack)}) needs localDatacenter() as well`,
    );
  }
  let base: RoutedProfile = {
    consistency: c.defaultConsistency,
    pageSize: DEFAULT_PAGE_SIZE,
    requestTimeout: c.requestTimeout,
    retryPolicy: c.retryPolicy ?? new DefaultRetryPolicy(),
    speculativeExecution: c.speculativeExecution,
    loadBalancing: null,
  };
  let routing = baseRouting;
  const out = new Map<string, RoutedProfile>();
  const merge = (name: string, p: CheckedProfile): [RoutedProfile, Routing] => {
    const own = p.localDatacenter !== undefined || p.localRack !== undefined ||
      p.latencyAware !== undefined;
    const r = mergeRouting(routing, p, `execution profile ${JSON.stringify(name)}`);
    return [
      Object.freeze({
        consistency: p.consistency ?? base.consistency,
        serialConsistency: p.serialConsistency ?? base.serialConsistency,
        pageSize: p.pageSize ?? base.pageSize,
        requestTimeout: p.requestTimeout ?? base.requestTimeout,
        retryPolicy: p.retryPolicy ?? base.retryPolicy,
        speculativeExecution: p.speculativeExecution !== undefined
          ? p.speculativeExecution
          : base.speculativeExecution,
        loadBalancing: own ? routingPolicy(r, true) : base.loadBalancing,
      }),
      r,
    ];
  };
  const def = profiles.get("default");
  if (def !== undefined) {
    [base, routing] = merge("default", def);
    out.set("default", base);
  }
  for (const [name, p] of profiles) if (name !== "default") out.set(name, merge(name, p)[0]);
  return out;
}

/**
 * Checks a protocol version to pin.
 * @throws {RangeError} anything but 4 or 5
 */
export function checkProtocolVersion(v: unknown): 4 | 5 {
  if (v !== 4 && v !== 5) {
    throw new RangeError(`protocol version must be 4 or 5, got ${describeValue(v)}`);
  }
  return v;
}

/**
 * Checks credentials; only the password's type is ever named (the value may be the secret).
 * @throws {TypeError} `username` is not a non-empty string or `password` not a string
 */
export function checkUser(username: unknown, password: unknown): void {
  if (typeof username !== "string" || username === "") {
    throw new TypeError("username must be a non-empty string");
  }
  if (typeof password !== "string") {
    throw new TypeError(`password must be a string, got ${typeof password}`);
  }
}

/**
 * Checks a compression kind.
 * @throws {RangeError} anything but `"lz4"`, `"snappy"` or `null`
 */
export function checkCompression(kind: unknown): Compression {
  if (kind !== null && kind !== "lz4" && kind !== "snappy") {
    throw new RangeError(
      `invalid compression ${describeValue(kind)}; valid: "lz4", "snappy", null`,
    );
  }
  return kind;
}

/**
 * Checks a TCP keepalive interval (ms ≥ 0) or `null`.
 * @throws {TypeError} neither a number nor `null`
 * @throws {RangeError} negative or not finite
 */
export function checkKeepalive(ms: unknown): number | null {
  if (ms === null) return null;
  if (typeof ms !== "number") {
    throw new TypeError(`tcp keepalive must be a number of ms or null, got ${typeof ms}`);
  }
  if (!Number.isFinite(ms) || ms < 0) {
    throw new RangeError(`tcp keepalive must be a finite number of ms ≥ 0, got ${ms}`);
  }
  return ms;
}

/**
 * Checks a name that may be `null` (datacenter, rack).
 * @throws {TypeError} neither a non-empty string nor `null`
 */
export function optionalName(v: unknown, what: string): string | null {
  if (v !== null && (typeof v !== "string" || v === "")) {
    throw new TypeError(`${what} must be a non-empty string or null, got ${describeValue(v)}`);
  }
  return v;
}

/**
 * Checks a logger.
 * @throws {TypeError} neither a function nor `null`
 */
export function checkLogger(fn: unknown): Logger | null {
  if (fn !== null && typeof fn !== "function") {
    throw new TypeError(`logger must be a function or null, got ${describeValue(fn)}`);
  }
  return fn as Logger | null;
}

const REDACTED = "<redacted>";

/** Credentials as the builder shows them: the password redacted. */
export function redactCredentials(c: Credentials | null): unknown {
  return c === null ? null : { username: c.username, password: REDACTED };
}

/** TLS settings as the builder shows them: the key redacted, certificates counted. */
export function redactTls(t: TlsConfig | null): unknown {
  if (t === null) return null;
  const shown: Record<string, unknown> = { rejectUnauthorized: t.rejectUnauthorized };
  if (t.ca !== undefined) shown.ca = `${t.ca.length} certificate(s)`;
  if (t.cert !== undefined) shown.cert = "<certificate>";
  if (t.key !== undefined) shown.key = REDACTED;
  if (t.serverName !== undefined) shown.serverName = t.serverName;
  return shown;
}

/** `SessionBuilder {...}` through the runtime's inspector, or `String(b)` without one. */
export function inspected(
  b: { toJSON(): unknown; toString(): string },
  inspect: ((v: unknown, o?: unknown) => string) | undefined,
  options: unknown,
): string {
  return typeof inspect === "function"
    ? `SessionBuilder ${inspect(b.toJSON(), options)}`
    : b.toString();
}

/**
 * Parses contact points; if one is malformed none is returned.
 * @throws {TypeError} not an array, or an entry is malformed
 */
export function contactPoints(hostPorts: unknown): ContactPoint[] {
  if (!Array.isArray(hostPorts)) {
    throw new TypeError(`knownNodes expects an array of "host:port", got ${typeof hostPorts}`);
  }
  return hostPorts.map(parseContactPoint);
}

/**
 * Checks a keyspace to use on every connection.
 * @throws {TypeError} `name` is not a non-empty string usable as given, or `caseSensitive` not a boolean
 */
export function keyspaceConfig(name: unknown, caseSensitive: unknown): KeyspaceConfig {
  if (typeof name !== "string" || name === "") {
    throw new TypeError(`keyspace name must be a non-empty string, got ${describeValue(name)}`);
  }
  checkBoolean(caseSensitive, "caseSensitive");
  keyspaceIdentifier(name, caseSensitive as boolean); // refuse a name that cannot be used unquoted
  return Object.freeze({ name, caseSensitive: caseSensitive as boolean });
}
