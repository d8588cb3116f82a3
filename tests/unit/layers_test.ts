/**
 * The layering rules of `scripts/lib/layers.ts` on synthetic source trees:
 * each rule fires with its message, a clean tree passes, and imports or
 * runtime globals inside comments, strings, templates and regular expressions
 * are not counted.
 *
 * Deno: `deno test -A tests/unit/layers_test.ts`; Bun: `bun test tests/unit/layers_test.ts`.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  checkLayers,
  graphInDoc,
  layerGraph,
  layerOf,
  renderMermaid,
  replaceGraphInDoc,
  scanFile,
} from "../../scripts/lib/layers.ts";

function messages(files: Record<string, string>): string[] {
  return checkLayers(new Map(Object.entries(files))).map((v) => v.message);
}

/** A tree that follows every rule, touching each layer. */
const CLEAN: Record<string, string> = {
  "src/errors.ts": "export class ScyllaError extends Error {}\n",
  "src/wire/bytes.ts":
    'import { ScyllaError } from "../errors.ts";\nexport const b = ScyllaError;\n',
  "src/wire/codec/text.ts": 'import { b } from "../bytes.ts";\nexport const t = b;\n',
  "src/wire/compression/snappy.ts": 'import snappy from "snappyjs";\nexport default snappy;\n',
  "src/routing/token_map.ts":
    'import type { t } from "../wire/codec/text.ts";\nexport type T = t;\n',
  "src/runtime/deno.ts":
    'import { ScyllaError } from "../errors.ts";\nexport const c = () => Deno.connect({ port: 1 }) ?? ScyllaError;\n',
  "src/runtime/node.ts":
    'import * as net from "node:net";\nexport const n = Bun?.version ?? net;\n',
  "src/pool/connection.ts": 'import { c } from "../runtime/deno.ts";\nimport "../wire/bytes.ts";\n',
  "src/session.ts":
    'export * from "./pool/connection.ts";\nexport { type T } from "./routing/token_map.ts";\n',
  "src/config.ts": 'const m = await import("./session.ts");\nexport default m;\n',
};

