/**
 * Shared bits of the integration tests: sessions on the test nodes, throwaway
 * keyspaces, and polling with a deadline (never a bare sleep).
 * @module
 */

import { ConnectionError, type Session, SessionBuilder } from "../../mod.ts";
import { cqlHosts, NO_NODE_HINT, secureCredentials, secureHosts, testProtocol } from "./env.ts";

/** A new builder, pinned to the suite's protocol version when one is set. */
export function newBuilder(): SessionBuilder {
  const v = testProtocol();
  return v === null ? new SessionBuilder() : new SessionBuilder().protocolVersion(v);
}

/** A builder pointed at the plain test node(s). */
export function plainBuilder(): SessionBuilder {
  return newBuilder().knownNodes(cqlHosts());
}

/** A builder pointed at the secure node, with the superuser's credentials. */
export function secureBuilder(): SessionBuilder {
  const { user, password } = secureCredentials();
  return newBuilder().knownNodes(secureHosts()).user(user, password);
}

/** Builds, turning a `ConnectionError` into one that says how to start a node. */
export async function connect(builder: SessionBuilder = plainBuilder()): Promise<Session> {
  try {
    return await builder.build();
  } catch (e) {
    if (e instanceof ConnectionError) {
      throw new ConnectionError(`${e.message}; ${NO_NODE_HINT}`, { cause: e });
    }
    throw e;
  }
}

/** A keyspace name no other run or test file uses: `it_<tag>_<random>`. */
export function uniqueKeyspace(tag: string): string {
  const rand = crypto.randomUUID().replaceAll("-", "").slice(0, 10);
  return `it_${tag}_${rand}`;
}

/** Creates `name` with SimpleStrategy and the given replication factor. */
export async function createKeyspace(session: Session, name: string, rf = 1): Promise<void> {
  await session.execute(
    `CREATE KEYSPACE ${name} WITH replication = ` +
      `{'class': 'SimpleStrategy', 'replication_factor': ${rf}}`,
  );
}

/** Drops `name` if it exists; never throws (cleanup must not hide the real failure). */
export async function dropKeyspace(session: Session | undefined, name: string): Promise<void> {
  if (session === undefined) return;
  try {
    await session.execute(`DROP KEYSPACE IF EXISTS ${name}`);
  } catch {
    // The session may be closed or the node gone; nothing more to clean.
  }
}

/**
 * Polls `check` until it returns a value other than `undefined`/`false`, or
 * throws once `timeoutMs` passed (with `what` in the message).
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = undefined;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
}

/** A uuid text in lowercase canonical form. */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Bytes `0, 1, …` repeating, `n` long. */
export function patternBytes(n: number, seed = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

/**
 * Counts the requests the node received on the pool connections of a session whose
 * keyspace is `keyspace` (from `system_views.clients`), as seen by `observer`, another
 * session. Give the counted session a keyspace no other session uses.
 */
export async function requestCount(observer: Session, keyspace: string): Promise<bigint> {
  const rs = await observer.execute(
    "SELECT keyspace_name, request_count FROM system_views.clients",
  );
  const mine = rs.rows().filter((r) => r.get("keyspace_name") === keyspace);
  if (mine.length === 0) throw new Error(`no client connection uses keyspace ${keyspace}`);
  return mine.reduce((sum, r) => sum + (r.get("request_count") as bigint), 0n);
}

/** How many requests `action` sent on the connections counted by {@link requestCount}. */
export async function requestsOf(
  observer: Session,
  keyspace: string,
  action: () => Promise<unknown>,
): Promise<bigint> {
  const before = await requestCount(observer, keyspace);
  await action();
  // A request is counted when the node starts it, which is before it answers.
  return (await requestCount(observer, keyspace)) - before;
}
