/**
 * `deno task soak`: 1 000 000 prepared requests at concurrency 256 against the
 * local node, on Deno and Bun (`--runtime deno|bun|both`, default both). Prints
 * heap and RSS every 10 s, the first and last samples after warm-up, and
 * checks that the process exits by itself after `close()`.
 *
 * Options via env: SOAK_REQUESTS, SOAK_CONCURRENCY, SOAK_SAMPLE_MS, CQL_HOSTS.
 * @module
 */

import { ensureDependencies } from "./lib/deps.ts";
import { REPO_ROOT } from "./lib/paths.ts";

const EXIT_GRACE_MS = 5000;
const arg = Deno.args.indexOf("--runtime");
const which = arg >= 0 ? Deno.args[arg + 1] : "both";
const runtimes = which === "both" ? ["deno", "bun"] : [which];

await ensureDependencies();
if (!Deno.env.get("CQL_HOSTS")) {
  const up = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${REPO_ROOT}/scripts/db.ts`, "up"],
    stdout: "inherit",
    stderr: "inherit",
  }).spawn().status;
  if (!up.success) Deno.exit(1);
}

let failures = 0;
for (const rt of runtimes) {
  const cmd = rt === "deno"
    ? [Deno.execPath(), "run", "-A", `${REPO_ROOT}/scripts/soak/worker.ts`]
    : [`${REPO_ROOT}/node_modules/.bin/bun`, `${REPO_ROOT}/scripts/soak/worker.ts`];
  console.log(`\n== soak on ${rt}`);
  const child = new Deno.Command(cmd[0], { args: cmd.slice(1), stdout: "piped", stderr: "inherit" })
    .spawn();
  const samples: string[] = [];
  let closedAt = 0;
  const exit = child.status;
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += value;
    let nl;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      console.log(line);
      if (line.startsWith("sample ")) samples.push(line);
      if (line === "closed") closedAt = performance.now();
    }
  }
  const timeout = new Promise<"hung">((r) => setTimeout(() => r("hung"), EXIT_GRACE_MS));
  const ended = await Promise.race([exit, timeout]);
  if (ended === "hung") {
    console.log(
      `FAIL: ${rt} did not exit within ${EXIT_GRACE_MS} ms of close(): something was left behind`,
    );
    child.kill("SIGKILL");
    failures++;
  } else {
    const after = closedAt ? `${Math.round(performance.now() - closedAt)} ms after close()` : "";
    console.log(`${rt} exited with code ${ended.code} ${after}`);
    if (ended.code !== 0 || closedAt === 0) failures++;
  }
  // The first sample after warm-up (second one) against the last.
  if (samples.length >= 3) {
    console.log(`${rt} after warm-up: ${samples[1]}`);
    console.log(`${rt} at the end:    ${samples[samples.length - 1]}`);
  }
}
Deno.exit(failures === 0 ? 0 : 1);
