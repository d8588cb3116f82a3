import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { SessionBuilder } from "../../src/session_builder.ts";
import { DEFAULT_CONFIG } from "../../src/config.ts";
import { parseContactPoint } from "../../src/pool/address.ts";
import { FallthroughRetryPolicy } from "../../src/policies/retry.ts";
import { ExponentialReconnectPolicy } from "../../src/pool/reconnect_policy.ts";

// deno-lint-ignore no-explicit-any
type Loose = any;

const SECRET = "s3cr3t-Pa55";
const KEY = "-----BEGIN PRIVATE KEY-----\nTOPSECRETKEY\n-----END PRIVATE KEY-----";

describe("contact point parsing", () => {
  const good: [string, string, number][] = [
    ["127.0.0.1:9042", "127.0.0.1", 9042],
    ["node1.example.com:19042", "node1.example.com", 19042],
    ["localhost", "localhost", 9042],
    ["scylla_1", "scylla_1", 9042],
    ["[::1]:9042", "::1", 9042],
    ["[::1]", "::1", 9042],
    ["[fe80::1%eth0]:9043", "fe80::1%eth0", 9043],
    ["[2001:db8::ffff:192.0.2.1]:1", "2001:db8::ffff:192.0.2.1", 1],
    ["  10.0.0.1:65535 ", "10.0.0.1", 65535],
  ];
  for (const [input, host, port] of good) {
    it(`parses ${JSON.stringify(input)}`, () => {
      assert.deepEqual(parseContactPoint(input), { host, port });
    });
  }

  const bad: [unknown, RegExp][] = [
    ["", /invalid contact point "": empty host/],
    ["   ", /empty host/],
    [":9042", /empty host/],
    ["host:", /port must be an integer in 1\.\.65535/],
    ["host:0", /"host:0": port must be/],
    ["host:65536", /port must be/],
    ["host:99999999", /port must be/],
    ["host:-1", /port must be/],
    ["host:90a", /port must be/],
    ["host:9042:1", /IPv6 addresses must be bracketed/],
    ["::1", /IPv6 addresses must be bracketed/],
    ["::1:9042", /IPv6 addresses must be bracketed/],
    ["[::1", /missing '\]'/],
    ["[]:9042", /not an IPv6 address/],
    ["[host]:9042", /not an IPv6 address/],
    ["[::1]9042", /expected ':port' after '\]'/],
    ["[::1]:", /port must be/],
    ["my host:9042", /expected "host:port"/],
    ["http://host:9042", /\(not shown: it may hold credentials\): expected "host:port"/],
    ["user@host", /expected "host:port"/],
    [9042, /must be a "host:port" string, got number/],
    [null, /got object/],
  ];
  for (const [input, message] of bad) {
    it(`rejects ${JSON.stringify(input)} with a TypeError`, () => {
      assert.throws(() => parseContactPoint(input), { name: "TypeError", message });
    });
  }
});

