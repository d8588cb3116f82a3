/**
 * Opening a connection that lands on a chosen ScyllaDB shard: connect to the
 * node's shard-aware port from a local port `p` with `p % nrShards === shard`
 * (`docs/dev/protocol-extensions.md`, "Intranode sharding").
 * @module
 */

import { Connection, type ConnectionOptions } from "./connection.ts";
import { shardAwareSourcePort } from "../routing/sharding.ts";
import { ConnectionError } from "../errors.ts";

/** Local ports tried for one connection before giving up on the shard-aware port. */
export const MAX_SOURCE_PORT_TRIES = 16;

/** Errors binding the local port: another port may work, the node is not at fault. */
const BIND_ERRORS = new Set(["EADDRINUSE", "EADDRNOTAVAIL", "EACCES"]);

/** Whether `e` (or one of its causes) is a failure to bind the local port. */
export function isLocalBindError(e: unknown): boolean {
  for (let i = 0; i < 5 && e instanceof Error; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && BIND_ERRORS.has(code)) return true;
    e = e.cause;
  }
  return false;
}

/**
 * Hands out source ports for the shard-aware port, per pool. Each pool starts
 * at a random candidate, so clients on one machine spread over the range, and
 * every request moves on by one, so a port still in TIME_WAIT after a
 * reconnect is not the next one tried.
 */
export class SourcePorts {
  readonly nrShards: number;
  #cursor: number;

  /** @param random source of the start offset (tests pass a fixed one) */
  constructor(nrShards: number, random: () => number = Math.random) {
    this.nrShards = nrShards;
    this.#cursor = Math.floor(random() * 0x40000000);
  }

  /** The next local port that lands on `shard`; `null` when no port in range does. */
  next(shard: number): number | null {
    const port = shardAwareSourcePort(shard, this.nrShards, 0, this.#cursor);
    this.#cursor = (this.#cursor + 1) % 0x40000000;
    return port;
  }
}

/**
 * Opens a connection to `shardAwarePort` that the node serves on `shard`,
 * trying the next source port when one cannot be bound, at most
 * {@link MAX_SOURCE_PORT_TRIES} times.
 * @throws {ConnectionError} the node could not be reached, or no source port
 *   could be bound ({@link isLocalBindError} is then true of the error)
 */
export async function openOnShard(
  opts: ConnectionOptions,
  shardAwarePort: number,
  shard: number,
  ports: SourcePorts,
): Promise<Connection> {
  let last: unknown;
  for (let i = 0; i < MAX_SOURCE_PORT_TRIES; i++) {
    const localPort = ports.next(shard);
    if (localPort === null) break;
    try {
      return await Connection.open({ ...opts, port: shardAwarePort, localPort });
    } catch (e) {
      if (!isLocalBindError(e)) throw e;
      last = e;
    }
  }
  throw last ?? new ConnectionError(`no local port lands on shard ${shard}`, {
    cause: Object.assign(new Error("no source port in range"), { code: "EADDRNOTAVAIL" }),
  });
}
