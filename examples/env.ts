/**
 * Where the examples connect: `CQL_HOSTS` (comma-separated `host:port`), else the local node.
 * @module
 */

/** Contact points for the examples. */
export function contactPoints(): string[] {
  const g = globalThis as { process?: { env: Record<string, string | undefined> } };
  const raw = g.process?.env.CQL_HOSTS ?? "127.0.0.1:9042";
  return raw.split(",").map((s) => s.trim()).filter(Boolean);
}