describe("SessionBuilder", () => {
  it("returns itself from every setter", () => {
    const b = new SessionBuilder();
    const calls: ((b: SessionBuilder) => SessionBuilder)[] = [
      (b) => b.knownNode("a:1"),
      (b) => b.knownNodes(["b:2"]),
      (b) => b.useKeyspace("ks", false),
      (b) => b.connectionTimeout(1000),
      (b) => b.poolSize(2),
      (b) => b.user("u", "p"),
      (b) => b.compression("lz4"),
      (b) => b.tcpNodelay(false),
      (b) => b.tcpKeepalive(null),
      (b) => b.tls(),
      (b) => b.localDatacenter("dc1"),
      (b) => b.requestTimeout(500),
      (b) => b.schemaAgreementTimeout(500),
      (b) => b.defaultConsistency("ONE"),
      (b) => b.retryPolicy(new FallthroughRetryPolicy()),
      (b) => b.speculativeExecution(null),
      (b) => b.reconnectPolicy(new ExponentialReconnectPolicy()),
      (b) => b.logger(() => {}),
    ];
    for (const call of calls) assert.equal(call(b), b);
  });

  it("resolves defaults in toConfig()", () => {
    const c = new SessionBuilder().knownNode("127.0.0.1").toConfig();
    assert.deepEqual(c.contactPoints, [{ host: "127.0.0.1", port: 9042 }]);
    const { contactPoints: _, ...rest } = c;
    assert.deepEqual(rest, { ...DEFAULT_CONFIG });
    assert.equal(c.poolSize, 1);
    assert.equal(c.connectionTimeout, 5000);
    assert.equal(c.requestTimeout, 12000);
    assert.equal(c.defaultConsistency, 6, "LOCAL_QUORUM");
    assert.equal(c.tcpNodelay, true);
    assert.equal(c.compression, null);
    assert.equal(c.credentials, null);
    assert.equal(c.tls, null);
    assert.ok(Object.isFrozen(c));
  });

  it("carries every setting into toConfig()", () => {
    const logger = () => {};
    const retry = { decide: () => "rethrow" as const };
    const c = new SessionBuilder()
      .knownNodes(["10.0.0.1:9042", "[::1]:19042", "10.0.0.1"]) // the duplicate collapses
      .useKeyspace("Shop", true).connectionTimeout(250).poolSize(4).user("app", SECRET)
      .compression("snappy").tcpNodelay(false).tcpKeepalive(0)
      .tls({ ca: "CA", cert: "CERT", key: KEY, serverName: "db.local", rejectUnauthorized: false })
      .localDatacenter("dc2").requestTimeout(3000).schemaAgreementTimeout(20000)
      .defaultConsistency("LOCAL_ONE").retryPolicy(retry).logger(logger)
      .toConfig();
    assert.deepEqual(c.contactPoints, [
      { host: "10.0.0.1", port: 9042 },
      { host: "::1", port: 19042 },
    ]);
    assert.deepEqual(c.keyspace, { name: "Shop", caseSensitive: true });
    assert.equal(c.connectionTimeout, 250);
    assert.equal(c.poolSize, 4);
    assert.equal(c.credentials?.username, "app");
    assert.equal(c.credentials?.password, SECRET);
    assert.equal(c.compression, "snappy");
    assert.equal(c.tcpNodelay, false);
    assert.equal(c.tcpKeepalive, 0);
    assert.deepEqual(c.tls?.ca, ["CA"]);
    assert.equal(c.tls?.cert, "CERT");
    assert.equal(c.tls?.key, KEY);
    assert.equal(c.tls?.serverName, "db.local");
    assert.equal(c.tls?.rejectUnauthorized, false);
    assert.equal(c.localDatacenter, "dc2");
    assert.equal(c.requestTimeout, 3000);
    assert.equal(c.schemaAgreementTimeout, 20000);
    assert.equal(c.defaultConsistency, 0x0a);
    assert.equal(c.retryPolicy, retry);
    assert.equal(c.logger, logger);
    assert.equal(
      new SessionBuilder().knownNode("h").tls().toConfig().tls?.rejectUnauthorized,
      true,
    );
    assert.equal(new SessionBuilder().knownNode("h").tls().tls(null).toConfig().tls, null);
  });

  it("rejects bad arguments synchronously with the documented class", () => {
    const b = new SessionBuilder();
    const cases: [() => unknown, string, RegExp][] = [
      [() => b.knownNode("host:0"), "TypeError", /"host:0"/],
      [() => b.knownNodes("a:1" as Loose), "TypeError", /expects an array/],
      [() => b.knownNodes(["a:1", "b:x"]), "TypeError", /"b:x"/],
      [() => b.useKeyspace("", false), "TypeError", /keyspace name must be a non-empty string/],
      [() => b.useKeyspace("ks", "no" as Loose), "TypeError", /caseSensitive must be a boolean/],
      [() => b.connectionTimeout(0), "RangeError", /connection timeout must be a finite/],
      [() => b.connectionTimeout(-1), "RangeError", /got -1/],
      [() => b.connectionTimeout(Infinity), "RangeError", /got Infinity/],
      [() => b.connectionTimeout(NaN), "RangeError", /got NaN/],
      [() => b.poolSize(0), "RangeError", /pool size must be a positive integer, got 0/],
      [() => b.poolSize(-2), "RangeError", /got -2/],
      [() => b.poolSize(1.5), "RangeError", /got 1\.5/],
      [() => b.poolSize("2" as Loose), "TypeError", /pool size must be a number/],
      [() => b.user("", "p"), "TypeError", /username must be a non-empty string/],
      [() => b.user("u", 1234 as Loose), "TypeError", /password must be a string, got number$/],
      [() => b.compression("zstd" as Loose), "RangeError", /"zstd"; valid: "lz4", "snappy", null/],
      [() => b.compression("LZ4" as Loose), "RangeError", /valid: "lz4"/],
      [() => b.compression(undefined as Loose), "RangeError", /invalid compression undefined/],
      [() => b.tcpNodelay(1 as Loose), "TypeError", /tcpNodelay must be a boolean/],
      [() => b.tcpKeepalive(-1), "RangeError", /tcp keepalive must be a finite number of ms ≥ 0/],
      [() => b.tcpKeepalive(Infinity), "RangeError", /got Infinity/],
      [() => b.tcpKeepalive("1" as Loose), "TypeError", /number of ms or null/],
      [() => b.tls("yes" as Loose), "TypeError", /tls options must be an object/],
      [() => b.tls({ servername: "x" } as Loose), "TypeError", /unknown tls option "servername"/],
      [() => b.tls({ cert: "C" }), "TypeError", /cert and key must be given together/],
      [() => b.tls({ key: KEY }), "TypeError", /cert and key must be given together/],
      [() => b.tls({ ca: 5 } as Loose), "TypeError", /tls ca must be PEM/],
      [() => b.tls({ ca: [] }), "TypeError", /tls ca must be PEM/],
      [() => b.tls({ serverName: "" }), "TypeError", /serverName must be a non-empty string/],
      [() => b.tls({ rejectUnauthorized: "no" } as Loose), "TypeError", /rejectUnauthorized/],
      [() => b.localDatacenter(""), "TypeError", /local datacenter must be a non-empty string/],
      [() => b.requestTimeout(0), "RangeError", /request timeout must be a finite/],
      [() => b.requestTimeout(2 ** 31), "RangeError", /2147483647/],
      [() => b.schemaAgreementTimeout(-5), "RangeError", /schema agreement timeout/],
      [() => b.defaultConsistency("SERIAL" as Loose), "RangeError", /valid names: ANY/],
      [() => b.retryPolicy(5 as Loose), "TypeError", /retry policy must be an object or null/],
      [() => b.speculativeExecution("x" as Loose), "TypeError", /speculative execution policy/],
      [() => b.reconnectPolicy(true as Loose), "TypeError", /reconnect policy/],
      [() => b.logger("console" as Loose), "TypeError", /logger must be a function or null/],
    ];
    for (const [fn, name, message] of cases) assert.throws(fn, { name, message });
    // None of the failed calls changed anything (knownNodes is all-or-nothing).
    assert.throws(() => b.toConfig(), /no contact point/);
  });

  it("build() without contact points rejects with a TypeError", async () => {
    await assert.rejects(new SessionBuilder().build(), {
      name: "TypeError",
      message: /no contact point: call knownNode\(\) or knownNodes\(\)/,
    });
  });

  describe("never reveals the password or TLS key", () => {
    const builder = () =>
      new SessionBuilder().knownNode("db:9042").user("app", SECRET)
        .tls({ cert: "CERT", key: KEY });

    function assertRedacted(text: string): void {
      assert.ok(!text.includes(SECRET), `password leaked: ${text}`);
      assert.ok(!text.includes("TOPSECRETKEY"), `TLS key leaked: ${text}`);
      assert.match(text, /app/, "the user name is still shown");
      assert.match(text, /<redacted>/);
    }

    it("in JSON.stringify", () => {
      const json = JSON.stringify(builder());
      assertRedacted(json);
      assert.deepEqual(JSON.parse(json).knownNodes, ["db:9042"]);
    });

    it("in String() and template literals", () => {
      assertRedacted(String(builder()));
      assertRedacted(`${builder()}`);
    });

    it("in util.inspect (Node, Bun) and console-style formatting", () => {
      assertRedacted(inspect(builder()));
      assertRedacted(inspect(builder(), { showHidden: true, depth: 10 }));
      assertRedacted(inspect({ nested: builder() }));
    });

    it("in Deno.inspect", { skip: !("Deno" in globalThis) }, () => {
      // deno-lint-ignore no-explicit-any
      const deno = (globalThis as any).Deno;
      assertRedacted(deno.inspect(builder()));
      assertRedacted(deno.inspect(builder(), { showHidden: true, depth: 10 }));
    });

    it("in the resolved config's JSON and inspection", () => {
      const config = builder().toConfig();
      const json = JSON.stringify(config);
      assert.ok(!json.includes(SECRET) && !json.includes("TOPSECRETKEY"), json);
      const shown = inspect(config, { depth: 10 });
      assert.ok(!shown.includes(SECRET) && !shown.includes("TOPSECRETKEY"), shown);
      assert.equal(config.credentials?.password, SECRET, "the session can still read it");
    });

    it("in error messages about a bad password", () => {
      try {
        new SessionBuilder().user("app", [SECRET] as Loose);
        assert.fail("expected a TypeError");
      } catch (e) {
        assert.ok(e instanceof TypeError);
        assert.ok(!e.message.includes(SECRET));
      }
    });
  });
});
