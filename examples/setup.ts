/**
 * Shared by the examples: the `examples` keyspace they all use.
 * @module
 */

import type { Session } from "../mod.ts";

/** Name of the keyspace the examples create and use. */
export const KEYSPACE = "examples";

/**
 * Creates the `examples` keyspace (SimpleStrategy, replication factor 1) if it
 * does not exist yet, and waits until every node agrees on the schema.
 */
export async function ensureKeyspace(session: Session): Promise<void> {
  await session.execute(
    `CREATE KEYSPACE IF NOT EXISTS ${KEYSPACE} WITH replication = ` +
      "{'class': 'SimpleStrategy', 'replication_factor': 1}",
  );
  await session.awaitSchemaAgreement();
}

/** Reads an environment variable on Deno, Bun and Node alike (`undefined` when unset). */
export function envVar(name: string): string | undefined {
  const g = globalThis as { process?: { env: Record<string, string | undefined> } };
  return g.process?.env[name];
}
