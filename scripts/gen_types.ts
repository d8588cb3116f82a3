/**
 * Writes TypeScript row types for a keyspace's tables and user-defined types,
 * read from `system_schema` (`src/sql/gen_types_cli.ts` does the work).
 *
 * ```sh
 * deno task gen-types --keyspace ks [--hosts 127.0.0.1:9042] [--out ks_types.ts]
 * ```
 * @module
 */

import { runGenTypes } from "../src/sql/gen_types_cli.ts";

if (import.meta.main) {
  const code = await runGenTypes(Deno.args, {
    writeFile: (path, text) => Deno.writeTextFile(path, text),
    stdout: (text) => console.log(text),
    stderr: (text) => console.error(text),
  });
  Deno.exit(code);
}
