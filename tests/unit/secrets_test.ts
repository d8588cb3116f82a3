/**
 * Secrets never leak from configuration objects, without connecting anywhere:
 * the password given to `SessionBuilder.user()` and the private key given to
 * `tls()` must not appear in any rendering of the builder, of what
 * `toConfig()` returns, or of the pieces of that config — JSON, `String()`,
 * `util.inspect` / `util.format` in every mode, `Deno.inspect`, and the real
 * `console.log` of a child process of the same runtime — nor in the message
 * of an error about a wrongly given secret.
 *
 * `session_builder_test.ts` checks the common renderings of the builder; this
 * file is the exhaustive table (objects × renderings), including `toConfig()`.
 *
 * Deno: `deno test -A tests/unit/secrets_test.ts`; Bun: `bun test tests/unit/secrets_test.ts`.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { format, inspect } from "node:util";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SessionBuilder } from "../../mod.ts";

// deno-lint-ignore no-explicit-any
type Loose = any;

const PASSWORD = "pw-Zq9!xK2#secret";
const KEY_BODY = "MIIEvKEYZq9xK2secretKEYBODY";
const KEY = `-----BEGIN PRIVATE KEY-----\n${KEY_BODY}\n-----END PRIVATE KEY-----\n`;
const CERT = "-----BEGIN CERTIFICATE-----\nMIIcertPUBLIC\n-----END CERTIFICATE-----\n";

const isDeno = "Deno" in globalThis;
const isBun = "Bun" in globalThis;
// deno-lint-ignore no-explicit-any
const Deno_ = (globalThis as any).Deno;

function builder(): SessionBuilder {
  return new SessionBuilder().knownNodes(["10.0.0.1:9042", "[::1]:9043"]).user("app", PASSWORD)
    .tls({ ca: CERT, cert: CERT, key: KEY, serverName: "db.example" })
    .useKeyspace("shop", false).logger(() => {});
}

function assertNoSecret(text: string, where: string): void {
  assert.ok(!text.includes(PASSWORD), `the password leaks through ${where}:\n${text}`);
  assert.ok(!text.includes(KEY_BODY), `the TLS key leaks through ${where}:\n${text}`);
  // Fragments too: a partial dump (e.g. truncated strings) must not carry them either.
  assert.ok(!text.includes("Zq9!xK2"), `part of the password leaks through ${where}`);
  assert.ok(!text.includes("KEYZq9"), `part of the TLS key leaks through ${where}`);
}

/** Ways a value ends up as text in a program. */
const RENDERERS: [string, (v: unknown) => string][] = [
  ["JSON.stringify", (v) => JSON.stringify(v) ?? ""],
  ["JSON.stringify, indented", (v) => JSON.stringify(v, null, 2) ?? ""],
  ["String()", (v) => String(v)],
  ["template literal", (v) => `${v}`],
  ["util.inspect()", (v) => inspect(v)],
  ["util.inspect depth Infinity", (v) => inspect(v, { depth: Infinity })],
  ["util.inspect showHidden", (v) => inspect(v, { showHidden: true, depth: Infinity })],
  ["util.inspect getters", (v) => inspect(v, { getters: true, depth: Infinity })],
  ['util.format("%s")', (v) => format("%s", v)],
  ['util.format("%o")', (v) => format("%o", v)],
  ['util.format("%O")', (v) => format("%O", v)],
  ['util.format("%j")', (v) => format("%j", v)],
  ["Object.entries", (v) => JSON.stringify(typeof v === "object" && v ? Object.entries(v) : [])],
  ["spread copy", (v) => inspect(typeof v === "object" && v ? { ...v } : v, { depth: 9 })],
  ...(isDeno
    ? [
      ["Deno.inspect()", (v: unknown) => Deno_.inspect(v)],
      [
        "Deno.inspect showHidden",
        (v: unknown) => Deno_.inspect(v, { showHidden: true, depth: Infinity }),
      ],
    ] as [string, (v: unknown) => string][]
    : []),
];

