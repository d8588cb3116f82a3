/**
 * Throwaway TLS material for test nodes, made with the `openssl` CLI: one CA, one server
 * certificate per node IP (SAN `IP:<ip>`, `IP:127.0.0.1`, `DNS:localhost`) and one client
 * certificate for mutual-TLS tests, all under `.rsylla/tls/`. Kept across node restarts so test
 * processes can keep pointing at the same `ca.pem`.
 * @module
 */

import { exists, TLS_DIR, withLock } from "./paths.ts";

/** Absolute paths of the PEM files a node and its clients need. */
export interface TlsFiles {
  ca: string;
  /** Server private key (PKCS#8) followed by its certificate, as PEMBasedSslContextFactory wants. */
  serverKeystore: string;
  clientCert: string;
  clientKey: string;
}

async function openssl(args: string[]): Promise<void> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("openssl", {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    })
      .output();
  } catch (e) {
    throw new Error(`cannot run openssl (is it installed?): ${(e as Error).message}`);
  }
  if (!out.success) {
    throw new Error(`openssl ${args[0]} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
}

function serial(): string {
  const b = crypto.getRandomValues(new Uint8Array(8));
  b[0] &= 0x7f;
  return "0x" + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** Signs a fresh key's certificate with the CA; `ext` is an x509v3 extension file body. */
async function issue(name: string, subject: string, ext: string): Promise<void> {
  const d = TLS_DIR;
  await openssl([
    "genpkey",
    "-algorithm",
    "RSA",
    "-pkeyopt",
    "rsa_keygen_bits:2048",
    "-out",
    `${d}/${name}.key`,
  ]);
  await openssl([
    "req",
    "-new",
    "-key",
    `${d}/${name}.key`,
    "-subj",
    subject,
    "-out",
    `${d}/${name}.csr`,
  ]);
  await Deno.writeTextFile(`${d}/${name}.ext`, ext);
  await openssl([
    "x509",
    "-req",
    "-in",
    `${d}/${name}.csr`,
    "-CA",
    `${d}/ca.pem`,
    "-CAkey",
    `${d}/ca.key`,
    "-set_serial",
    serial(),
    "-days",
    "3650",
    "-sha256",
    "-extfile",
    `${d}/${name}.ext`,
    "-out",
    `${d}/${name}.pem`,
  ]);
  await Deno.remove(`${d}/${name}.csr`);
  await Deno.remove(`${d}/${name}.ext`);
}

/** Creates whatever of the CA, client and `ip`'s server material is missing; returns paths. */
export async function ensureTls(ip: string): Promise<TlsFiles> {
  const d = TLS_DIR;
  const files: TlsFiles = {
    ca: `${d}/ca.pem`,
    serverKeystore: `${d}/server-${ip}.keystore.pem`,
    clientCert: `${d}/client.pem`,
    clientKey: `${d}/client.key`,
  };
  await Deno.mkdir(d, { recursive: true });
  await withLock(`${d}/.lock`, async () => {
    if (!(await exists(`${d}/ca.pem`)) || !(await exists(`${d}/ca.key`))) {
      // A new CA invalidates every certificate signed by the old one.
      for await (const e of Deno.readDir(d)) {
        if (e.name !== ".lock") await Deno.remove(`${d}/${e.name}`);
      }
      await openssl([
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        `${d}/ca.key`,
        "-out",
        `${d}/ca.pem`,
        "-days",
        "3650",
        "-sha256",
        "-subj",
        "/CN=rsylla test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
      ]);
    }
    if (!(await exists(files.clientCert)) || !(await exists(files.clientKey))) {
      await issue(
        "client",
        "/CN=rsylla-client",
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n" +
          "extendedKeyUsage=clientAuth\n",
      );
    }
    if (!(await exists(files.serverKeystore))) {
      const sans = [...new Set([`IP:${ip}`, "IP:127.0.0.1", "DNS:localhost"])].join(",");
      await issue(
        `server-${ip}`,
        `/CN=${ip}`,
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n" +
          `extendedKeyUsage=serverAuth\nsubjectAltName=${sans}\n`,
      );
      const key = await Deno.readTextFile(`${d}/server-${ip}.key`);
      const cert = await Deno.readTextFile(`${d}/server-${ip}.pem`);
      await Deno.writeTextFile(files.serverKeystore, key + cert);
    }
  }, 60_000);
  return files;
}
