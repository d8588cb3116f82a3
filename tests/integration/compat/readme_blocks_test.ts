/**
 * The JavaScript code blocks of the README shipped in the `cassandra-driver`
 * npm package (a devDependency), read at test time and run against the real
 * node through `@rsylla/rsylla/compat` with only `require('cassandra-driver')`
 * pointed at the facade. The blocks are fragments: the harness gives them the
 * variables they assume (`client`, `key`, `emailAddress`, …) and the tables
 * they name, and substitutes the placeholder contact points `h1`, `h2` and
 * keyspace `ks1` of the first block. Runs on Deno and Bun from the sources and
 * on Node against the packed package.
 * @module
 */

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import * as compat from "../../../src/compat/mod.ts";
import { cqlHosts } from "../env.ts";
import { eventually, uniqueKeyspace } from "../helpers.ts";

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

const README = nodeModule("cassandra-driver/README.md");
const blocks = [...readFileSync(README, "utf8").matchAll(/```javascript\n([\s\S]*?)```/g)]
  .map((m) => m[1]);

// deno-lint-ignore no-explicit-any
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor as any;

describe("cassandra-driver README blocks through @rsylla/rsylla/compat", () => {
  const ks = uniqueKeyspace("compat_readme");
  const logs: unknown[][] = [];
  const console = {
    log: (...a: unknown[]) => logs.push(a),
    error: (...a: unknown[]) => logs.push(a),
  };
  let client: compat.Client;

  before(async () => {
    client = new compat.Client({ contactPoints: cqlHosts(), localDataCenter: "datacenter1" });
    await client.execute(
      `CREATE KEYSPACE ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    for (
      const cql of [
        "CREATE TYPE address (street text, city text, state text, zip int, phones set<text>)",
        "CREATE TABLE users (key text PRIMARY KEY, name text, email text, birth timestamp, address frozen<address>)",
        "CREATE TABLE temperature (station_id text, time timestamp, val int, PRIMARY KEY (station_id, time))",
        "CREATE TABLE user_profiles (key text PRIMARY KEY, email text)",
        "CREATE TABLE user_track (key text, text text, date timestamp, PRIMARY KEY (key, date))",
      ]
    ) await client.execute(cql.replace(/(TYPE|TABLE) (\w+)/, `$1 ${ks}.$2`));
    await client.execute(
      `INSERT INTO ${ks}.users (key, name, email, address) VALUES (?, ?, ?, ?)`,
      ["someone", "Someone", "someone@example.com", {
        street: "1 Main St",
        city: "Springfield",
        state: "OR",
        zip: 97477,
        phones: ["555"],
      }],
      { prepare: true },
    );
    await client.shutdown();
    client = new compat.Client({
      contactPoints: cqlHosts(),
      localDataCenter: "datacenter1",
      keyspace: ks,
    });
    await client.connect();
  });
  after(async () => {
    await client?.execute(`DROP KEYSPACE IF EXISTS ${ks}`).catch(() => {});
    await client?.shutdown();
  });

  async function run(code: string, extra: Record<string, unknown> = {}): Promise<unknown> {
    const src = code.replace(/require\((['"])cassandra-driver\1\)/g, "__compat");
    const names = ["__compat", "console", ...Object.keys(extra)];
    return await new AsyncFunction(...names, src)(compat, console, ...Object.values(extra));
  }

  it("finds the blocks", () => assert.ok(blocks.length >= 8, `${blocks.length} blocks`));

  it("basic usage (contact points h1, h2 and keyspace ks1 substituted)", async () => {
    const block = blocks.find((b) => b.includes("contactPoints: ['h1', 'h2']"))!;
    const code =
      block.replace("['h1', 'h2']", JSON.stringify(cqlHosts())).replace("'ks1'", `'${ks}'`) +
      "\nreturn client;";
    const own = await run(code) as compat.Client;
    try {
      const line = await eventually(
        "the block's log line",
        () => Promise.resolve(logs.find((l) => String(l[0]).startsWith("User with email"))),
      );
      assert.equal(line[1], "someone@example.com");
    } finally {
      await own.shutdown();
    }
  });

  it("DataStax Astra: refused with a TypeError naming cloud", async () => {
    const block = blocks.find((b) => b.includes("secureConnectBundle"))!;
    await assert.rejects(run(block, { cassandra: compat }), /Client option cloud is not supported/);
  });

  it("prepared UPDATE", async () => {
    await run(blocks.find((b) => b.includes("UPDATE users SET birth"))!, { client });
    assert.ok(logs.some((l) => l[0] === "Row updated on the cluster"));
    const rs = await client.execute("SELECT birth FROM users WHERE key = ?", ["jimi-hendrix"]);
    assert.ok(rs.first()?.birth instanceof Date);
  });

  it("eachRow and stream blocks run (their CQL lacks a marker: the server error reaches the callbacks)", async () => {
    let ended: unknown = "not yet";
    const spy = new Proxy(client, {
      get(t, p) {
        if (p === "eachRow") {
          return (q: string, params: unknown, onRow: compat.RowCallback, done: compat.Callback) =>
            t.eachRow(q, params as unknown[], onRow, (e: Error | null) => {
              ended = e;
              done(e);
            });
        }
        const v = Reflect.get(t, p);
        return typeof v === "function" ? v.bind(t) : v;
      },
    });
    await run(blocks.find((b) => b.includes("client.eachRow("))!, {
      client: spy,
      minTemperature: 0,
    });
    await eventually("eachRow's end callback", () => Promise.resolve(ended !== "not yet"));
    assert.ok(ended instanceof compat.ResponseError && ended.code === 0x2000, String(ended));
    await run(blocks.find((b) => b.includes("client.stream("))!, { client });
  });

  it("UDT select", async () => {
    await run(blocks.find((b) => b.includes("row.address"))!, { client, key: "someone" });
    assert.deepEqual(logs.at(-1), ["User lives in %s, %s - %s", "1 Main St", "Springfield", "OR"]);
  });

  it("batch", async () => {
    await run(blocks.find((b) => b.includes("client.batch("))!, {
      client,
      emailAddress: "jimi@example.com",
    });
    assert.ok(logs.some((l) => l[0] === "Data updated on cluster"));
  });

  it("log events", async () => {
    await run(blocks.find((b) => b.includes("client.on('log'"))!, { client });
  });
});
