/**
 * Which protocol version a new connection speaks: the pinned one, or v5
 * offered first and v4 asked on a new socket when the server refuses v5
 * (ScyllaDB, Cassandra 3). Apart from the connection so that the choice, and
 * how a refusal is recognised, is one small piece.
 * @module
 */

import { ConnectionError, ScyllaError } from "../errors.ts";
import { formatContactPoint } from "./address.ts";

/** What the choice depends on. */
export interface VersionOptions {
  /** Node address, for messages. */
  host: string;
  /** Node port, for messages. */
  port: number;
  /** The version to speak, or `null`/absent to negotiate. */
  protocolVersion?: 4 | 5 | null;
  /** Body compression asked for: Snappy exists only in v4. */
  compression?: string | null;
  /** A bound source port (ScyllaDB's shard-aware port) cannot be rebound at once for a retry. */
  localPort?: number;
}

/**
 * Opens with `openAs` in the pinned version or else the highest both sides
 * speak.
 * @throws {ConnectionError} the pinned (or only possible) version refused, or Snappy asked in v5
 */
export async function openInVersion<C>(
  opts: VersionOptions,
  openAs: (version: number) => Promise<C>,
): Promise<C> {
  const pinned = opts.protocolVersion ?? null;
  // Protocol v5 compresses segments with LZ4 only: Snappy means v4. A bound source port is
  // ScyllaDB's shard-aware port (ScyllaDB speaks v4), and it cannot be rebound at once for
  // a second try.
  const first = pinned ?? (opts.compression === "snappy" || opts.localPort !== undefined ? 4 : 5);
  if (first === 5 && opts.compression === "snappy") {
    throw new ConnectionError(
      "snappy compression does not exist in protocol v5: use lz4, or protocolVersion(4)",
    );
  }
  try {
    return await openAs(first);
  } catch (e) {
    const answered = refusedVersion(e);
    if (answered === null) throw e;
    if (pinned !== null || first === 4) {
      throw new ConnectionError(
        `${formatContactPoint(opts)} refused protocol v${first}` +
          (answered > 0 ? ` (it speaks v${answered})` : "") + `: ${(e as Error).message}`,
        { cause: e },
      );
    }
    return await openAs(4);
  }
}

/**
 * Whether `e` says the server does not speak the version offered: the server's
 * own version when its answer shows it, 0 when only the message does, else `null`.
 */
export function refusedVersion(e: unknown): number | null {
  if (!(e instanceof ScyllaError)) return null;
  const m = /answered with protocol version (\d+)/.exec(e.message);
  if (m) return Number(m[1]);
  // PROTOCOL_ERROR (0x000A) "Invalid or unsupported protocol version".
  return e.code === 0x000a && /protocol version/i.test(e.message) ? 0 : null;
}
