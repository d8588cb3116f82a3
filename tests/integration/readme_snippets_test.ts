/**
 * The code blocks of the README's "Typed CQL" and "Migrating from
 * cassandra-driver" sections, read at test time and run against the node:
 * each block is written to a temp file with its `@rsylla/rsylla` /
 * `@rsylla/rsylla/compat` import pointed at this repository's `mod.ts` /
 * `src/compat/mod.ts` (absolute file URLs) and `127.0.0.1` at the test node,
 * then run as a subprocess of the same runtime; it passes when it exits 0.
 * The blocks are complete programs: they create their own keyspace and drop it.
 * @module
 */

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { after, describe, it } from "node:test";
import { cqlHosts } from "./env.ts";

const g = globalThis as { Deno?: unknown; Bun?: unknown };
const runtime = g.Deno ? "deno" : g.Bun ? "bun" : "node";
const SKIP = runtime === "node"
  ? "the Node suite is the tsc-compiled copy against the npm package: the README's TypeScript " +
    "blocks run on Deno and Bun from the sources (and the consumer projects run its " +
    "non-ignored ts blocks on Node)"
  : false;

const ROOT = new URL("../../", import.meta.url);
const SECTIONS = ["Typed CQL", "Migrating from cassandra-driver"];

/** The ```ts / ```js blocks of a `## ` section of the README. */
function blocksOf(readme: string, title: string): { lang: string; code: string }[] {
  const start = readme.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `README section "${title}"`);
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^```(ts|js)(?: ignore)?\n([\s\S]*?)^```$/gm)]
    .map((m) => ({ lang: m[1], code: m[2] }));
}

/** The block with its imports and node address pointed at this repository and the test node. */
function localized(code: string): string {
  const [host, port] = cqlHosts()[0].split(/:(?=\d+$)/);
  const target = port === undefined || port === "9042" ? host : `${host}:${port}`;
  return code
    .replaceAll('from "@rsylla/rsylla/compat"', `from "${new URL("src/compat/mod.ts", ROOT)}"`)
    .replaceAll('from "@rsylla/rsylla"', `from "${new URL("mod.ts", ROOT)}"`)
    .replaceAll('"127.0.0.1:9042"', JSON.stringify(`${host}:${port ?? 9042}`))
    .replaceAll('"127.0.0.1"', JSON.stringify(target));
}

/** Console output in a form where runtimes agree: no line breaks, spaces or trailing commas. */
function printed(text: string): string {
  return text.replace(/\s+/g, "").replace(/,(?=[}\]])/g, "");
}

/** Runs `file` with the current runtime; resolves its output, rejects with it on failure. */
function runFile(file: string): Promise<string> {
  const args = runtime === "deno"
    ? ["run", "-A", `--config=${new URL("deno.json", ROOT).pathname}`, file]
    : [file];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file}: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

describe("README snippets", () => {
  const dir = SKIP ? "" : mkdtempSync(`${tmpdir()}/rsylla-readme-`);
  const readme = SKIP ? "" : readFileSync(new URL("README.md", ROOT), "utf8");
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const title of SECTIONS) {
    it(`"${title}": every block runs against the node`, { skip: SKIP }, async () => {
      const blocks = blocksOf(readme, title);
      assert.ok(blocks.length >= 1, `no code block in "${title}"`);
      for (const [i, { lang, code }] of blocks.entries()) {
        assert.match(code, /from "@rsylla\/rsylla(\/compat)?"/, `${title} block ${i + 1}`);
        const file = `${dir}/${title.replace(/\W+/g, "_")}_${i + 1}.${
          lang === "ts" ? "ts" : "mjs"
        }`;
        writeFileSync(file, localized(code));
        const out = await runFile(file);
        // Each block prints what its last comment says it prints.
        const said = /console\.log\(.*\); \/\/ (.+)$/m.exec(code)?.[1];
        if (said !== undefined) assert.equal(printed(out), printed(said), file);
      }
    });
  }
});