describe("checkLayers", () => {
  it("passes a tree that follows every rule", () => {
    assert.deepEqual(messages(CLEAN), []);
  });

  it("ignores files outside src/", () => {
    assert.deepEqual(
      messages({
        ...CLEAN,
        "tests/a.ts": 'import "./b.ts";\nDeno.exit(0);\n',
        "tests/b.ts": 'import "./a.ts";\n',
      }),
      [],
    );
  });

  it("reports a two-file cycle once, from its smallest file", () => {
    assert.deepEqual(
      messages({
        "src/session_builder.ts": 'import { Session } from "./session.ts";\n',
        "src/session.ts": 'import { SessionBuilder } from "./session_builder.ts";\n',
      }),
      ["cycle: src/session.ts -> src/session_builder.ts -> src/session.ts"],
    );
  });

  it("reports a three-file cycle, type-only imports included", () => {
    assert.deepEqual(
      messages({
        "src/pool/c.ts": 'import type { A } from "./a.ts";\n',
        "src/pool/b.ts": 'export { C } from "./c.ts";\n',
        "src/pool/a.ts": 'import { B } from "./b.ts";\n',
      }),
      ["cycle: src/pool/a.ts -> src/pool/b.ts -> src/pool/c.ts -> src/pool/a.ts"],
    );
  });

  it("reports each elementary cycle of an entangled group once, and a self-import", () => {
    assert.deepEqual(
      messages({
        "src/a.ts": 'import "./b.ts";\nimport "./c.ts";\n',
        "src/b.ts": 'import "./a.ts";\n',
        "src/c.ts": 'const b = import("./b.ts");\nimport "./a.ts";\n',
        "src/d.ts": 'import "./d.ts";\n',
      }),
      [
        "cycle: src/a.ts -> src/b.ts -> src/a.ts",
        "cycle: src/a.ts -> src/c.ts -> src/a.ts",
        "cycle: src/a.ts -> src/c.ts -> src/b.ts -> src/a.ts",
        "cycle: src/d.ts -> src/d.ts",
      ],
    );
  });

  it("caps the cycles listed for one tangled group", () => {
    const names = ["a", "b", "c", "d", "e", "f"];
    const files = Object.fromEntries(
      names.map((n) => [`src/${n}.ts`, names.map((m) => `import "./${m}.ts";`).join("\n")]),
    );
    const found = messages(files);
    assert.equal(found.length, 51);
    assert.equal(found.filter((m) => m.startsWith("cycle: src/a.ts -> ")).length, 50);
    assert.ok(found.includes("cycle: src/a.ts -> src/a.ts"));
    assert.equal(
      found.at(-1),
      "cycle: more than 50 cycles among src/a.ts, src/b.ts, src/c.ts, src/d.ts, src/e.ts, src/f.ts",
    );
  });

  it("keeps wire/ to itself and errors.ts", () => {
    assert.deepEqual(
      messages({
        ...CLEAN,
        "src/wire/frame.ts": [
          'import { ScyllaError } from "../errors.ts";',
          'import { b } from "./bytes.ts";',
          'import type { Config } from "../config.ts";',
          'export { Pool } from "../pool/connection.ts";',
          'import "../../mod.ts";',
        ].join("\n"),
      }),
      [
        "wire imports outside wire: src/wire/frame.ts imports mod.ts",
        "wire imports outside wire: src/wire/frame.ts imports src/config.ts",
        "wire imports outside wire: src/wire/frame.ts imports src/pool/connection.ts",
      ],
    );
  });

  it("lets routing/ import only routing/, wire/ and errors.ts", () => {
    assert.deepEqual(
      messages({
        ...CLEAN,
        "src/routing/sharding.ts": [
          'import type { T } from "./token_map.ts";',
          'import { b } from "../wire/bytes.ts";',
          'import { ScyllaError } from "../errors.ts";',
          'import type { Connection } from "../pool/connection.ts";',
          'import type { Node } from "../cluster/node.ts";',
          'import type { Session } from "../session.ts";',
          'import type { Builder } from "../session_builder.ts";',
          'import { c } from "../runtime/deno.ts";',
          'import { run } from "../request/executor.ts";',
        ].join("\n"),
      }),
      [
        "routing imports outside routing/wire/errors: src/routing/sharding.ts imports src/cluster/node.ts",
        "routing imports outside routing/wire/errors: src/routing/sharding.ts imports src/pool/connection.ts",
        "routing imports outside routing/wire/errors: src/routing/sharding.ts imports src/request/executor.ts",
        "routing imports outside routing/wire/errors: src/routing/sharding.ts imports src/runtime/deno.ts",
        "routing imports outside routing/wire/errors: src/routing/sharding.ts imports src/session.ts",
        "routing imports outside routing/wire/errors: src/routing/sharding.ts imports src/session_builder.ts",
      ],
    );
  });

  it("keeps runtime/ off wire/, codec included", () => {
    assert.deepEqual(
      messages({
        ...CLEAN,
        "src/runtime/bun.ts": 'import { concatBytes } from "../wire/bytes.ts";\n',
        "src/runtime/mod.ts": 'import { setShortTextLimit } from "../wire/codec/text.ts";\n',
      }),
      [
        "runtime imports wire: src/runtime/bun.ts imports src/wire/bytes.ts",
        "runtime imports wire: src/runtime/mod.ts imports src/wire/codec/text.ts",
      ],
    );
  });

  it("keeps Deno., Bun. and node: modules inside runtime/", () => {
    assert.deepEqual(
      messages({
        ...CLEAN,
        "src/pool/host_pool.ts": [
          'import { Buffer } from "node:buffer";',
          "const g = globalThis as { Bun?: unknown };",
          "export const v = Deno.version;",
          "export const w = g.Bun?.version;",
          "export const inDeno = typeof Deno !== 'undefined';",
        ].join("\n"),
      }),
      [
        "node module outside runtime: src/pool/host_pool.ts imports node:buffer",
        "runtime global outside runtime: src/pool/host_pool.ts:3 names Deno.",
        "runtime global outside runtime: src/pool/host_pool.ts:4 names Bun.",
      ],
    );
  });

  it("does not count imports or globals in comments, strings, templates or regexes", () => {
    const tricky = [
      '// import { a } from "./a.ts";',
      '/* import "./a.ts"; export * from "./a.ts"; Deno.exit(1); */',
      "/**",
      ' * import("./a.ts")',
      " */",
      "const s = 'import x from \"./a.ts\"';",
      "const d = \"export { a } from './a.ts'; Deno.exit()\";",
      'const t = `import("./a.ts") ${1 + 1} Bun.spawn ${`nested import("./a.ts")`}`;',
      'const r = /import "\\.\\/a.ts"|\\/\\* Deno./;',
      "const q = 4 / 2 / 1; // import './a.ts'",
      'const inspect = Symbol.for("Deno.customInspect");',
      "const meta = import.meta.url;",
      'const o = { import: (x: string) => x }; o.import("./a.ts");',
      'import type { A } from "./b.ts";',
    ].join("\n");
    assert.deepEqual(
      messages({ "src/a.ts": tricky, "src/b.ts": 'import "./a.ts";\n' }),
      ["cycle: src/a.ts -> src/b.ts -> src/a.ts"],
    );
    assert.deepEqual(scanFile(tricky), {
      imports: [{ specifier: "./b.ts", line: 14 }],
      globals: [],
    });
  });
});

