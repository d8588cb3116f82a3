// Authentication hardening against the real secure node (PasswordAuthenticator,
// CassandraAuthorizer): a role with a distinctive password logs in; a wrong password and a
// role that may not log in are AuthenticationErrors; a role granted access to one table gets
// UnauthorizedError on another, by every path (QUERY, prepared EXECUTE, BATCH). Throughout,
// the password never appears anywhere a program could print: error message, String(),
// stack, JSON, util.inspect / Deno.inspect (hidden properties included), the logger's
// events during a failed and a successful login, the builder, and the built session.
//
// `auth_test.ts` covers the superuser, unknown users and GRANT taking effect; this file
// covers the leak surfaces exhaustively.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { format, inspect } from "node:util";
import {
  AuthenticationError,
  Batch,
  type LogEvent,
  ScyllaError,
  type Session,
  type SessionBuilder,
  UnauthorizedError,
} from "../../mod.ts";
import { secureHosts } from "./env.ts";
import {
  connect,
  createKeyspace,
  dropKeyspace,
  newBuilder,
  secureBuilder,
  uniqueKeyspace,
} from "./helpers.ts";

const KS = uniqueKeyspace("authx");
const ROLE = `${KS}_app`;
const NOLOGIN = `${KS}_nologin`;
const PASSWORD = "pw-Zq9!xK2#secret";
/** A wrong password that is just as distinctive, so its leaking would show too. */
const WRONG = "pw-Zq9!xK2#WRONG-guess";

// deno-lint-ignore no-explicit-any
const Deno_ = (globalThis as any).Deno;

/** Every way an error, a builder or a session can become text. */
function renderings(v: unknown): [string, string][] {
  const out: [string, string][] = [
    ["String()", String(v)],
    // bigint (tokens in cluster data) as text: JSON.stringify would refuse them.
    ["JSON.stringify", JSON.stringify(v, (_k, x) => typeof x === "bigint" ? `${x}` : x) ?? ""],
    ["util.inspect", inspect(v)],
    ["util.inspect depth 5", inspect(v, { depth: 5 })],
    ["util.inspect showHidden", inspect(v, { showHidden: true, depth: 8 })],
    ['util.format("%o")', format("%o", v)],
  ];
  if (v instanceof Error) {
    out.push(["message", v.message], ["stack", v.stack ?? ""]);
    let c = (v as { cause?: unknown }).cause;
    for (let i = 0; c !== undefined && i < 8; i++) {
      out.push([`cause ${i}`, `${String(c)} ${(c as Error)?.stack ?? ""} ${inspect(c)}`]);
      c = (c as { cause?: unknown }).cause;
    }
  }
  if (Deno_) {
    out.push(
      ["Deno.inspect", Deno_.inspect(v)],
      ["Deno.inspect showHidden", Deno_.inspect(v, { showHidden: true, depth: 8 })],
    );
  }
  return out;
}

function assertNoSecret(v: unknown, secrets: string[], what: string): void {
  for (const [how, text] of renderings(v)) {
    for (const s of secrets) {
      assert.ok(!text.includes(s), `${what}: the password leaks through ${how}:\n${text}`);
      // Partial leaks (truncation, escaping) would keep this fragment.
      assert.ok(!text.includes("Zq9!xK2"), `${what}: part of a password leaks through ${how}`);
    }
  }
}

function assertEventsClean(events: LogEvent[], what: string): void {
  for (const e of events) {
    const text = `${JSON.stringify(e)} ${inspect(e, { showHidden: true, depth: 8 })}`;
    assert.ok(!text.includes("Zq9!xK2"), `${what}: a log event carries a password: ${text}`);
  }
}

function roleBuilder(password: string, events?: LogEvent[]): SessionBuilder {
  const b = newBuilder().knownNodes(secureHosts()).user(ROLE, password)
    .connectionTimeout(10_000);
  return events ? b.logger((e) => events.push(e)) : b;
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    const s = await p;
    await (s as Session | undefined)?.close?.();
  } catch (e) {
    return e;
  }
  assert.fail("expected a failure, got success");
}

