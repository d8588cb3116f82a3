/**
 * Helpers of `tests/unit/segment_test.ts`: build single segments, feed
 * streams in chunks and list what comes out, compare envelopes as text.
 * @module
 */

import assert from "node:assert/strict";
import { ProtocolError } from "../../../src/errors.ts";
import { Writer } from "../../../src/wire/bytes.ts";
import type { FrameHeader } from "../../../src/wire/frame.ts";
import {
  crc32,
  SegmentDecoder,
  SegmentEncoder,
  SegmentFrameDecoder,
  writeLz4SegmentHeader,
} from "../../../src/wire/segment/mod.ts";
import { type Compression, toHex } from "./inputs.ts";

/** Joins byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One segment carrying `payload[from..to)`, whatever it holds. */
export function segmentOf(
  payload: Uint8Array,
  selfContained = true,
  compression: Compression = null,
  from = 0,
  to = payload.length,
): Uint8Array {
  const w = new Writer();
  new SegmentEncoder({ compression }).writeSegment(w, payload, from, to, selfContained);
  return w.toBytes();
}

/** An LZ4 segment with a valid CRC32 around `wire`, whatever its header claims. */
export function lz4SegmentClaiming(wire: Uint8Array, uncompressed: number): Uint8Array {
  const out = new Uint8Array(8 + wire.length + 4);
  writeLz4SegmentHeader(out, 0, wire.length, uncompressed, true);
  out.set(wire, 8);
  new DataView(out.buffer).setUint32(8 + wire.length, crc32(wire, 0, wire.length), true);
  return out;
}

function feedCuts(push: (chunk: Uint8Array) => void, wire: Uint8Array, cuts: number[]): void {
  let prev = 0;
  for (const c of [...cuts, wire.length]) {
    push(wire.slice(prev, c));
    prev = c;
  }
}

/** Segment payloads (hex) and flags that `wire` decodes to, fed cut at `cuts`. */
export function payloadsOf(wire: Uint8Array, compression: Compression, cuts: number[] = []) {
  const out: { payload: string; selfContained: boolean }[] = [];
  const d = new SegmentDecoder(
    (buf, start, end, sc) => out.push({ payload: toHex(buf.subarray(start, end)), selfContained: sc }),
    compression,
  );
  feedCuts((c) => d.push(c), wire, cuts);
  assert.ok(d.idle, "decoder left with a partial segment");
  return out;
}

/** Envelopes (`stream:opcode:bodyhex`) that `wire` decodes to, fed cut at `cuts`. */
export function envelopesOf(wire: Uint8Array, compression: Compression, cuts: number[] = []) {
  const out: string[] = [];
  const d = new SegmentFrameDecoder((h: FrameHeader, bytes, start, end) => {
    assert.equal(h.version, 5);
    out.push(`${h.stream}:${h.opcode}:${toHex(bytes.subarray(start, end))}`);
  }, { compression });
  feedCuts((c) => d.push(c), wire, cuts);
  assert.ok(d.idle, "decoder left with a partial segment or envelope");
  return out;
}

/** An envelope's bytes as `envelopesOf` lists it. */
export function envelopeText(e: Uint8Array): string {
  return `${(e[2] << 24 >> 16) | e[3]}:${e[4]}:${toHex(e.subarray(9))}`;
}

/** Asserts that `fn` throws a ProtocolError whose message matches. */
export function throwsProtocol(fn: () => void, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ProtocolError, `expected a ProtocolError, got ${e}`);
    assert.match(e.message, message);
    return true;
  });
}
