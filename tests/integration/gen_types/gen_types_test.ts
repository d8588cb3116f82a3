/**
 * gen-types against the real node, with a schema covering every CQL type: the
 * generated module type-checks, and rows read back through `session.sql` —
 * written out as TypeScript literals of their actual runtime values — are
 * assignable to the generated row types (`deno check`), while a deliberately
 * wrong mapping is caught. Runs on Deno and Bun from the sources and on Node
 * against the packed package (the generator from its `dist/`), each time
 * checking with the repository's `deno` binary.
 * @module
 */

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { after, before, describe, it } from "node:test";
import type { Session } from "../../../mod.ts";
import { keyspaceTypes } from "../../../src/sql/gen_types_cli.ts";
import { connect, createKeyspace, dropKeyspace, uniqueKeyspace } from "../helpers.ts";

/**
 * `node_modules/<name>` nearest above this file: the repository's, or in the
 * Node suite's copy the one `scripts/node_suite.ts` links it into.
 */
function nodeModule(name: string): string {
  for (let dir = new URL("./", import.meta.url);; dir = new URL("../", dir)) {
    const path = new URL(`node_modules/${name}`, dir).pathname;
    if (existsSync(path)) return path;
    if (dir.pathname === "/") throw new Error(`no node_modules/${name} above ${import.meta.url}`);
  }
}

const DENO = nodeModule(".bin/deno");

