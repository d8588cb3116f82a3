// deno-fmt-ignore-file -- keeps the annotated byte arrays one field per line
/**
 * The v4 frame header (native protocol v4 §2, `src/wire/frame.ts`): header
 * round-trips, signed stream ids, the response bit, version and size checks.
 *
 * Deno: `deno test -A tests/unit/frame_test.ts`; Bun: `bun test tests/unit/frame_test.ts`.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProtocolError } from "../../src/errors.ts";
import {
  decodeHeader,
  EVENT_STREAM,
  FrameFlag,
  HEADER_LENGTH,
  MAX_FRAME_BODY,
  Opcode,
  opcodeName,
  PROTOCOL_VERSION,
  setStream,
  writeHeader,
} from "../../src/wire/frame.ts";

function header(bytes: number[]): Uint8Array {
  assert.equal(bytes.length, HEADER_LENGTH);
  return new Uint8Array(bytes);
}

describe("frame constants", () => {
  it("speaks v4 with a 9-byte header and a 256 MiB body limit", () => {
    assert.equal(PROTOCOL_VERSION, 4);
    assert.equal(HEADER_LENGTH, 9);
    assert.equal(MAX_FRAME_BODY, 256 * 1024 * 1024);
    assert.equal(EVENT_STREAM, -1);
  });
  it("has the spec's opcodes and flags", () => {
    assert.deepEqual(Opcode, {
      ERROR: 0x00,
      STARTUP: 0x01,
      READY: 0x02,
      AUTHENTICATE: 0x03,
      OPTIONS: 0x05,
      SUPPORTED: 0x06,
      QUERY: 0x07,
      RESULT: 0x08,
      PREPARE: 0x09,
      EXECUTE: 0x0a,
      REGISTER: 0x0b,
      EVENT: 0x0c,
      BATCH: 0x0d,
      AUTH_CHALLENGE: 0x0e,
      AUTH_RESPONSE: 0x0f,
      AUTH_SUCCESS: 0x10,
    });
    assert.deepEqual(FrameFlag, {
      COMPRESSION: 0x01,
      TRACING: 0x02,
      CUSTOM_PAYLOAD: 0x04,
      WARNING: 0x08,
      USE_BETA: 0x10,
    });
  });
});

describe("writeHeader", () => {
  it("writes version, flags, stream, opcode and length big-endian", () => {
    const out = new Uint8Array(HEADER_LENGTH);
    writeHeader(out, 0, FrameFlag.TRACING, 0x0102, Opcode.QUERY, 0x01020304);
    assert.deepEqual([...out], [
      0x04, // version 4, request
      0x02, // flags: tracing
      0x01, 0x02, // stream 258
      0x07, // opcode QUERY
      0x01, 0x02, 0x03, 0x04, // body length
    ]);
  });
  it("writes at an offset and leaves the rest alone", () => {
    const out = new Uint8Array(12).fill(0xee);
    writeHeader(out, 2, 0, 5, Opcode.OPTIONS, 0);
    assert.deepEqual([...out], [
      0xee, 0xee, // untouched
      0x04, 0x00, 0x00, 0x05, 0x05, // version, flags, stream 5, opcode OPTIONS
      0x00, 0x00, 0x00, 0x00, // length 0
      0xee, // untouched
    ]);
  });
  it("writes stream -1 as 0xffff", () => {
    const out = new Uint8Array(HEADER_LENGTH);
    writeHeader(out, 0, 0, -1, Opcode.EVENT, 1);
    assert.deepEqual([...out.subarray(2, 4)], [0xff, 0xff]);
  });
});

describe("decodeHeader", () => {
  it("decodes a response header", () => {
    const h = decodeHeader(header([
      0x84, // version 4, response bit
      0x08, // flags: warning
      0x00, 0x2a, // stream 42
      0x08, // RESULT
      0x00, 0x00, 0x01, 0x00, // 256 bytes
    ]));
    assert.deepEqual(h, {
      version: 4,
      isResponse: true,
      flags: FrameFlag.WARNING,
      stream: 42,
      opcode: Opcode.RESULT,
      length: 256,
    });
  });
  it("reads the response bit apart from the version", () => {
    const req = decodeHeader(header([0x04, 0, 0, 0, 0x05, 0, 0, 0, 0]));
    assert.equal(req.isResponse, false);
    assert.equal(req.version, 4);
    const res = decodeHeader(header([0x84, 0, 0, 0, 0x06, 0, 0, 0, 0]));
    assert.equal(res.isResponse, true);
    assert.equal(res.version, 4);
  });
  it("decodes stream ids as signed 16-bit", () => {
    const cases: [number, number, number][] = [
      [0x00, 0x00, 0],
      [0x00, 0x01, 1],
      [0x7f, 0xff, 32767],
      [0x80, 0x00, -32768],
      [0xff, 0xfe, -2],
      [0xff, 0xff, -1], // the event stream
    ];
    for (const [hi, lo, want] of cases) {
      const h = decodeHeader(header([0x84, 0, hi, lo, 0x0c, 0, 0, 0, 0]));
      assert.equal(h.stream, want, `0x${hi.toString(16)}${lo.toString(16)}`);
    }
    assert.equal(
      decodeHeader(header([0x84, 0, 0xff, 0xff, 0x0c, 0, 0, 0, 0])).stream,
      EVENT_STREAM,
    );
  });
  it("decodes at an offset", () => {
    const buf = new Uint8Array([0xaa, 0xbb, 0x84, 0x00, 0x00, 0x07, 0x02, 0x00, 0x00, 0x00, 0x03]);
    const h = decodeHeader(buf, 2);
    assert.equal(h.stream, 7);
    assert.equal(h.opcode, Opcode.READY);
    assert.equal(h.length, 3);
  });
  it("accepts a body of exactly MAX_FRAME_BODY bytes", () => {
    const h = decodeHeader(header([0x84, 0, 0, 0, 0x08, 0x10, 0x00, 0x00, 0x00]));
    assert.equal(h.length, MAX_FRAME_BODY);
  });
  it("rejects a body one byte over MAX_FRAME_BODY", () => {
    assert.throws(
      () => decodeHeader(header([0x84, 0, 0, 0, 0x08, 0x10, 0x00, 0x00, 0x01])),
      (e: unknown) =>
        e instanceof ProtocolError && /268435457 bytes/.test(e.message) &&
        /268435456-byte limit/.test(e.message),
    );
  });
  it("rejects a header claiming 2 GiB", () => {
    assert.throws(
      () => decodeHeader(header([0x84, 0, 0, 0, 0x08, 0x80, 0x00, 0x00, 0x00])),
      (e: unknown) => e instanceof ProtocolError && /2147483648 bytes/.test(e.message),
    );
  });
  it("reads the length as unsigned: 0xffffffff is 4 GiB - 1, not -1", () => {
    assert.throws(
      () => decodeHeader(header([0x84, 0, 0, 0, 0x08, 0xff, 0xff, 0xff, 0xff])),
      (e: unknown) => e instanceof ProtocolError && /4294967295 bytes/.test(e.message),
    );
  });
  for (const v of [1, 2, 3, 5, 0x42]) {
    it(`rejects version ${v}, naming both versions`, () => {
      assert.throws(
        () => decodeHeader(header([0x80 | v, 0, 0, 0, 0x00, 0, 0, 0, 0])),
        (e: unknown) =>
          e instanceof ProtocolError &&
          e.message.includes(`protocol version ${v}`) && e.message.includes("v4"),
      );
    });
  }
});

describe("writeHeader → decodeHeader round trip", () => {
  const streams = [0, 1, 127, 128, 255, 256, 32767, -1, -32768];
  const lengths = [0, 1, 255, 256, 65535, 65536, MAX_FRAME_BODY];
  for (const stream of streams) {
    it(`stream ${stream} with every length`, () => {
      for (const length of lengths) {
        const out = new Uint8Array(HEADER_LENGTH);
        writeHeader(out, 0, FrameFlag.CUSTOM_PAYLOAD, stream, Opcode.BATCH, length);
        const h = decodeHeader(out);
        assert.deepEqual(h, {
          version: 4,
          isResponse: false,
          flags: FrameFlag.CUSTOM_PAYLOAD,
          stream,
          opcode: Opcode.BATCH,
          length,
        });
      }
    });
  }
});

describe("setStream", () => {
  it("changes only bytes 2-3 of an encoded frame", () => {
    const frame = new Uint8Array([
      0x04, 0x00, 0x00, 0x00, 0x05, // version, flags, stream 0, opcode OPTIONS
      0x00, 0x00, 0x00, 0x02, // length 2
      0xaa, 0xbb, // body
    ]);
    setStream(frame, 0x1234);
    assert.deepEqual([...frame], [
      0x04, 0x00, 0x12, 0x34, 0x05, // stream now 0x1234
      0x00, 0x00, 0x00, 0x02, 0xaa, 0xbb,
    ]);
  });
  it("round-trips with decodeHeader for boundary ids", () => {
    const frame = new Uint8Array(HEADER_LENGTH);
    writeHeader(frame, 0, 0, 0, Opcode.QUERY, 0);
    for (const s of [0, 1, 255, 256, 32767, -1, -32768]) {
      setStream(frame, s);
      frame[0] = 0x84; // as if the server echoed it
      assert.equal(decodeHeader(frame).stream, s);
    }
  });
});

describe("opcodeName", () => {
  it("names every opcode", () => {
    for (const [name, value] of Object.entries(Opcode)) assert.equal(opcodeName(value), name);
  });
  it("shows unknown opcodes as two-digit hex", () => {
    assert.equal(opcodeName(0x04), "0x04");
    assert.equal(opcodeName(0xff), "0xff");
    assert.equal(opcodeName(0x11), "0x11");
  });
});
