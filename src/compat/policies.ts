/**
 * `policies` of the facade, shaped like `cassandra-driver`'s: the policies it
 * can map to the driver's own (round-robin per datacenter with token
 * awareness, default or fall-through retry, exponential or constant
 * reconnection, constant speculative execution). A policy it cannot honour is
 * a `TypeError` naming it when the client is built.
 * @module
 */

import {
  DefaultRetryPolicy,
  FallthroughRetryPolicy as DriverFallthrough,
  type RetryPolicy as DriverRetryPolicy,
} from "../policies/retry.ts";
import {
  ConstantSpeculativeExecutionPolicy as DriverConstantSpeculative,
  type SpeculativeExecutionPolicy,
} from "../policies/speculative.ts";
import { ExponentialReconnectPolicy } from "../pool/reconnect_policy.ts";

/** Base of load-balancing policies, as `policies.loadBalancing.LoadBalancingPolicy`. */
export class LoadBalancingPolicy {
  /** The local datacenter this policy was given, if any. */
  readonly localDc: string | undefined;
  /** A policy preferring `localDc` when given. */
  constructor(localDc?: string) {
    this.localDc = localDc;
  }
}
/** Round-robin over the local datacenter's nodes (the driver's default). */
export class DCAwareRoundRobinPolicy extends LoadBalancingPolicy {}
/** Round-robin over all nodes; mapped to the driver's default (datacenter-aware) plan. */
export class RoundRobinPolicy extends LoadBalancingPolicy {}
/** Replicas first, then the child policy; the driver routes by token already. */
export class TokenAwarePolicy extends LoadBalancingPolicy {
  /** A token-aware policy over `childPolicy`. */
  constructor(childPolicy: LoadBalancingPolicy) {
    super(childPolicy?.localDc);
  }
}
/** `cassandra-driver`'s default policy (token-aware, datacenter-aware). */
export class DefaultLoadBalancingPolicy extends LoadBalancingPolicy {
  /** A default policy, with `{ localDc }` or a local DC name. */
  constructor(options?: string | { localDc?: string }) {
    super(typeof options === "string" ? options : options?.localDc);
  }
}

/** The default retry policy, as `policies.retry.RetryPolicy` (retries as the driver's default). */
export class RetryPolicy {}
/** Never retries, as `policies.retry.FallthroughRetryPolicy`. */
export class FallthroughRetryPolicy extends RetryPolicy {}
/** Retries idempotent statements only; the driver already retries only those. */
export class IdempotenceAwareRetryPolicy extends RetryPolicy {
  /** Wraps a child policy (only the default is honoured). */
  constructor(_childPolicy?: RetryPolicy) {
    super();
  }
}

/** Exponential reconnection delays, as `policies.reconnection.ExponentialReconnectionPolicy`. */
export class ExponentialReconnectionPolicy {
  /** Delays from `baseDelay` ms doubling up to `maxDelay` ms. */
  constructor(
    readonly baseDelay: number,
    readonly maxDelay: number,
    readonly startWithNoDelay?: boolean,
  ) {}
}
/** A constant reconnection delay, as `policies.reconnection.ConstantReconnectionPolicy`. */
export class ConstantReconnectionPolicy {
  /** Every reconnection after `delay` ms. */
  constructor(readonly delay: number) {}
}

/** No speculative execution (the default). */
export class NoSpeculativeExecutionPolicy {}
/** Speculative executions after a constant delay, as `cassandra-driver`'s. */
export class ConstantSpeculativeExecutionPolicy {
  /** Up to `maxSpeculativeExecutions` extra executions, `delay` ms apart. */
  constructor(readonly delay: number, readonly maxSpeculativeExecutions: number) {}
}

/** The policies a `Client` is given, mapped to the driver's. */
export interface MappedPolicies {
  /** Local datacenter named by a load-balancing policy. */
  localDc?: string;
  /** Retry policy. */
  retry?: DriverRetryPolicy;
  /** Reconnection policy. */
  reconnect?: ExponentialReconnectPolicy;
  /** Speculative execution policy, `null` for none. */
  speculative?: SpeculativeExecutionPolicy | null;
}

function unsupported(kind: string, p: unknown): never {
  const name = (p as { constructor?: { name?: string } })?.constructor?.name ?? typeof p;
  throw new TypeError(`policies.${kind} ${name} is not supported by @rsylla/rsylla/compat`);
}

/**
 * Maps a `policies` option to the driver's policies.
 * @throws {TypeError} a policy (or a subclass overriding its behaviour) the driver cannot honour
 */
export function mapPolicies(p: Record<string, unknown> | undefined): MappedPolicies {
  const out: MappedPolicies = {};
  if (p === undefined) return out;
  for (const [kind, v] of Object.entries(p)) {
    if (v === undefined || v === null) continue;
    const exact = (...classes: unknown[]) =>
      classes.includes(Object.getPrototypeOf(v)?.constructor) || unsupported(kind, v);
    switch (kind) {
      case "loadBalancing":
        exact(
          DCAwareRoundRobinPolicy,
          RoundRobinPolicy,
          TokenAwarePolicy,
          DefaultLoadBalancingPolicy,
        );
        out.localDc = (v as LoadBalancingPolicy).localDc;
        break;
      case "retry":
        exact(RetryPolicy, FallthroughRetryPolicy, IdempotenceAwareRetryPolicy);
        out.retry = v instanceof FallthroughRetryPolicy
          ? new DriverFallthrough()
          : new DefaultRetryPolicy();
        break;
      case "reconnection":
        exact(ExponentialReconnectionPolicy, ConstantReconnectionPolicy);
        out.reconnect = v instanceof ConstantReconnectionPolicy
          ? new ExponentialReconnectPolicy({ baseMs: v.delay, maxMs: v.delay })
          : new ExponentialReconnectPolicy({
            baseMs: (v as ExponentialReconnectionPolicy).baseDelay,
            maxMs: (v as ExponentialReconnectionPolicy).maxDelay,
          });
        break;
      case "speculativeExecution":
        exact(NoSpeculativeExecutionPolicy, ConstantSpeculativeExecutionPolicy);
        out.speculative = v instanceof ConstantSpeculativeExecutionPolicy
          ? new DriverConstantSpeculative(v.delay, v.maxSpeculativeExecutions)
          : null;
        break;
      default:
        unsupported(kind, v);
    }
  }
  return out;
}

/** The facade's `policies` namespace. */
export const policies = {
  loadBalancing: {
    LoadBalancingPolicy,
    DCAwareRoundRobinPolicy,
    RoundRobinPolicy,
    TokenAwarePolicy,
    DefaultLoadBalancingPolicy,
  },
  retry: { RetryPolicy, FallthroughRetryPolicy, IdempotenceAwareRetryPolicy },
  reconnection: { ExponentialReconnectionPolicy, ConstantReconnectionPolicy },
  speculativeExecution: { NoSpeculativeExecutionPolicy, ConstantSpeculativeExecutionPolicy },
} as const;
