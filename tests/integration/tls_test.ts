// TLS against real nodes, plus a SIMULATED TLS server for the certificates a real node cannot
// be given cheaply (expired, not yet valid, wrong name).
//
// - The secure node (`CQL_SECURE_HOSTS`, PasswordAuthenticator, optional client TLS) serves a
//   certificate of the test CA (`CQL_TLS_CA`) for its IP, 127.0.0.1 and localhost.
// - The mutual-TLS node (`CQL_MTLS_HOSTS`, default 127.0.0.5:9042; started with
//   `deno run -A scripts/db.ts up --auth --mtls --name mtls --ip 127.0.0.5`) requires a client
//   certificate of the test CA.
// - The "TLS front" is a SIMULATION, not a database: an in-process `node:tls` server with a
//   throwaway certificate made at test time, which forwards the decrypted bytes to the secure
//   node's plaintext port (the nodes accept both). It only connects upstream once a TLS
//   handshake has completed, so it also tells whether any CQL got through.
//
// Certificates made here (openssl, in a temp dir): a "sim CA", an unrelated CA, and server
// certificates that are valid, expired, not yet valid, or for another name.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConnectionError, ScyllaError, type Session, type SessionBuilder } from "../../mod.ts";
import { hostPort, secureCredentials, secureHosts, tlsFiles } from "./env.ts";
import { createKeyspace, dropKeyspace, newBuilder, uniqueKeyspace } from "./helpers.ts";

const isDeno = "Deno" in globalThis;

/** The mutual-TLS node: `CQL_MTLS_HOSTS`, else 127.0.0.5:9042. */
function mtlsHosts(): string[] {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  const v = g.process?.env?.CQL_MTLS_HOSTS ?? g.Deno?.env.get("CQL_MTLS_HOSTS");
  return (v || "127.0.0.5:9042").split(",").map((s: string) => s.trim()).filter(Boolean);
}

// ─── throwaway certificates ───

interface Pems {
  simCa: string;
  otherCa: string;
  serverKey: string;
  valid: string;
  expired: string;
  notYetValid: string;
  wrongName: string;
  intruderCert: string;
  intruderKey: string;
}

function openssl(dir: string, args: string[]): void {
  try {
    execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: Uint8Array; message: string };
    throw new Error(
      `openssl ${args[0]} failed: ${
        err.stderr ? new TextDecoder().decode(err.stderr) : err.message
      }`,
    );
  }
}