describe("secrets stay out of every rendering of the builder", () => {
  const objects: [string, () => unknown][] = [
    ["the builder", () => builder()],
    ["a builder nested in an object and an array", () => ({ config: [builder()] })],
    ["a builder in a Map", () => new Map([["b", builder()]])],
    [
      "a builder whose password was replaced",
      () => builder().user("app", "other").user("app", PASSWORD),
    ],
  ];
  for (const [what, make] of objects) {
    for (const [how, render] of RENDERERS) {
      it(`${what}: ${how}`, () => {
        const text = render(make());
        assertNoSecret(text, how);
      });
    }
  }

  it("the builder still shows what is not secret", () => {
    for (const [how, render] of RENDERERS.filter(([h]) => h !== "Object.entries")) {
      if (how === "spread copy") continue; // a spread loses the class and its toJSON/inspect
      const text = render(builder());
      assert.match(text, /app/, `${how} hides the user name`);
      assert.match(text, /<redacted>/, `${how} does not say something was redacted`);
      assert.match(text, /db\.example/, `${how} hides the server name`);
    }
  });
});

describe("secrets stay out of every rendering of toConfig() and its parts", () => {
  const objects: [string, () => unknown][] = [
    ["toConfig()", () => builder().toConfig()],
    ["toConfig().credentials", () => builder().toConfig().credentials],
    ["toConfig().tls", () => builder().toConfig().tls],
    ["[toConfig()]", () => [builder().toConfig()]],
    ["{ ...toConfig() }", () => ({ ...builder().toConfig() })],
  ];
  for (const [what, make] of objects) {
    for (const [how, render] of RENDERERS) {
      // BUG (reported): the password and the key are only non-enumerable properties of the
      // config objects, so every rendering that shows hidden properties prints them.
      it(`${what}: ${how}`, () => {
        assertNoSecret(render(make()), how);
      });
    }
  }

  it("the session can still read the secrets it needs", () => {
    const c = builder().toConfig();
    assert.equal(c.credentials?.username, "app");
    assert.equal(c.credentials?.password, PASSWORD);
    assert.equal(c.tls?.key, KEY);
    assert.equal(c.tls?.cert, CERT);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.credentials) && Object.isFrozen(c.tls));
  });

  it("the config's secrets cannot be swapped out by a caller holding the object", () => {
    const c = builder().toConfig();
    assert.throws(() => {
      (c.credentials as Loose).password = "x";
    }, TypeError);
    assert.throws(() => {
      Object.defineProperty(c.credentials, "password", { enumerable: true });
    }, TypeError);
    assert.equal(JSON.stringify(c.credentials), '{"username":"app"}');
  });

  it("a later change to the builder does not reach an earlier toConfig()", () => {
    const b = builder();
    const c = b.toConfig();
    b.user("someone", "else");
    assert.equal(c.credentials?.password, PASSWORD);
  });
});

