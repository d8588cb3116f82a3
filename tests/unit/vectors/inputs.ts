/**
 * Reads `segments.json` (made by Cassandra's own encoders, see
 * scripts/vectors/SegmentVectors.java) and rebuilds the inputs it describes
 * by name — `random`, `text`, `mixed`, `envelope` are generated here exactly
 * as the Java program generates them, so large inputs need not be stored.
 * Works under Deno and Bun (node:fs, node:url).
 * @module
 */

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Segment compression of a vector. */
export type Compression = "lz4" | null;

/** How an input is made. */
export type InputSpec =
  | { hex: string }
  | { random: { seed: number; length: number } }
  | { text: { length: number } }
  | { mixed: { seed: number; length: number } }
  | { envelope: { stream: number; opcode: number; seed: number; bodyLength: number } };

/** One segment of a vector, as Cassandra wrote it. */
export interface VectorSegment {
  /** The input slice it carries. */
  from: number;
  to: number;
  selfContained: boolean;
  /** Header bytes (6, or 8 with LZ4). */
  header: string;
  /** The payload on the wire when it is not the input slice itself (compressed). */
  wire?: string;
  /** The CRC32 trailer. */
  trailer: string;
}

/** One input cut into segments by Cassandra's encoder. */
export interface Vector {
  name: string;
  compression: "none" | "lz4";
  input: InputSpec;
  segments: VectorSegment[];
}

/** The whole file. */
export interface Vectors {
  generator: string;
  crc24: { bytes: string; crc: number }[];
  crc32: { input: InputSpec; crc: number }[];
  vectors: Vector[];
}

/** Parses `segments.json` next to this file. */
export function loadVectors(): Vectors {
  const path = fileURLToPath(new URL("./segments.json", import.meta.url));
  return JSON.parse(readFileSync(path, "utf8")) as Vectors;
}

/** Hex text to bytes. */
export function unhex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Bytes to hex text. */
export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** The Java program's LCG: 31-bit state, byte = bits 16..23 of each new state. */
export function random(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    out[i] = s >>> 16;
  }
  return out;
}

/** A CQL-ish line repeated: very compressible. */
export function text(length: number): Uint8Array {
  const unit = new TextEncoder().encode("SELECT v FROM ks.t WHERE k = ? ");
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = unit[i % unit.length];
  return out;
}

/** {@link text} with every 7th byte random: short, irregular LZ4 matches. */
export function mixed(seed: number, length: number): Uint8Array {
  const t = text(length), r = random(seed, length);
  for (let i = 0; i < length; i += 7) t[i] = r[i];
  return t;
}

/** A v5 request envelope with a random body. */
export function envelope(stream: number, opcode: number, seed: number, bodyLength: number) {
  const out = new Uint8Array(9 + bodyLength);
  out.set([5, 0, stream >> 8, stream & 0xff, opcode]);
  new DataView(out.buffer).setUint32(5, bodyLength);
  out.set(random(seed, bodyLength), 9);
  return out;
}

/** The bytes an {@link InputSpec} describes. */
export function input(spec: InputSpec): Uint8Array {
  if ("hex" in spec) return unhex(spec.hex);
  if ("random" in spec) return random(spec.random.seed, spec.random.length);
  if ("text" in spec) return text(spec.text.length);
  if ("mixed" in spec) return mixed(spec.mixed.seed, spec.mixed.length);
  const e = spec.envelope;
  return envelope(e.stream, e.opcode, e.seed, e.bodyLength);
}

/** Cassandra's bytes for a vector: header, payload (as sent) and trailer of each segment. */
export function expectedWire(v: Vector, bytes: Uint8Array = input(v.input)): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const s of v.segments) {
    parts.push(unhex(s.header), s.wire ? unhex(s.wire) : bytes.subarray(s.from, s.to));
    parts.push(unhex(s.trailer));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
