/**
 * Reading a stopped Cassandra node's logs for why it stopped: pure functions of
 * the log text, used by `node_guard.ts` after a failed bench run.
 * @module
 */

/** Lines of a node log that say why a JVM stopped or stalled. */
const CAUSE =
  /OutOfMemoryError|Terminating due to|ERROR|FATAL|Exception|GC in [0-9]{4,}ms|Killed|SIGKILL/;
/** Log4j lines start with their local time, e.g. `2026-12-07 06:48:18,839`. */
const STAMP = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)/;

/** `t` as the node's logs write local time, to the second. */
export function logTime(t: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())} ` +
    `${p(t.getHours())}:${p(t.getMinutes())}:${p(t.getSeconds())}`;
}

/**
 * The last `max` lines of a node's `systemLog` and of the JVM's own output
 * (`stdoutLog`: lines without a log4j time stamp, where "Terminating due to
 * java.lang.OutOfMemoryError" goes) that say why it stopped, written at or after
 * `since` (a {@link logTime}). The JVM's argument line names
 * `ExitOnOutOfMemoryError` and is not a cause.
 */
export function causeLines(
  systemLog: string,
  stdoutLog: string,
  since: string,
  max = 12,
): string[] {
  const stamp = (l: string) => l.match(STAMP)?.[1] ?? null;
  const fromSystem = systemLog.split("\n").filter((l) => (stamp(l) ?? "") >= since);
  const jvm = stdoutLog.split("\n");
  // The file outlives restarts: only what follows the last line stamped before `since`.
  const older = jvm.findLastIndex((l) => (stamp(l) ?? since) < since);
  const fromJvm = jvm.slice(older + 1).filter((l) => l.trim() !== "" && !STAMP.test(l));
  return [...fromSystem, ...fromJvm]
    .filter((l) => CAUSE.test(l) && !l.includes("JVM Arguments"))
    .slice(-max)
    .map((l) => l.slice(0, 300));
}