/** Makes every certificate the simulated server and the negative tests need (EC keys: fast). */
function makeCertificates(dir: string): Pems {
  const ca = (name: string, cn: string) =>
    openssl(dir, [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.pem`,
      "-days",
      "2",
      "-subj",
      `/CN=${cn}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
  const key = (name: string) =>
    openssl(dir, [
      "genpkey",
      "-algorithm",
      "EC",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-out",
      `${name}.key`,
    ]);
  ca("simca", "rsylla test: simulated server CA");
  ca("otherca", "rsylla test: unrelated CA");
  key("server");
  key("intruder");
  openssl(dir, ["req", "-new", "-key", "server.key", "-subj", "/CN=sim", "-out", "server.csr"]);
  openssl(dir, ["req", "-new", "-key", "intruder.key", "-subj", "/CN=intruder", "-out", "in.csr"]);
  const usage = "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n";
  writeFileSync(
    join(dir, "server.ext"),
    `${usage}extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n`,
  );
  writeFileSync(
    join(dir, "wrong.ext"),
    `${usage}extendedKeyUsage=serverAuth\nsubjectAltName=DNS:other.example\n`,
  );
  writeFileSync(join(dir, "client.ext"), `${usage}extendedKeyUsage=clientAuth\n`);
  // `openssl ca` is what can set explicit validity dates (x509 -days cannot go backwards).
  writeFileSync(join(dir, "index.txt"), "");
  writeFileSync(join(dir, "serial"), "1000\n");
  writeFileSync(
    join(dir, "ca.cnf"),
    `[ca]\ndefault_ca = sim\n[sim]\ndatabase = ${join(dir, "index.txt")}\n` +
      `new_certs_dir = ${dir}\nserial = ${join(dir, "serial")}\ndefault_md = sha256\n` +
      "policy = any\nunique_subject = no\n[any]\ncommonName = supplied\n",
  );
  const sign = (out: string, ext: string, start: string, end: string, signer = "simca") =>
    openssl(dir, [
      "ca",
      "-batch",
      "-config",
      "ca.cnf",
      "-cert",
      `${signer}.pem`,
      "-keyfile",
      `${signer}.key`,
      "-in",
      signer === "simca" ? "server.csr" : "in.csr",
      "-out",
      out,
      "-startdate",
      start,
      "-enddate",
      end,
      "-extfile",
      ext,
      "-notext",
    ]);
  const now = new Date();
  const stamp = (d: Date) => d.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";
  const yesterday = stamp(new Date(now.getTime() - 86_400_000));
  const tomorrow = stamp(new Date(now.getTime() + 86_400_000));
  sign("valid.pem", "server.ext", yesterday, tomorrow);
  sign("expired.pem", "server.ext", "20200101000000Z", "20200201000000Z");
  sign("notyet.pem", "server.ext", "20990101000000Z", "20991231000000Z");
  sign("wrongname.pem", "wrong.ext", yesterday, tomorrow);
  sign("intruder.pem", "client.ext", yesterday, tomorrow, "otherca");
  const read = (f: string) => readFileSync(join(dir, f), "utf8");
  return {
    simCa: read("simca.pem"),
    otherCa: read("otherca.pem"),
    serverKey: read("server.key"),
    valid: read("valid.pem"),
    expired: read("expired.pem"),
    notYetValid: read("notyet.pem"),
    wrongName: read("wrongname.pem"),
    intruderCert: read("intruder.pem"),
    intruderKey: read("intruder.key"),
  };
}

// ─── the simulated TLS server ───

/** SIMULATION: a TLS server on 127.0.0.1 forwarding to a node's plaintext port. */
class TlsFront {
  /** TLS handshakes the front completed (each forwards to the node). */
  handshakes = 0;
  /** Decrypted bytes received from clients. */
  bytesIn = 0;
  port = 0;
  #server: TlsServer;
  #sockets = new Set<Socket>();

  constructor(key: string, cert: string, upstream: { host: string; port: number }) {
    this.#server = createTlsServer({ key, cert }, (clear) => {
      this.handshakes++;
      const up = netConnect(upstream.port, upstream.host);
      this.#sockets.add(clear).add(up);
      clear.on("data", (b: Uint8Array) => {
        this.bytesIn += b.length;
        up.write(b);
      });
      up.on("data", (b: Uint8Array) => clear.write(b));
      const end = () => {
        clear.destroy();
        up.destroy();
      };
      for (const s of [clear, up]) {
        s.on("error", end);
        s.on("close", end);
      }
    });
    // A client that refuses the certificate aborts the handshake: expected here.
    this.#server.on("tlsClientError", () => {});
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(0, "127.0.0.1", () => resolve());
    });
    this.port = (this.#server.address() as { port: number }).port;
    return this;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

// ─── helpers ───

/** A builder for the secure node's superuser, with `tls` options. */
function superuser(contact: string | string[], tls: Parameters<SessionBuilder["tls"]>[0]) {
  const { user, password } = secureCredentials();
  return newBuilder().knownNodes(Array.isArray(contact) ? contact : [contact])
    .user(user, password).tls(tls).connectionTimeout(10_000);
}

async function releaseVersion(s: Session): Promise<string> {
  return (await s.execute("SELECT release_version FROM system.local")).singleRow()
    .get(0) as string;
}

/** Builds, runs one query, closes; resolves the release version. */
async function roundTrip(b: SessionBuilder): Promise<string> {
  const s = await b.build();
  try {
    return await releaseVersion(s);
  } finally {
    await s.close();
  }
}

/**
 * `build()` rejects with a `ConnectionError` whose message names `address` and matches
 * `why`, quickly (not by running into the 10 s connection timeout). Returns the error.
 */
async function refused(b: SessionBuilder, address: string, why: RegExp): Promise<ConnectionError> {
  const start = performance.now();
  let caught: unknown;
  try {
    const s = await b.build();
    await s.close();
  } catch (e) {
    caught = e;
  }
  const ms = performance.now() - start;
  assert.ok(caught !== undefined, "the connection was accepted");
  assert.ok(caught instanceof ConnectionError, `expected ConnectionError, got ${caught}`);
  assert.ok(caught instanceof ScyllaError);
  assert.equal(caught.name, "ConnectionError");
  assert.ok(caught.message.includes(address), `the message does not name ${address}: ${caught}`);
  assert.match(caught.message, why);
  assert.ok(ms < 8000, `the failure took ${Math.round(ms)} ms: it waited for a timeout`);
  return caught;
}

/** The `cause` chain of an error, outermost first. */
function causes(e: unknown): unknown[] {
  const out: unknown[] = [];
  for (let c = (e as { cause?: unknown })?.cause; c !== undefined && out.length < 8;) {
    out.push(c);
    c = (c as { cause?: unknown })?.cause;
  }
  return out;
}

// Made once, on first use, in a temp dir removed after the file's tests.
let certDir = "";
let pemsMade: Pems | undefined;
function pems(): Pems {
  if (pemsMade === undefined) {
    certDir = mkdtempSync(join(tmpdir(), "rsylla-tls-"));
    pemsMade = makeCertificates(certDir);
  }
  return pemsMade;
}
after(() => {
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

// Node's and Bun's node:tls wording, and Deno's (Deno.connectTls, rustls).
const EXPIRED = /certificate has expired|certificate expired/i;
const NOT_YET_VALID = /certificate is not yet valid|not valid before|NotValidYet/i;
const UNVERIFIED =
  /unable to verify the first certificate|unable to get local issuer|self.signed|UnknownIssuer/i;

describe("TLS: a verified connection to a real node", () => {
  const node = secureHosts()[0];
  const nodeIp = hostPort(node).host;
  let ca: string;

  before(() => {
    ca = readFileSync(tlsFiles().ca, "utf8");
  });

  it("CA given, IP contact point: the node's certificate carries the IP", async () => {
    assert.match(await roundTrip(superuser(node, { ca })), /^\d+\.\d+/);
  });

  it("every connection of the session really is TLS (system_views.clients)", async () => {
    const ks = uniqueKeyspace("tls");
    const admin = await superuser(node, { ca }).build();
    try {
      await createKeyspace(admin, ks);
      const s = await superuser(node, { ca }).useKeyspace(ks, false).poolSize(2).build();
      try {
        await s.execute("SELECT * FROM system.local");
        const rows = (await admin.execute(
          "SELECT keyspace_name, ssl_enabled, ssl_protocol, username FROM system_views.clients",
        )).rows().filter((r) => r.get("keyspace_name") === ks);
        assert.ok(rows.length >= 2, `only ${rows.length} connections found`);
        for (const r of rows) {
          assert.equal(r.get("ssl_enabled"), true);
          assert.match(String(r.get("ssl_protocol")), /^TLSv1\.[23]$/);
          assert.equal(r.get("username"), secureCredentials().user);
        }
      } finally {
        await s.close();
      }
    } finally {
      await dropKeyspace(admin, ks);
      await admin.close();
    }
  });

  it('serverName "localhost", a name the certificate carries, with an IP contact point', async () => {
    assert.match(await roundTrip(superuser(node, { ca, serverName: "localhost" })), /^\d/);
  });

  it(`serverName ${nodeIp} (an IP: verified against the IP entry, not sent as SNI)`, async () => {
    assert.match(await roundTrip(superuser(node, { ca, serverName: nodeIp })), /^\d/);
  });

  it("the CA as bytes, and as a list holding an unrelated CA first", async () => {
    const bytes = new TextEncoder().encode(ca);
    assert.match(await roundTrip(superuser(node, { ca: bytes })), /^\d/);
    const other = readFileSync(tlsFiles().ca); // a Buffer is a Uint8Array too
    assert.match(await roundTrip(superuser(node, { ca: [pems().otherCa, other] })), /^\d/);
  });
});

describe("TLS: a real node whose certificate cannot be verified", () => {
  const node = secureHosts()[0];

  it("wrong CA → ConnectionError saying the certificate could not be verified", async () => {
    await refused(superuser(node, { ca: pems().otherCa }), node, UNVERIFIED);
  });

  it("no CA (the runtime's public roots) → ConnectionError, unverified", async () => {
    await refused(superuser(node, {}), node, UNVERIFIED);
  });

  it("wrong serverName → ConnectionError naming the name and the certificate's names", async () => {
    const e = await refused(
      superuser(node, { ca: readFileSync(tlsFiles().ca, "utf8"), serverName: "wrong.example" }),
      node,
      /Hostname\/IP does not match certificate's altnames: Host: wrong\.example\. is not in the cert's altnames: .*DNS:localhost/,
    );
    assert.match(e.message, /IP Address:127\.0\.0\.1/);
  });

  it("rejectUnauthorized: false connects without a CA, but only when asked", async () => {
    await refused(superuser(node, {}), node, UNVERIFIED);
    await refused(superuser(node, { rejectUnauthorized: true }), node, UNVERIFIED);
    assert.match(await roundTrip(superuser(node, { rejectUnauthorized: false })), /^\d/);
    assert.match(
      await roundTrip(superuser(node, { ca: pems().otherCa, rejectUnauthorized: false })),
      /^\d/,
    );
  });
});

describe("TLS: SIMULATED TLS server (a TLS front to the real node), bad certificates", () => {
  const upstream = hostPort(secureHosts()[0]);
  const fronts: Record<"valid" | "expired" | "notYetValid" | "wrongName", TlsFront> = {} as never;

  before(async () => {
    for (const k of ["valid", "expired", "notYetValid", "wrongName"] as const) {
      fronts[k] = await new TlsFront(pems().serverKey, pems()[k], upstream).listen();
    }
  });
  after(async () => {
    for (const f of Object.values(fronts)) await f?.close();
  });

  it("control: the front with a valid certificate of the sim CA works", async () => {
    const f = fronts.valid;
    const before = f.handshakes;
    assert.match(await roundTrip(superuser(f.address, { ca: pems().simCa })), /^\d/);
    assert.ok(f.handshakes > before && f.bytesIn > 0, "the session did not go through the front");
  });

  // Deno's node:tls reports every verification failure as "unable to verify the first
  // certificate" (code UNABLE_TO_VERIFY_LEAF_SIGNATURE); Deno.connectTls would say
  // "certificate expired". BUG (reported): on Deno the message does not say why.
  const denoLosesReason = false;

  it("expired certificate → ConnectionError saying it expired; nothing sent", {
    skip: denoLosesReason,
  }, async () => {
    const f = fronts.expired;
    await refused(superuser(f.address, { ca: pems().simCa }), f.address, EXPIRED);
    assert.equal(f.handshakes, 0, "a TLS session was established");
    assert.equal(f.bytesIn, 0, "CQL bytes were sent to a server that failed verification");
  });

  it("expired certificate → refused on every runtime, nothing sent", async () => {
    const f = fronts.expired;
    await refused(
      superuser(f.address, { ca: pems().simCa }),
      f.address,
      EXPIRED,
    );
    assert.equal(f.handshakes, 0);
    assert.equal(f.bytesIn, 0);
  });

  it(
    "certificate not yet valid → ConnectionError saying so",
    { skip: denoLosesReason },
    async () => {
      const f = fronts.notYetValid;
      await refused(superuser(f.address, { ca: pems().simCa }), f.address, NOT_YET_VALID);
      assert.equal(f.bytesIn, 0);
    },
  );

  it("certificate for another name, IP contact point → ConnectionError naming the IP", async () => {
    const f = fronts.wrongName;
    await refused(
      superuser(f.address, { ca: pems().simCa }),
      f.address,
      isDeno
        ? /certificate not valid for name "127\.0\.0\.1"; certificate is only valid for DnsName\("other\.example"\)/
        : /Hostname\/IP does not match certificate's altnames: IP: 127\.0\.0\.1 is not in the cert's list/,
    );
    assert.equal(f.bytesIn, 0);
  });

  it("certificate for another name, serverName given → ConnectionError naming both", async () => {
    const f = fronts.wrongName;
    await refused(
      superuser(f.address, { ca: pems().simCa, serverName: "db.example" }),
      f.address,
      /Host: db\.example\. is not in the cert's altnames: DNS:other\.example/,
    );
    assert.equal(f.bytesIn, 0);
  });

  it("the right name for that certificate, as serverName, is accepted", async () => {
    const f = fronts.wrongName;
    const opts = { ca: pems().simCa, serverName: "other.example" };
    assert.match(await roundTrip(superuser(f.address, opts)), /^\d/);
  });

  it("rejectUnauthorized: false accepts the expired and the misnamed certificate", async () => {
    for (const f of [fronts.expired, fronts.wrongName]) {
      const opts = { ca: pems().simCa, rejectUnauthorized: false };
      assert.match(await roundTrip(superuser(f.address, opts)), /^\d/);
      assert.ok(f.handshakes > 0 && f.bytesIn > 0);
    }
  });

  // BUG (reported): build() wraps every contact point's failure in a new ConnectionError
  // ("could not connect to any contact point (…)") without a `cause`, so the TLS error
  // (with its `code`, e.g. CERT_HAS_EXPIRED or ERR_TLS_CERT_ALTNAME_INVALID) is lost.
  it("the ConnectionError's cause chain reaches the TLS error (and its code, on node:tls)", async () => {
    const f = fronts.wrongName;
    const e = await refused(
      superuser(f.address, { ca: pems().simCa }),
      f.address,
      /altnames|not valid for name/,
    );
    const chain = causes(e);
    assert.ok(chain.length > 0, "the ConnectionError has no cause");
    if (isDeno) {
      // Deno.connectTls errors carry no code; the innermost cause is its own TLS error.
      assert.match(String((chain[chain.length - 1] as Error).message), /not valid for name/);
      return;
    }
    // ScyllaErrors carry `code: null` (no CQL code): the TLS error is the one with a string code.
    const tlsError = chain.find((c) => typeof (c as { code?: unknown })?.code === "string") as
      | { code: string; message: string }
      | undefined;
    assert.ok(tlsError, `no error with a code in the chain: ${chain.map(String).join(" <- ")}`);
    assert.equal(tlsError.code, "ERR_TLS_CERT_ALTNAME_INVALID");
  });
});

describe("TLS: mutual TLS against a real node that requires client certificates", () => {
  const node = mtlsHosts()[0];
  let ca: string, cert: string, key: string;

  before(() => {
    const f = tlsFiles();
    ca = readFileSync(f.ca, "utf8");
    cert = readFileSync(f.clientCert, "utf8");
    key = readFileSync(f.clientKey, "utf8");
  });

  it("with the client certificate of the test CA: connects and queries", async () => {
    let version: string;
    try {
      version = await roundTrip(superuser(node, { ca, cert, key }));
    } catch (e) {
      throw new Error(
        `no mutual-TLS node at ${node}: start one with \`deno run -A scripts/db.ts up --auth ` +
          `--mtls --name mtls --ip ${hostPort(node).host}\` or set CQL_MTLS_HOSTS`,
        { cause: e },
      );
    }
    assert.match(version, /^\d/);
  });

  it("with certificate and key as bytes: connects", async () => {
    const enc = new TextEncoder();
    const opts = { ca, cert: enc.encode(cert), key: enc.encode(key) };
    assert.match(await roundTrip(superuser(node, opts)), /^\d/);
  });

  it("without a client certificate → ConnectionError saying one is required", async () => {
    await refused(superuser(node, { ca }), node, /certificate.?required/i);
  });

  it("with a certificate of a CA the node does not trust → ConnectionError", async () => {
    const e = await refused(
      superuser(node, { ca, cert: pems().intruderCert, key: pems().intruderKey }),
      node,
      /lost|alert|EPIPE|reset/i,
    );
    assert.ok(!e.message.includes("BEGIN"), "PEM material in the message");
  });

  // BUG (reported): on Deno, node:tls silently ignores a client certificate/key that is not
  // PEM, so the node then reports a *missing* certificate instead of the bad one.
  it("a malformed client key → ConnectionError about the key, not a missing certificate", {
    skip: isDeno ? "BUG on Deno: malformed cert/key silently dropped" : false,
  }, async () => {
    const e = await refused(
      superuser(node, { ca, cert: "not a certificate", key: "not a key" }),
      node,
      /PEM|start line|key/i,
    );
    assert.doesNotMatch(e.message, /required/i);
  });
});

describe("TLS: mismatched expectations fail fast and clearly", () => {
  it("TLS client to a plaintext-only server → ConnectionError, no hang", async () => {
    const { createServer } = await import("node:net");
    const plain = createServer((s) => {
      s.on("error", () => {});
      s.once("data", () => s.end("not TLS\n"));
    });
    await new Promise<void>((r) => plain.listen(0, "127.0.0.1", () => r()));
    const address = `127.0.0.1:${(plain.address() as { port: number }).port}`;
    try {
      await refused(
        superuser(address, { ca: pems().simCa }),
        address,
        /TLS|SSL|secure|socket|wrong version|packet|record|disconnected|reset|corrupt message/i,
      );
    } finally {
      await new Promise((r) => plain.close(r));
    }
  });

  it("plaintext client to a TLS-only server → a ScyllaError, no hang", async () => {
    const front = await new TlsFront(pems().serverKey, pems().valid, hostPort(secureHosts()[0]))
      .listen();
    try {
      const { user, password } = secureCredentials();
      const start = performance.now();
      let caught: unknown;
      try {
        const s = await newBuilder().knownNode(front.address).user(user, password)
          .connectionTimeout(5000).build();
        await s.close();
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof ScyllaError, `expected a ScyllaError, got ${caught}`);
      assert.ok(String(caught).includes(front.address), String(caught));
      assert.ok(performance.now() - start < 6000);
      assert.equal(front.bytesIn, 0);
    } finally {
      await front.close();
    }
  });

  // Suggestion (reported): a CA that is not PEM at all is accepted by the builder; Node then
  // fails with the misleading "unable to verify the first certificate" at connect time.
  it.skip('tls({ ca: "not a pem" }) is refused by the builder', () => {
    assert.throws(() => newBuilder().tls({ ca: "not a pem" }), TypeError);
  });
});
