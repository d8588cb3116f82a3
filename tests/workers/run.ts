/**
 * The driver in a real Cloudflare Worker: the packed npm package and `worker.ts` are bundled
 * (Bun's bundler, `workerd` export condition, `cloudflare:sockets` external) in a temp project
 * outside the repository, which installs miniflare (and with it workerd) from npm; `serve.mjs`
 * starts the Worker in workerd, calls it over HTTP, and the answer's rows are checked here.
 *
 * ```sh
 * deno run -A tests/workers/run.ts   # CQL_HOSTS: the node the Worker queries
 * ```
 * @module
 */

import { buildNpm } from "../../scripts/build_npm.ts";
import { REPO_ROOT, since } from "../../scripts/lib/paths.ts";

/** Pinned: miniflare brings the matching workerd. */
export const MINIFLARE = "4.20260730.0";
const HERE = new URL(".", import.meta.url).pathname;
const BUN = `${REPO_ROOT}/node_modules/.bin/bun`;

async function sh(cmd: string, args: string[], cwd: string): Promise<string> {
  const r = await new Deno.Command(cmd, {
    args,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const dec = new TextDecoder();
  const text = dec.decode(r.stdout) + dec.decode(r.stderr);
  if (r.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}:\n${text.slice(-3000)}`);
  }
  return text;
}

/**
 * Builds, bundles and runs the Worker against `host`; resolves with a one-line summary.
 * @throws {Error} any step failed, or the Worker's answer lacks the expected rows
 */
export async function runWorker(host: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "rsylla-workers-" });
  try {
    await buildNpm();
    await sh("npm", ["pack", "--silent", "--pack-destination", dir], REPO_ROOT);
    const tgz = [...Deno.readDirSync(dir)].find((e) => e.name.endsWith(".tgz"))!.name;
    await Deno.writeTextFile(
      `${dir}/package.json`,
      JSON.stringify({
        name: "rsylla-worker",
        private: true,
        type: "module",
        dependencies: { "@rsylla/rsylla": `file:./${tgz}`, miniflare: MINIFLARE },
      }),
    );
    await Deno.copyFile(`${HERE}worker.ts`, `${dir}/worker.ts`);
    await Deno.copyFile(`${HERE}serve.mjs`, `${dir}/serve.mjs`);
    await sh("npm", ["install", "--no-audit", "--no-fund", "--silent"], dir);
    await sh(BUN, [
      "build",
      "worker.ts",
      "--target=browser",
      "--format=esm",
      "--conditions=workerd",
      "--external=cloudflare:sockets",
      "--external=node:*",
      "--outfile=worker.js",
    ], dir);
    const out = await sh("node", ["serve.mjs", host], dir);
    const line = out.trim().split("\n").findLast((l) => l.startsWith("{"));
    if (!line) throw new Error(`no answer:\n${out.slice(-2000)}`);
    const { status, body } = JSON.parse(line);
    if (
      status !== 200 || !/^\d+\./.test(body.version) || !body.tables?.includes("tables") ||
      !(body.paged > 100)
    ) {
      throw new Error(`unexpected answer ${line.slice(0, 2000)}`);
    }
    return `HTTP ${status}: Cassandra ${body.version}, ${body.tables.length} system_schema tables ` +
      `(prepared, page size 3), ${body.paged} columns (paged by 50)`;
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const start = performance.now();
  const host = (Deno.env.get("CQL_HOSTS") ?? "127.0.0.1:9042").split(",")[0];
  try {
    const summary = await runWorker(host);
    console.log(`ok   worker in workerd (${since(start)}): ${summary}`);
  } catch (e) {
    console.log(`FAIL worker in workerd (${since(start)}): ${(e as Error).message}`);
    Deno.exit(1);
  }
}
