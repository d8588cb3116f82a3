/**
 * `deno task demo`: installs the npm packages if missing, starts a local node
 * if none answers on 127.0.0.1:9042, then runs the CRUD example, on this Deno,
 * so it works whichever `deno` runs the task.
 * @module
 */

import { ensureDependencies } from "./lib/deps.ts";
import { REPO_ROOT } from "./lib/paths.ts";

await ensureDependencies();
for (const script of ["scripts/db.ts", "examples/basic_crud.ts"]) {
  const args = [
    "run",
    "-A",
    `${REPO_ROOT}/${script}`,
    ...(script === "scripts/db.ts" ? ["up"] : []),
  ];
  const { code } = await new Deno.Command(Deno.execPath(), { args, cwd: REPO_ROOT, stdin: "null" })
    .spawn().status;
  if (code !== 0) Deno.exit(code);
}