describe("a secret given the wrong way is not quoted back in the error", () => {
  const wrong: [string, (b: SessionBuilder) => unknown][] = [
    ["user(name, [password])", (b) => b.user("app", [PASSWORD] as Loose)],
    ["user(name, { password })", (b) => b.user("app", { password: PASSWORD } as Loose)],
    ["user(name, a String object)", (b) => b.user("app", new String(PASSWORD) as Loose)],
    [
      "user(name, password as bytes)",
      (b) => b.user("app", new TextEncoder().encode(PASSWORD) as Loose),
    ],
    ["user(password, …) with an empty name", (b) => b.user("", PASSWORD)],
    ["tls({ key }) without cert", (b) => b.tls({ key: KEY })],
    ["tls({ cert, key: [key] })", (b) => b.tls({ cert: CERT, key: [KEY] } as Loose)],
    ["tls({ cert: key, key: 1 })", (b) => b.tls({ cert: KEY, key: 1 } as Loose)],
    [
      "tls({ key, passphrase })",
      (b) => b.tls({ cert: CERT, key: KEY, passphrase: PASSWORD } as Loose),
    ],
    ["tls({ ca: [key, 1] })", (b) => b.tls({ ca: [KEY, 1] } as Loose)],
  ];
  for (const [call, fn] of wrong) {
    it(call, () => {
      let err: unknown;
      try {
        fn(new SessionBuilder());
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof TypeError, `expected a TypeError, got ${err}`);
      for (
        const text of [err.message, String(err), err.stack ?? "", inspect(err), JSON.stringify(err)]
      ) {
        assertNoSecret(text, call);
      }
    });
  }

  // BUG (reported): a contact point written as a URL with credentials, as other drivers'
  // connection strings are, is refused with a message that quotes it whole, password included.
  for (
    const [call, fn] of [
      [
        'knownNode("app:<password>@db:9042")',
        (b: SessionBuilder) => b.knownNode(`app:${PASSWORD}@db:9042`),
      ],
      [
        'knownNodes(["cassandra://app:<password>@db"])',
        (b: SessionBuilder) => b.knownNodes([`cassandra://app:${PASSWORD}@db`]),
      ],
    ] as const
  ) {
    it(`${call}: a TypeError that does not show the password`, () => {
      let err: unknown;
      try {
        fn(new SessionBuilder());
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof TypeError);
      assertNoSecret(err.message, call);
    });
  }
});

// The child runs TypeScript: Deno and Bun can, Node 20 cannot (the suite runs on Deno and Bun).
describe("console output of a real child process", { skip: !isDeno && !isBun }, () => {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const runtime = isDeno ? "deno" : isBun ? "bun" : "node";

  /** Runs `body` (TypeScript, with `b` the builder) in a fresh process of this runtime. */
  function consoleOutput(body: string): string {
    const dir = mkdtempSync(join(tmpdir(), "rsylla-secrets-"));
    try {
      const file = join(dir, "print.ts");
      writeFileSync(
        file,
        `import { SessionBuilder } from ${JSON.stringify(join(root, "mod.ts"))};\n` +
          `const b = new SessionBuilder().knownNode("db:9042").user("app", ${
            JSON.stringify(PASSWORD)
          })\n  .tls({ cert: ${JSON.stringify(CERT)}, key: ${JSON.stringify(KEY)} });\n` +
          body,
      );
      const exe = isDeno ? Deno_.execPath() : process.execPath;
      const args = isDeno ? ["run", "-A", "--config", join(root, "deno.json"), file] : [file];
      const r = spawnSync(exe, args, {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 60_000,
      });
      assert.equal(r.status, 0, `the child process failed:\n${r.stdout}\n${r.stderr}`);
      return `${r.stdout}\n${r.stderr}`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it(`console.log / error / dir / table of the builder (${runtime})`, () => {
    const out = consoleOutput(
      [
        "console.log(b);",
        'console.log("%o", b);',
        'console.log("%O %s %j", b, b, b);',
        "console.error({ nested: [b] });",
        "console.info(new Map([['b', b]]));",
        "console.dir(b, { depth: null, showHidden: true });",
        "console.warn(`${b}`);",
        "console.table([b]);",
      ].join("\n"),
    );
    assert.match(out, /<redacted>/);
    assert.match(out, /app/);
    assertNoSecret(out, "console output");
  });

  // BUG (reported): on Bun, console.log shows non-enumerable properties, so printing what
  // toConfig() returns prints the password and the key. Deno and Node hide them.
  it(`console.log / error of toConfig() (${runtime})`, {
    skip: isBun ? "BUG: Bun's console.log prints non-enumerable properties" : false,
  }, () => {
    const out = consoleOutput(
      [
        "const c = b.toConfig();",
        "console.log(c);",
        "console.error([c.credentials, c.tls]);",
        'console.log("%O", c);',
      ].join("\n"),
    );
    assert.match(out, /app/);
    assertNoSecret(out, "console output");
  });
});
