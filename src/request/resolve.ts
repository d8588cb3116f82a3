/**
 * The one place where a request's options are decided: call options, then the
 * statement's own, then its execution profile, then the builder's settings.
 * @module
 */

import type { LoadBalancingPolicy } from "../policies/load_balancing.ts";
import type { RetryPolicy } from "../policies/retry.ts";
import type { SpeculativeExecutionPolicy } from "../policies/speculative.ts";
import type { StatementOptions } from "../statement/options.ts";

/** Per-call options of `execute`, `query`, `executePrepared`, `batch` and `iter`. */
export interface CallOptions {
  /** Aborts the call: it rejects at once with the signal's reason. */
  signal?: AbortSignal;
  /** Execution profile for this call, overriding the statement's. */
  profile?: string;
}

/** The settings a profile (or the builder, as the `"default"` profile) fixes for a request. */
export interface ProfileSettings {
  /** Consistency wire code. */
  readonly consistency: number;
  /** Serial consistency wire code, or unset for the server's default. */
  readonly serialConsistency?: number;
  /** Rows per page. */
  readonly pageSize: number;
  /** Client-side timeout per attempt, ms. */
  readonly requestTimeout: number;
  /** Decides what to do with a failed attempt. */
  readonly retryPolicy: RetryPolicy;
  /** Extra executions of idempotent statements, or `null` for none. */
  readonly speculativeExecution: SpeculativeExecutionPolicy | null;
}

/** A profile's settings with its load-balancing policy (kept out of the public type). */
export interface RoutedProfile extends ProfileSettings {
  /** The order of hosts, or `null`/unset for the session's policy. */
  readonly loadBalancing?: LoadBalancingPolicy | null;
}

/** Every option of one request, decided. */
export interface ResolvedOptions extends RoutedProfile {
  /** Client-side write timestamp, µs. */
  readonly timestamp?: bigint;
  /** Ask the server to trace the request. */
  readonly tracing: boolean;
  /** Safe to retry and to execute speculatively. */
  readonly idempotent: boolean;
  /** Caller's cancellation. */
  readonly signal?: AbortSignal;
}

/** Resolves options against a fixed set of profiles. */
export class OptionsResolver {
  readonly #defaults: RoutedProfile;
  readonly #profiles: ReadonlyMap<string, RoutedProfile>;
  /**
   * Records are frozen, so a record resolved without call options always
   * resolves the same: kept per record, a request then allocates nothing here.
   */
  readonly #plain = new WeakMap<StatementOptions, ResolvedOptions>();

  /**
   * @param defaults the builder's settings (the `"default"` profile unless one is named so)
   * @param profiles named profiles, each already merged over the defaults
   */
  constructor(defaults: RoutedProfile, profiles: ReadonlyMap<string, RoutedProfile>) {
    this.#defaults = profiles.get("default") ?? defaults;
    this.#profiles = profiles;
  }

  /** The settings of the default profile (requests that are not statements use them). */
  get defaults(): ProfileSettings {
    return this.#defaults;
  }

  /**
   * Every option of one request: call → statement → profile → builder.
   * @throws {TypeError} the named profile does not exist; the message lists the known ones
   */
  resolve(s: StatementOptions, call?: CallOptions): ResolvedOptions {
    if (call === undefined) {
      let r = this.#plain.get(s);
      if (r === undefined) this.#plain.set(s, r = this.#resolve(s, undefined));
      return r;
    }
    return this.#resolve(s, call);
  }

  #resolve(s: StatementOptions, call: CallOptions | undefined): ResolvedOptions {
    const p = this.#profile(call?.profile ?? s.profile);
    return {
      consistency: s.consistency ?? p.consistency,
      serialConsistency: s.serialConsistency ?? p.serialConsistency,
      pageSize: s.pageSize ?? p.pageSize,
      requestTimeout: s.requestTimeout ?? p.requestTimeout,
      retryPolicy: p.retryPolicy,
      speculativeExecution: p.speculativeExecution,
      loadBalancing: p.loadBalancing ?? null,
      timestamp: s.timestamp,
      tracing: s.tracing,
      idempotent: s.idempotent,
      signal: call?.signal,
    };
  }

  #profile(name: string | undefined): RoutedProfile {
    if (name === undefined || name === "default") return this.#defaults;
    const p = this.#profiles.get(name);
    if (p === undefined) {
      const known = ["default", ...[...this.#profiles.keys()].filter((k) => k !== "default")];
      throw new TypeError(
        `unknown execution profile ${JSON.stringify(name)}; known: ${known.join(", ")}`,
      );
    }
    return p;
  }
}
