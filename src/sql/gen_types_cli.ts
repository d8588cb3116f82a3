/**
 * The `gen-types` command, runtime-neutral: parses its arguments, reads a
 * keyspace's `system_schema` rows through a session and writes the module from
 * `generateTypes`. `scripts/gen_types.ts` (Deno) and the npm `bin`
 * (`rsylla-gen-types`, Node and Bun) give it the arguments and file I/O.
 * @module
 */

import { SessionBuilder } from "../session_builder.ts";
import { generateTypes, type SchemaColumnRow, type SchemaTypeRow } from "./gen_types.ts";

/** What the command needs from its runtime. */
export interface GenTypesIo {
  /** Writes a whole file. */
  writeFile(path: string, text: string): Promise<void>;
  /** Prints to standard output (the module when `--out` is absent). */
  stdout(text: string): void;
  /** Prints a diagnostic. */
  stderr(text: string): void;
}

/** Parsed `gen-types` options. */
export interface GenTypesOptions {
  /** Keyspace to describe. */
  keyspace: string;
  /** Contact points, `host:port`. */
  hosts: string[];
  /** Output file, or `null` for standard output. */
  out: string | null;
  /** `--user` / `--password`, when given. */
  credentials: { user: string; password: string } | null;
}

/** Usage text of the command. */
export const GEN_TYPES_USAGE =
  "usage: gen-types --keyspace KS [--hosts 127.0.0.1:9042[,host:port…]] [--out file.ts] " +
  "[--user U --password P]";

/**
 * Parses `--keyspace ks [--hosts h:p,…] [--out file] [--user u --password p]`
 * (also `--flag=value`).
 * @throws {TypeError} a missing keyspace, an unknown flag or a flag without value
 */
export function parseGenTypesArgs(args: readonly string[]): GenTypesOptions {
  const opts: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const m = /^--(keyspace|hosts|out|user|password)(?:=(.*))?$/.exec(a);
    if (m === null) throw new TypeError(`unknown argument ${a}; ${GEN_TYPES_USAGE}`);
    const value = m[2] ?? args[++i];
    if (value === undefined || value === "") throw new TypeError(`--${m[1]} needs a value`);
    opts[m[1]] = value;
  }
  if (opts.keyspace === undefined) {
    throw new TypeError(`--keyspace is required; ${GEN_TYPES_USAGE}`);
  }
  if ((opts.user === undefined) !== (opts.password === undefined)) {
    throw new TypeError("--user and --password go together");
  }
  return {
    keyspace: opts.keyspace,
    hosts: (opts.hosts ?? "127.0.0.1:9042").split(",").map((h) => h.trim()).filter((h) => h),
    out: opts.out ?? null,
    credentials: opts.user === undefined ? null : { user: opts.user, password: opts.password },
  };
}

/**
 * Runs the command; resolves with its exit code (0 ok, 1 failure, 2 usage).
 * @example
 * ```ts ignore
 * await runGenTypes(["--keyspace", "ks", "--out", "ks_types.ts"], io);
 * ```
 */
export async function runGenTypes(args: readonly string[], io: GenTypesIo): Promise<number> {
  let opts: GenTypesOptions;
  try {
    opts = parseGenTypesArgs(args);
  } catch (e) {
    io.stderr((e as Error).message);
    return 2;
  }
  const builder = new SessionBuilder().knownNodes(opts.hosts);
  if (opts.credentials) builder.user(opts.credentials.user, opts.credentials.password);
  try {
    const session = await builder.build();
    try {
      const text = await keyspaceTypes(session, opts.keyspace);
      if (opts.out === null) io.stdout(text);
      else {
        await io.writeFile(opts.out, text);
        io.stderr(`gen-types: wrote ${opts.out}`);
      }
      return 0;
    } finally {
      await session.close();
    }
  } catch (e) {
    io.stderr(`gen-types: ${(e as Error).message}`);
    return 1;
  }
}

/**
 * Reads a keyspace's tables and UDTs from `system_schema` and returns the module text.
 * @throws {TypeError} the keyspace does not exist
 */
export async function keyspaceTypes(
  session: { execute(cql: string, values?: readonly unknown[]): Promise<{ rowsTyped<T>(): T[] }> },
  keyspace: string,
): Promise<string> {
  const ks = await session.execute(
    "SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?",
    [keyspace],
  );
  if (ks.rowsTyped().length === 0) throw new TypeError(`keyspace ${keyspace} does not exist`);
  const columns = (await session.execute(
    "SELECT table_name, column_name, kind, position, type FROM system_schema.columns " +
      "WHERE keyspace_name = ?",
    [keyspace],
  )).rowsTyped<SchemaColumnRow>();
  const types = (await session.execute(
    "SELECT type_name, field_names, field_types FROM system_schema.types WHERE keyspace_name = ?",
    [keyspace],
  )).rowsTyped<SchemaTypeRow>();
  return generateTypes(keyspace, columns, types);
}
