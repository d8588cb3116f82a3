// Runs worker.js in workerd through miniflare's API, calls it over HTTP and prints the answer.
import { Miniflare } from "miniflare";
import { readFileSync } from "node:fs";

const host = process.argv[2];
const mf = new Miniflare({
  // Listed explicitly: miniflare's import scan would refuse the driver's lazy `import("node:net")`
  // (never reached in a Worker) unless the nodejs_compat flag is on.
  modules: [{ type: "ESModule", path: "worker.js", contents: readFileSync("worker.js", "utf8") }],
  compatibilityDate: "2025-01-01",
});
try {
  const url = await mf.ready;
  const res = await fetch(new URL(`/?host=${encodeURIComponent(host)}`, url));
  console.log(JSON.stringify({ status: res.status, url: String(url), body: await res.json() }));
} finally {
  await mf.dispose();
}
