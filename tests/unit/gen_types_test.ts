/** gen-types' pure parts: schema rows → TypeScript text, names, argument parsing. */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generateTypes, pascalCase, tsType } from "../../src/sql/gen_types.ts";
import { parseGenTypesArgs } from "../../src/sql/gen_types_cli.ts";
import { parseType } from "../../src/wire/cql_type_text.ts";

const ts = (text: string) => tsType(parseType(text, "ks"), (n) => pascalCase(n));

describe("gen-types", () => {
  it("maps every CQL type as API.md's table says", () => {
    const cases: [string, string][] = [
      ["boolean", "boolean"],
      ["tinyint", "number"],
      ["smallint", "number"],
      ["int", "number"],
      ["bigint", "bigint"],
      ["counter", "bigint"],
      ["varint", "bigint"],
      ["float", "number"],
      ["double", "number"],
      ["decimal", "string"],
      ["text", "string"],
      ["varchar", "string"],
      ["ascii", "string"],
      ["blob", "Uint8Array"],
      ["uuid", "string"],
      ["timeuuid", "string"],
      ["timestamp", "Date"],
      ["date", "string"],
      ["time", "bigint"],
      ["duration", "{ months: number; days: number; nanoseconds: bigint }"],
      ["inet", "string"],
      ["list<int>", "number[]"],
      ["set<text>", "string[]"],
      ["frozen<list<frozen<set<int>>>>", "number[][]"],
      ["map<text, bigint>", "Map<string, bigint>"],
      ["tuple<int, text>", "[number | null, string | null]"],
      ["frozen<my_addr>", "MyAddr"],
      ["list<frozen<tuple<int, int>>>", "([number | null, number | null])[]"],
      ["list<duration>", "({ months: number; days: number; nanoseconds: bigint })[]"],
      ["vector<float, 3>", "Float32Array"],
      ["vector<int, 2>", "number[]"],
      ["'org.example.Custom'", "unknown"],
    ];
    for (const [cql, want] of cases) assert.equal(ts(cql), want, cql);
  });

  it("names interfaces in PascalCase", () => {
    assert.equal(pascalCase("all_types"), "AllTypes");
    assert.equal(pascalCase("MyTable"), "MyTable");
    assert.equal(pascalCase("2fa codes"), "_2faCodes");
  });

  it("writes key columns required and non-null, others nullable, in key order", () => {
    const text = generateTypes("ks", [
      { table_name: "t", column_name: "v", kind: "regular", position: -1, type: "text" },
      { table_name: "t", column_name: "c", kind: "clustering", position: 0, type: "timeuuid" },
      { table_name: "t", column_name: "p2", kind: "partition_key", position: 1, type: "int" },
      { table_name: "t", column_name: "p1", kind: "partition_key", position: 0, type: "int" },
      { table_name: "t", column_name: "s", kind: "static", position: -1, type: "frozen<addr>" },
      { table_name: "t", column_name: "Odd Name", kind: "regular", position: -1, type: "int" },
    ], [{ type_name: "addr", field_names: ["street", "zip"], field_types: ["text", "int"] }]);
    assert.match(
      text,
      /export interface Addr \{\n {2}street: string \| null;\n {2}zip: number \| null;\n\}/,
    );
    assert.match(
      text,
      /export interface T \{\n {2}p1: number;\n {2}p2: number;\n {2}c: string;\n {2}s: Addr \| null;\n {2}"Odd Name": number \| null;\n {2}v: string \| null;\n\}/,
    );
  });

  it("renames a UDT whose name collides with a table's", () => {
    const text = generateTypes("ks", [
      { table_name: "address", column_name: "id", kind: "partition_key", position: 0, type: "int" },
      { table_name: "address", column_name: "a", kind: "regular", position: -1, type: "address" },
    ], [{ type_name: "address", field_names: ["x"], field_types: ["int"] }]);
    assert.match(text, /export interface AddressUdt \{/);
    assert.match(text, /export interface Address \{\n {2}id: number;\n {2}a: AddressUdt \| null;/);
  });

  it("parses its arguments", () => {
    assert.deepEqual(parseGenTypesArgs(["--keyspace", "ks"]), {
      keyspace: "ks",
      hosts: ["127.0.0.1:9042"],
      out: null,
      credentials: null,
    });
    assert.deepEqual(
      parseGenTypesArgs(["--keyspace=ks", "--hosts", "a:1,b:2", "--out", "x.ts"]).hosts,
      ["a:1", "b:2"],
    );
    assert.throws(() => parseGenTypesArgs([]), /--keyspace is required/);
    assert.throws(() => parseGenTypesArgs(["--keyspace"]), /needs a value/);
    assert.throws(() => parseGenTypesArgs(["--keyspace", "k", "--nope"]), /unknown argument/);
    assert.throws(() => parseGenTypesArgs(["--keyspace", "k", "--user", "u"]), /go together/);
  });
});