/** TypeScript source of a decoded value, so `deno check` sees its real runtime type. */
function literal(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (v instanceof Float32Array) return `new Float32Array([${[...v].join(", ")}])`;
  if (v instanceof Uint8Array) return `new Uint8Array([${[...v].join(", ")}])`;
  if (v instanceof Map) {
    return `new Map([${[...v].map(([k, x]) => `[${literal(k)}, ${literal(x)}]`).join(", ")}])`;
  }
  if (Array.isArray(v)) return `[${v.map(literal).join(", ")}]`;
  if (typeof v === "object") {
    return `{ ${
      Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${literal(x)}`).join(", ")
    } }`;
  }
  throw new TypeError(`no literal for ${typeof v}`);
}

/**
 * `deno check` of a file, in a subprocess that does not block the event loop
 * (a synchronous wait of 20 s starved the session's connection).
 */
function denoCheck(dir: string, file: string): Promise<{ ok: boolean; text: string }> {
  return new Promise((resolve) => {
    execFile(
      DENO,
      ["check", "--no-config", "-q", `${dir}/${file}`],
      { cwd: dir, env: { ...process.env, NO_COLOR: "1" } },
      (err, stdout, stderr) => resolve({ ok: err === null, text: err ? `${stdout}${stderr}` : "" }),
    );
  });
}

describe("gen-types", () => {
  let session: Session;
  const ks = uniqueKeyspace("gentypes");
  let dir: string;

  before(async () => {
    dir = mkdtempSync(`${tmpdir()}/rsylla-gen-types-`);
    session = await connect();
    await createKeyspace(session, ks);
    await session.useKeyspace(ks, false);
    for (
      const cql of [
        "CREATE TYPE phone (kind text, number text)",
        "CREATE TYPE address (street text, zip int, phones frozen<list<frozen<phone>>>)",
        `CREATE TABLE all_types (
          id int, ck timeuuid,
          a_ascii ascii, a_bigint bigint, a_blob blob, a_boolean boolean, a_date date,
          a_decimal decimal, a_double double, a_duration duration, a_float float, a_inet inet,
          a_smallint smallint, a_text text, a_time time, a_timestamp timestamp,
          a_tinyint tinyint, a_uuid uuid, a_varchar varchar, a_varint varint,
          a_list list<int>, a_set set<text>, a_map map<text, bigint>,
          a_frozen frozen<list<frozen<set<int>>>>, a_tuple tuple<int, text, frozen<address>>,
          a_udt frozen<address>, a_udt_nf address, a_vector vector<float, 3>,
          a_vector_int vector<int, 2>, "Quoted Col" text, s_static text static,
          PRIMARY KEY (id, ck))`,
        "CREATE TABLE hits (id int PRIMARY KEY, n counter)",
      ]
    ) await session.execute(cql);
    const address = {
      street: "1 Main St",
      zip: 12345,
      phones: [{ kind: "home", number: "555" }],
    };
    await session.sql`INSERT INTO all_types (id, ck, a_ascii, a_bigint, a_blob, a_boolean,
      a_date, a_decimal, a_double, a_duration, a_float, a_inet, a_smallint, a_text, a_time,
      a_timestamp, a_tinyint, a_uuid, a_varchar, a_varint, a_list, a_set, a_map, a_frozen,
      a_tuple, a_udt, a_udt_nf, a_vector, a_vector_int, "Quoted Col", s_static) VALUES (${1},
      ${"5b6962dd-3f90-11ef-9d6a-0242ac120002"}, ${"abc"}, ${-9007199254740993n},
      ${new Uint8Array([1, 2])}, ${true}, ${"2024-02-29"}, ${"-12.3450"}, ${1.5},
      ${{ months: 1, days: 2, nanoseconds: 3n }}, ${0.25}, ${"::1"}, ${-3}, ${"héllo"},
      ${"12:34:56.789"}, ${new Date(1_700_000_000_000)}, ${7},
      ${"0b2e7d5c-6f9e-4d38-9a2f-1d2c3b4a5e6f"}, ${"v"}, ${123456789012345678901234567890n},
      ${[1, 2]}, ${["a", "b"]}, ${new Map([["k", 1n]])}, ${[[1, 2], [3]]},
      ${[1, "t", address]}, ${address}, ${address}, ${new Float32Array([1, 2, 3])},
      ${[4, 5]}, ${"q"}, ${"s"})`;
    await session
      .sql`INSERT INTO all_types (id, ck) VALUES (${2}, ${"5b6962dd-3f90-11ef-9d6a-0242ac120003"})`;
    await session.sql`UPDATE hits SET n = n + ${5n} WHERE id = ${1}`;
  });
  after(async () => {
    await dropKeyspace(session, ks);
    await session?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("writes interfaces per table and UDT that fit the rows read back", async () => {
    const text = await keyspaceTypes(session, ks);
    assert.match(text, /export interface AllTypes \{/);
    assert.match(text, /export interface Address \{/);
    assert.match(text, /export interface Phone \{/);
    assert.match(text, /export interface Hits \{\n {2}id: number;\n {2}n: bigint \| null;\n\}/);
    assert.match(text, / {2}phones: Phone\[\] \| null;/);
    assert.match(text, / {2}"Quoted Col": string \| null;/);
    writeFileSync(`${dir}/types.ts`, text);
    assert.deepEqual(await denoCheck(dir, "types.ts"), { ok: true, text: "" });

    const rows = await session.sql`SELECT * FROM all_types WHERE id IN (${1}, ${2})`;
    assert.equal(rows.length, 2);
    const hits = await session.sql`SELECT * FROM hits`;
    const check = [
      `import type { AllTypes, Hits } from "./types.ts";`,
      ...rows.map((r, i) => `export const row${i}: AllTypes = ${literal(r)};`),
      `export const hits: Hits[] = ${literal(hits)};`,
      "",
    ].join("\n");
    writeFileSync(`${dir}/rows.ts`, check);
    const ok = await denoCheck(dir, "rows.ts");
    assert.ok(ok.ok, `${ok.text}\n${check}`);

    // The check bites: the same rows against a wrong mapping (bigint as number) fail.
    writeFileSync(
      `${dir}/types.ts`,
      text.replace("a_bigint: bigint | null", "a_bigint: number | null"),
    );
    const bad = await denoCheck(dir, "rows.ts");
    assert.equal(bad.ok, false);
    assert.match(bad.text, /a_bigint/);
  });

  it("says when the keyspace does not exist", async () => {
    await assert.rejects(keyspaceTypes(session, "no_such_ks_gen_types"), /does not exist/);
  });
});