describe("scanFile", () => {
  it("finds every import form with its line", () => {
    const refs = scanFile([
      "#!/usr/bin/env -S deno run",
      'import "./side.ts";',
      'import def, { a, type B, from } from "./named.ts";',
      'import * as ns from "./ns.ts";',
      'import type { T } from "./types.ts";',
      "import {",
      "  multi,",
      '} from "./multi.ts";',
      'export * from "./star.ts";',
      'export * as star from "./star_as.ts";',
      'export { x as y } from "./reexport.ts";',
      'export type { U } from "./type_reexport.ts";',
      "export { local };",
      "export const v = 1;",
      'const lazy = await import("./lazy.ts");',
      "const tpl = await import(`./tpl.ts`);",
      'type Q = import("./type_query.ts").Q;',
      "const dyn = await import(`./${name}.ts`);",
    ].join("\n"));
    assert.deepEqual(refs.imports, [
      { specifier: "./side.ts", line: 2 },
      { specifier: "./named.ts", line: 3 },
      { specifier: "./ns.ts", line: 4 },
      { specifier: "./types.ts", line: 5 },
      { specifier: "./multi.ts", line: 6 },
      { specifier: "./star.ts", line: 9 },
      { specifier: "./star_as.ts", line: 10 },
      { specifier: "./reexport.ts", line: 11 },
      { specifier: "./type_reexport.ts", line: 12 },
      { specifier: "./lazy.ts", line: 15 },
      { specifier: "./tpl.ts", line: 16 },
      { specifier: "./type_query.ts", line: 17 },
    ]);
  });
});

describe("layerOf", () => {
  it("maps directories, errors.ts, top-level files and unknown directories", () => {
    assert.equal(layerOf("src/errors.ts"), "errors");
    assert.equal(layerOf("src/wire/codec/text.ts"), "wire");
    assert.equal(layerOf("src/request/executor.ts"), "request");
    assert.equal(layerOf("src/session_builder.ts"), "session");
    assert.equal(layerOf("src/config.ts"), "session");
    assert.equal(layerOf("src/metrics/histogram.ts"), "metrics");
    assert.equal(layerOf("mod.ts"), undefined);
  });
});

describe("layerGraph", () => {
  it("counts distinct file imports between layers, leaving out imports within a layer", () => {
    const graph = layerGraph(new Map(Object.entries(CLEAN)));
    assert.deepEqual(graph.layers, ["errors", "pool", "routing", "runtime", "session", "wire"]);
    assert.deepEqual(graph.edges, [
      { from: "pool", to: "runtime", count: 1 },
      { from: "pool", to: "wire", count: 1 },
      { from: "routing", to: "wire", count: 1 },
      { from: "runtime", to: "errors", count: 1 },
      { from: "session", to: "pool", count: 1 },
      { from: "session", to: "routing", count: 1 },
      { from: "wire", to: "errors", count: 1 },
    ]);
  });

  it("renders as a mermaid block, listing unlinked layers", () => {
    const graph = layerGraph(
      new Map(Object.entries({
        "src/wire/a.ts": 'import "../errors.ts";\n',
        "src/wire/b.ts": 'import "../errors.ts";\n',
        "src/errors.ts": "",
        "src/end/x.ts": "",
      })),
    );
    assert.equal(
      renderMermaid(graph),
      ["```mermaid", "graph TD", "  end_", "  wire -->|2| errors", "```"].join("\n"),
    );
  });
});

describe("graph in a document", () => {
  const block = "```mermaid\ngraph TD\n  a -->|1| b\n```";

  it("replaces the text between the markers and reads it back", () => {
    const doc =
      "# Architecture\n\n<!-- layer-graph:start -->\nold\n<!-- layer-graph:end -->\n\nProse.\n";
    const updated = replaceGraphInDoc(doc, block);
    assert.equal(
      updated,
      `# Architecture\n\n<!-- layer-graph:start -->\n\n${block}\n\n<!-- layer-graph:end -->\n\nProse.\n`,
    );
    assert.equal(graphInDoc(updated), block);
    assert.equal(replaceGraphInDoc(updated, block), updated);
  });

  it("fails clearly when a marker is missing", () => {
    assert.throws(
      () => replaceGraphInDoc("# Architecture\n<!-- layer-graph:start -->\n", block),
      /markers <!-- layer-graph:start --> and <!-- layer-graph:end --> not found/,
    );
    assert.throws(() => graphInDoc("# Architecture\n"), /not found/);
  });
});
