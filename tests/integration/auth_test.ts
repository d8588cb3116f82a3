// Authentication and authorization against the secure node (PasswordAuthenticator,
// CassandraAuthorizer, optional client TLS): good and bad credentials, passwords kept out of
// every message, and permission errors.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  AuthenticationError,
  type LogEvent,
  ScyllaError,
  type Session,
  UnauthorizedError,
} from "../../mod.ts";
import { secureCredentials, secureHosts, tlsFiles } from "./env.ts";
import {
  connect,
  createKeyspace,
  dropKeyspace,
  eventually,
  newBuilder,
  secureBuilder,
  uniqueKeyspace,
} from "./helpers.ts";

const KS = uniqueKeyspace("auth");
const ROLE = `${KS}_reader`;
const ROLE_PASSWORD = "p@ss:wörd 🔑 'quoted'";
const WRONG = "Wr0ng-Pa55word-xyzzy";

function checkAuthError(password: string | null) {
  return (e: unknown) => {
    assert.ok(e instanceof AuthenticationError, `expected AuthenticationError, got ${e}`);
    assert.ok(e instanceof ScyllaError);
    assert.ok(e.message.length > 0);
    if (password !== null) {
      for (const text of [e.message, String(e), e.stack ?? "", JSON.stringify(e)]) {
        assert.ok(!text.includes(password), `the password leaks: ${text}`);
      }
      const cause = (e as { cause?: unknown }).cause;
      if (cause !== undefined) assert.ok(!String(cause).includes(password));
    }
    return true;
  };
}

describe("authentication", () => {
  let admin: Session;

  before(async () => {
    admin = await connect(secureBuilder());
    await createKeyspace(admin, KS);
    await admin.execute(`CREATE TABLE ${KS}.secret (id int PRIMARY KEY, v text)`);
    await admin.execute(`INSERT INTO ${KS}.secret (id, v) VALUES (1, 'classified')`);
    await admin.execute(
      `CREATE ROLE ${ROLE} WITH PASSWORD = '${
        ROLE_PASSWORD.replaceAll("'", "''")
      }' AND LOGIN = true`,
    );
  });

  after(async () => {
    try {
      await admin?.execute(`DROP ROLE IF EXISTS ${ROLE}`);
    } catch {
      // cleanup only
    }
    await dropKeyspace(admin, KS);
    await admin?.close();
  });

  it("the superuser's credentials work", async () => {
    const row = (await admin.execute("SELECT role FROM system_auth.roles WHERE role = ?", [
      secureCredentials().user,
    ])).singleRow();
    assert.equal(row.get("role"), secureCredentials().user);
    const rs = await admin.execute(`SELECT v FROM ${KS}.secret WHERE id = 1`);
    assert.equal(rs.singleRow().get(0), "classified");
  });

  it("the superuser's credentials work over verified TLS", async () => {
    const ca = readFileSync(tlsFiles().ca, "utf8");
    const s = await connect(secureBuilder().tls({ ca }).useKeyspace(KS, false));
    try {
      assert.equal(
        (await s.execute("SELECT v FROM secret WHERE id = 1")).singleRow().get(0),
        "classified",
      );
      const clients = await admin.execute(
        "SELECT keyspace_name, ssl_enabled, username FROM system_views.clients",
      );
      const mine = clients.rows().filter((r) => r.get("keyspace_name") === KS);
      assert.ok(mine.length > 0);
      for (const r of mine) {
        assert.equal(r.get("ssl_enabled"), true);
        assert.equal(r.get("username"), secureCredentials().user);
      }
    } finally {
      await s.close();
    }
  });

  for (const name of ["localhost", "the node's IP address"]) {
    it(`TLS verifies the node's certificate against serverName ${name}`, async () => {
      const ca = readFileSync(tlsFiles().ca, "utf8");
      const ip = secureHosts()[0].replace(/:\d+$/, "");
      const serverName = name === "localhost" ? name : ip;
      const s = await connect(secureBuilder().tls({ ca, serverName }));
      try {
        assert.equal((await s.execute("SELECT key FROM system.local")).singleRow().get(0), "local");
      } finally {
        await s.close();
      }
      // A name the certificate does not carry is refused.
      await assert.rejects(
        secureBuilder().tls({ ca, serverName: "not-the-node.example" }).connectionTimeout(3000)
          .build(),
        (e: unknown) =>
          e instanceof ScyllaError && /certificate|altname|hostname|name/i.test(String(e)),
      );
    });
  }

  it("a wrong password is an AuthenticationError that never shows the password", async () => {
    const events: LogEvent[] = [];
    const b = newBuilder().knownNodes(secureHosts()).user(secureCredentials().user, WRONG)
      .logger((e) => events.push(e));
    assert.ok(!String(b).includes(WRONG));
    assert.ok(!JSON.stringify(b).includes(WRONG));
    await assert.rejects(b.build(), (e: unknown) => {
      checkAuthError(WRONG)(e);
      assert.equal((e as ScyllaError).code, 0x0100);
      assert.match((e as Error).message, new RegExp(secureCredentials().user));
      return true;
    });
    for (const e of events) assert.ok(!JSON.stringify(e).includes(WRONG), JSON.stringify(e));
  });

  it("an unknown user is an AuthenticationError", async () => {
    const b = newBuilder().knownNodes(secureHosts()).user(`${KS}_nobody`, WRONG);
    await assert.rejects(b.build(), checkAuthError(WRONG));
  });

  it("no credentials is an AuthenticationError that says so", async () => {
    await assert.rejects(newBuilder().knownNodes(secureHosts()).build(), (e: unknown) => {
      checkAuthError(null)(e);
      assert.match((e as Error).message, /authenticat|credentials|user/i);
      return true;
    });
  });

  it("a role without permissions gets UnauthorizedError, and access once granted", async () => {
    const s = await connect(
      newBuilder().knownNodes(secureHosts()).user(ROLE, ROLE_PASSWORD),
    );
    try {
      await assert.rejects(s.execute(`SELECT * FROM ${KS}.secret`), (e: unknown) => {
        assert.ok(e instanceof UnauthorizedError, `got ${e}`);
        assert.ok(e instanceof ScyllaError);
        assert.equal(e.code, 0x2100);
        assert.match(e.message, new RegExp(ROLE));
        assert.ok(!e.message.includes(ROLE_PASSWORD));
        return true;
      });
      await assert.rejects(
        s.execute(`INSERT INTO ${KS}.secret (id, v) VALUES (?, ?)`, [2, "x"]),
        UnauthorizedError,
      );
      await admin.execute(`GRANT SELECT ON ${KS}.secret TO ${ROLE}`);
      // Permissions are cached by the node for a moment.
      const row = await eventually("the granted SELECT", async () => {
        try {
          return (await s.execute(`SELECT v FROM ${KS}.secret WHERE id = 1`)).singleRow();
        } catch (e) {
          if (e instanceof UnauthorizedError) return undefined;
          throw e;
        }
      });
      assert.equal(row.get("v"), "classified");
      await assert.rejects(
        s.execute(`INSERT INTO ${KS}.secret (id, v) VALUES (2, 'x')`),
        UnauthorizedError,
      );
    } finally {
      await s.close();
    }
  });
});
