/**
 * Fetches Cassandra's runtime classpath from Maven Central once into `.cache/cassandra/<v>/lib`.
 * A stamp file marks a finished copy, so an interrupted download is redone, never half-used.
 * @module
 */

import { CASSANDRA_VERSION, exists, JARS_DIR, JARS_HOME, since, withLock } from "./paths.ts";

const STAMP = `${JARS_HOME}/complete`;
const LOCK = `${JARS_HOME}.lock`;

function pom(version: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>rsylla.dev</groupId>
  <artifactId>cassandra-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.cassandra</groupId>
      <artifactId>cassandra-all</artifactId>
      <version>${version}</version>
    </dependency>
  </dependencies>
</project>
`;
}

/**
 * Returns the jar directory, resolving it with `mvn` first if no finished copy exists.
 * Concurrent callers wait on a lock directory instead of downloading twice.
 * @throws {Error} mvn is missing or failed; its last output lines are in the message
 */
export async function ensureJars(): Promise<string> {
  if (await exists(STAMP)) return JARS_DIR;
  await Deno.mkdir(`${JARS_HOME}/..`, { recursive: true });
  await withLock(LOCK, async () => {
    if (!(await exists(STAMP))) await resolve();
  });
  return JARS_DIR;
}

async function resolve(): Promise<void> {
  const start = performance.now();
  console.log(
    `resolving Cassandra ${CASSANDRA_VERSION} jars (first time, ~70 MB from Maven Central)…`,
  );
  await Deno.remove(JARS_HOME, { recursive: true }).catch(() => {});
  await Deno.mkdir(JARS_DIR, { recursive: true });
  await Deno.writeTextFile(`${JARS_HOME}/pom.xml`, pom(CASSANDRA_VERSION));
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("mvn", {
      args: [
        "-B",
        "-f",
        `${JARS_HOME}/pom.xml`,
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        `-DoutputDirectory=${JARS_DIR}`,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    throw new Error(`cannot run mvn (is Maven installed?): ${(e as Error).message}`);
  }
  const tail: string[] = [];
  let downloaded = 0;
  const keep = (line: string) => {
    if (line.startsWith("Downloaded from")) downloaded++;
    tail.push(line);
    if (tail.length > 40) tail.shift();
  };
  const ticker = setInterval(
    () => console.log(`  …${downloaded} files downloaded so far (${since(start)})`),
    10_000,
  );
  const [status] = await Promise.all([
    child.status,
    readLines(child.stdout, keep),
    readLines(child.stderr, keep),
  ]).finally(() => clearInterval(ticker));
  if (!status.success) {
    throw new Error(`mvn failed (exit ${status.code}); last output:\n${tail.join("\n")}`);
  }
  let count = 0;
  let bytes = 0;
  for await (const e of Deno.readDir(JARS_DIR)) {
    if (!e.name.endsWith(".jar")) continue;
    count++;
    bytes += (await Deno.stat(`${JARS_DIR}/${e.name}`)).size;
  }
  if (count === 0) throw new Error(`mvn succeeded but ${JARS_DIR} holds no jars`);
  await Deno.writeTextFile(STAMP, `${count} jars, ${bytes} bytes\n`);
  console.log(
    `resolved ${count} jars (${(bytes / 1e6).toFixed(0)} MB) into ${JARS_DIR} in ${since(start)}`,
  );
}

async function readLines(stream: ReadableStream<Uint8Array>, onLine: (l: string) => void) {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    for (const l of lines) onLine(l.trimEnd());
  }
  if (rest) onLine(rest);
}

/** The jamm agent jar, if the classpath has one (Cassandra falls back to Unsafe without it). */
export async function jammJar(): Promise<string | null> {
  for await (const e of Deno.readDir(JARS_DIR)) {
    if (/^jamm-.*\.jar$/.test(e.name)) return `${JARS_DIR}/${e.name}`;
  }
  return null;
}