describe("authentication hardening (real node, PasswordAuthenticator + CassandraAuthorizer)", () => {
  let admin: Session;

  before(async () => {
    admin = await connect(secureBuilder());
    await createKeyspace(admin, KS);
    await admin.execute(`CREATE TABLE ${KS}.allowed (id int PRIMARY KEY, v text)`);
    await admin.execute(`CREATE TABLE ${KS}.forbidden (id int PRIMARY KEY, v text)`);
    await admin.execute(`INSERT INTO ${KS}.forbidden (id, v) VALUES (1, 'top secret')`);
    await admin.execute(
      `CREATE ROLE ${ROLE} WITH PASSWORD = '${PASSWORD}' AND LOGIN = true`,
    );
    await admin.execute(`CREATE ROLE ${NOLOGIN} WITH PASSWORD = '${PASSWORD}' AND LOGIN = false`);
    // Access to one table only.
    await admin.execute(`GRANT SELECT ON ${KS}.allowed TO ${ROLE}`);
    await admin.execute(`GRANT MODIFY ON ${KS}.allowed TO ${ROLE}`);
  });

  after(async () => {
    for (const r of [ROLE, NOLOGIN]) {
      await admin?.execute(`DROP ROLE IF EXISTS ${r}`).catch(() => {});
    }
    await dropKeyspace(admin, KS);
    await admin?.close();
  });

  describe("a successful login", () => {
    let session: Session;
    let builder: SessionBuilder;
    const events: LogEvent[] = [];

    before(async () => {
      builder = roleBuilder(PASSWORD, events).useKeyspace(KS, false);
      session = await builder.build();
    });
    after(async () => {
      await session?.close();
    });

    it("reads and writes the table it was granted", async () => {
      await session.execute("INSERT INTO allowed (id, v) VALUES (?, ?)", [1, "mine"]);
      const row = (await session.execute("SELECT v FROM allowed WHERE id = ?", [1])).singleRow();
      assert.equal(row.get("v"), "mine");
      const who = (await admin.execute(
        "SELECT username FROM system_views.clients WHERE keyspace_name = ? ALLOW FILTERING",
        [KS],
      )).rows().map((r) => r.get("username"));
      assert.ok(who.includes(ROLE), `no connection of ${ROLE} in system_views.clients: ${who}`);
    });

    it("the logger saw the login, and no event carries the password", () => {
      assert.ok(events.length > 0, "no log event at all: the check would prove nothing");
      assertEventsClean(events, "successful login");
    });

    it("the builder shows the user but not the password, in every rendering", () => {
      assertNoSecret(builder, [PASSWORD], "builder");
      assert.match(JSON.stringify(builder), new RegExp(ROLE));
      assert.match(String(builder), /<redacted>/);
    });

    it("the built session shows no password, in every rendering", () => {
      assertNoSecret(session, [PASSWORD], "session");
      assertNoSecret(session.getClusterData(), [PASSWORD], "cluster data");
      assertNoSecret({ session, nested: [session] }, [PASSWORD], "nested session");
    });
  });

  describe("a failed login", () => {
    it("wrong password → AuthenticationError 0x0100 naming the user, never a password", async () => {
      const events: LogEvent[] = [];
      const b = roleBuilder(WRONG, events);
      const e = await failure(b.build());
      assert.ok(e instanceof AuthenticationError, `expected AuthenticationError, got ${e}`);
      assert.ok(e instanceof ScyllaError);
      assert.equal(e.code, 0x0100);
      assert.equal(e.name, "AuthenticationError");
      assert.ok(e.message.includes(`"${ROLE}"`), e.message);
      assert.match(e.message, /rejected the credentials/);
      assert.match(
        e.message,
        /Provided username .*and\/or password are incorrect/,
      );
      assertNoSecret(e, [WRONG, PASSWORD], "AuthenticationError");
      assertNoSecret(b, [WRONG], "builder after a failed login");
      assertEventsClean(events, "failed login");
    });

    it("the right password of a role that may not log in → AuthenticationError", async () => {
      const events: LogEvent[] = [];
      const b = newBuilder().knownNodes(secureHosts()).user(NOLOGIN, PASSWORD)
        .logger((e) => events.push(e));
      const e = await failure(b.build());
      assert.ok(e instanceof AuthenticationError, `expected AuthenticationError, got ${e}`);
      assert.ok(e.message.includes(NOLOGIN), e.message);
      assert.match(e.message, /not permitted to log in/);
      assertNoSecret(e, [PASSWORD], "AuthenticationError (LOGIN = false)");
      assertEventsClean(events, "login refused");
    });

    it("an empty password → AuthenticationError, not a crash", async () => {
      const e = await failure(roleBuilder("").build());
      assert.ok(e instanceof AuthenticationError, `expected AuthenticationError, got ${e}`);
      assert.equal(e.code, 0x0100);
    });

    it("after failed logins the right password still works (no lockout, no stale state)", async () => {
      const s = await roleBuilder(PASSWORD).build();
      try {
        assert.equal((await s.execute(`SELECT count(*) FROM ${KS}.allowed`)).rows().length, 1);
      } finally {
        await s.close();
      }
    });
  });

  describe("a role without permission on a table", () => {
    let session: Session;

    before(async () => {
      session = await roleBuilder(PASSWORD).build();
    });
    after(async () => {
      await session?.close();
    });

    function checkUnauthorized(e: unknown, permission: RegExp): void {
      assert.ok(e instanceof UnauthorizedError, `expected UnauthorizedError, got ${e}`);
      assert.ok(e instanceof ScyllaError);
      assert.equal(e.code, 0x2100);
      assert.equal(e.name, "UnauthorizedError");
      assert.ok(e.message.includes(ROLE), `the message does not name the role: ${e.message}`);
      assert.ok(
        e.message.includes("forbidden"),
        `the message does not name the table: ${e.message}`,
      );
      assert.match(e.message, permission);
      assertNoSecret(e, [PASSWORD], "UnauthorizedError");
    }

    it("SELECT as a QUERY → UnauthorizedError naming role, permission and table", async () => {
      checkUnauthorized(await failure(session.execute(`SELECT * FROM ${KS}.forbidden`)), /SELECT/);
    });

    it("SELECT with values (PREPARE + EXECUTE) → UnauthorizedError", async () => {
      const e = await failure(session.execute(`SELECT v FROM ${KS}.forbidden WHERE id = ?`, [1]));
      checkUnauthorized(e, /SELECT/);
    });

    it("INSERT → UnauthorizedError (MODIFY)", async () => {
      const e = await failure(
        session.execute(`INSERT INTO ${KS}.forbidden (id, v) VALUES (?, ?)`, [2, "x"]),
      );
      checkUnauthorized(e, /MODIFY/);
    });

    it("a BATCH touching the forbidden table → UnauthorizedError, nothing written", async () => {
      const b = new Batch("logged")
        .appendStatement(`INSERT INTO ${KS}.allowed (id, v) VALUES (?, ?)`)
        .appendStatement(`INSERT INTO ${KS}.forbidden (id, v) VALUES (?, ?)`);
      checkUnauthorized(await failure(session.batch(b, [[50, "a"], [50, "b"]])), /MODIFY/);
      const rs = await admin.execute(`SELECT id FROM ${KS}.allowed WHERE id = 50`);
      assert.equal(rs.length, 0, "half of a refused batch was applied");
    });

    it("DROP TABLE → UnauthorizedError; the table is still there", async () => {
      const e = await failure(session.execute(`DROP TABLE ${KS}.forbidden`));
      checkUnauthorized(e, /DROP/);
      const rs = await admin.execute(`SELECT v FROM ${KS}.forbidden WHERE id = 1`);
      assert.equal(rs.singleRow().get("v"), "top secret");
    });

    it("the session keeps working for the granted table after refusals", async () => {
      await session.execute(`INSERT INTO ${KS}.allowed (id, v) VALUES (7, 'still ok')`);
      const rs = await session.execute(`SELECT v FROM ${KS}.allowed WHERE id = 7`);
      assert.equal(rs.singleRow().get(0), "still ok");
    });
  });
});
