/**
 * Where the dev-database scripts keep things, all inside the repository and git-ignored:
 * jars under `.cache/`, node state under `.rsylla/`.
 * @module
 */

/** Cassandra release these scripts run; override with `RSYLLA_CASSANDRA_VERSION`. */
export const CASSANDRA_VERSION: string = Deno.env.get("RSYLLA_CASSANDRA_VERSION") ?? "5.0.9";

/** Absolute path of the repository root, without trailing slash. */
export const REPO_ROOT: string = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** Jar cache of one Cassandra version. */
export const JARS_HOME: string = `${REPO_ROOT}/.cache/cassandra/${CASSANDRA_VERSION}`;

/** Directory holding every jar on Cassandra's runtime classpath. */
export const JARS_DIR: string = `${JARS_HOME}/lib`;

/** Per-run state: node directories, TLS material, cluster description. */
export const STATE_DIR: string = `${REPO_ROOT}/.rsylla`;

/** Parent of every node directory. */
export const NODES_DIR: string = `${STATE_DIR}/nodes`;

/** Throwaway CA, server and client certificates. */
export const TLS_DIR: string = `${STATE_DIR}/tls`;

/** Description of the running multi-node cluster. */
export const CLUSTER_FILE: string = `${STATE_DIR}/cluster.json`;

/** Directory of one node. */
export function nodeDir(name: string): string {
  return `${NODES_DIR}/${name}`;
}

/** True if `path` exists (file or directory). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** Seconds since `start` (a `performance.now()` value), one decimal. */
export function since(start: number): string {
  return `${((performance.now() - start) / 1000).toFixed(1)}s`;
}

/**
 * Runs `fn` while holding a lock directory at `path` (mkdir is atomic), so two scripts started
 * together do not both download jars or mint certificates. A lock older than `staleMs` is
 * left over from a killed run and is taken over.
 */
export async function withLock<T>(path: string, fn: () => Promise<T>, staleMs = 20 * 60_000) {
  for (;;) {
    try {
      await Deno.mkdir(path);
      break;
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
      const mtime = (await Deno.stat(path).catch(() => null))?.mtime?.getTime();
      if (mtime !== undefined && Date.now() - mtime > staleMs) {
        await Deno.remove(path).catch(() => {});
      } else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    await Deno.remove(path).catch(() => {});
  }
}
