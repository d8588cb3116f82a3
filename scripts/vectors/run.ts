/**
 * Runs `SegmentVectors.java` and `MessageVectors.java` against Cassandra's jars
 * (resolved by `scripts/db.ts jars`):
 *
 * ```sh
 * deno run -A scripts/vectors/run.ts generate   # rewrites tests/unit/vectors/{segments,v5_messages}.json
 * deno run -A scripts/vectors/run.ts verify     # Cassandra's decoders read OUR encoder's output
 * ```
 * `verify` encodes every vector input, and packing cases (many small envelopes,
 * a 300 KiB envelope among small ones, LZ4 on compressible envelopes), with
 * `SegmentEncoder`, then has `FrameDecoderCrc` / `FrameDecoderLZ4` decode them
 * and compare payloads and self-contained flags. Our LZ4 compressor does not
 * produce lz4-java's bytes for every input, so this is what shows the server
 * can read what we compress.
 * @module
 */

import { ensureJars } from "../lib/jars.ts";
import { Writer } from "../../src/wire/bytes.ts";
import { SegmentDecoder, SegmentEncoder } from "../../src/wire/segment/mod.ts";
import { type Compression, envelope, input, loadVectors } from "../../tests/unit/vectors/inputs.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const CLASSES = "/tmp/rsylla-segvec";
const VECTORS = "tests/unit/vectors";
/** What Cassandra's own launcher opens for Java 17; its buffer pool needs them. */
const JVM_FLAGS = [
  "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
  "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
  "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
  "--add-opens=java.base/java.nio=ALL-UNNAMED",
  "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
  "-Dio.netty.tryReflectionSetAccessible=true",
  "-Dlogback.configurationFile=/dev/null",
];

async function run(cmd: string, args: string[]): Promise<void> {
  const { code, stdout, stderr } = await new Deno.Command(cmd, { args, cwd: ROOT }).output();
  // Cassandra's logback writes DEBUG/INFO lines to stdout: keep only the program's own.
  const out = new TextDecoder().decode(stdout).split("\n").filter((l) => !/ (DEBUG|INFO) /.test(l));
  if (out.join("").trim()) console.log(out.join("\n").trim());
  if (code !== 0) {
    const err = new TextDecoder().decode(stderr).split("\n").filter((l) => !/DEBUG|INFO/.test(l));
    throw new Error(`${cmd} exited with ${code}:\n${err.slice(-30).join("\n")}`);
  }
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/** A stream our encoder made, with the payloads our decoder reads back from it. */
function streamCase(compression: Compression, wire: Uint8Array): string {
  const payloads: string[] = [];
  const flags: boolean[] = [];
  new SegmentDecoder((buf, start, end, sc) => {
    payloads.push(hex(buf.subarray(start, end)));
    flags.push(sc);
  }, compression).push(wire);
  return `{"compression": "${compression ?? "none"}", "stream": "${hex(wire)}", "payloads": [${
    payloads.map((p) => `"${p}"`).join(", ")
  }], "selfContained": [${flags.join(", ")}]}`;
}

function ours(): string {
  const cases: string[] = [];
  const vectors = loadVectors();
  for (const compression of [null, "lz4"] as const) {
    const enc = new SegmentEncoder({ compression });
    for (const v of vectors.vectors) {
      const bytes = input(v.input);
      const w = new Writer(64);
      for (const s of v.segments) enc.writeSegment(w, bytes, s.from, s.to, s.selfContained);
      cases.push(streamCase(compression, w.toBytes()));
    }
    // Packing: 2 000 small envelopes of assorted sizes (several segments), then a
    // 300 KiB envelope between small ones, then compressible envelopes.
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 2000; i++) parts.push(envelope(i & 0x7fff, 7, i, (i * 37) % 300));
    parts.push(envelope(1, 7, 1, 300 * 1024));
    for (let i = 0; i < 5; i++) parts.push(envelope(i, 10, i, 50));
    const text = new TextEncoder().encode("SELECT v FROM ks.t WHERE k = ? ".repeat(200));
    for (let i = 0; i < 50; i++) {
      const e = envelope(i, 7, i, text.length);
      e.set(text, 9);
      parts.push(e);
    }
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    cases.push(streamCase(compression, enc.encode(all)));
  }
  return cases.join(",\n");
}

async function main(): Promise<void> {
  const mode = Deno.args[0];
  if (mode !== "generate" && mode !== "verify") {
    console.error("usage: deno run -A scripts/vectors/run.ts generate|verify");
    Deno.exit(2);
  }
  const lib = await ensureJars();
  const cp = `${CLASSES}:${lib}/*`;
  await Deno.remove(CLASSES, { recursive: true }).catch(() => {});
  const sources = ["scripts/vectors/SegmentVectors.java", "scripts/vectors/MessageVectors.java"];
  await run("javac", ["-cp", `${lib}/*`, "-d", CLASSES, ...sources]);
  const segments = "org.apache.cassandra.net.SegmentVectors";
  if (mode === "generate") {
    await run("java", [...JVM_FLAGS, "-cp", cp, segments, "generate", `${VECTORS}/segments.json`]);
    const messages = "org.apache.cassandra.transport.MessageVectors";
    await run("java", [...JVM_FLAGS, "-cp", cp, messages, `${VECTORS}/v5_messages.json`]);
    console.log(`wrote ${VECTORS}/segments.json and ${VECTORS}/v5_messages.json`);
    return;
  }
  const file = "/tmp/rsylla-segments-ours.json";
  await Deno.writeTextFile(file, `[\n${ours()}\n]\n`);
  await run("java", [...JVM_FLAGS, "-cp", cp, segments, "verify", file]);
}

await main();
