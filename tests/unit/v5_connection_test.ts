/**
 * A v5 connection against a SIMULATED v5 node (not Cassandra; a few lines of `node:net`
 * below): the handshake runs unframed, everything after READY travels in segments, and a
 * hostile segment (bad CRC, or a header claiming the wrong length) makes the connection
 * defunct: the request in flight fails with `ConnectionError` naming the fault, later ones
 * fail at once, nothing hangs. The real-node proof is `tests/integration/protocol_test.ts`.
 *
 * Deno: `deno test -A tests/unit/v5_connection_test.ts`; Bun: `bun test tests/unit/v5_connection_test.ts`.
 * @module
 */

import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { Connection } from "../../src/pool/connection.ts";
import { Writer } from "../../src/wire/bytes.ts";
import { FrameDecoder } from "../../src/wire/frame_decoder.ts";
import { HEADER_LENGTH, Opcode } from "../../src/wire/frame.ts";
import { appendQuery } from "../../src/wire/requests/query.ts";
import { SegmentEncoder, SegmentFrameDecoder } from "../../src/wire/segment/mod.ts";

/** A v5 response envelope. */
function envelope(stream: number, opcode: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_LENGTH + body.length);
  out[0] = 0x85;
  out[2] = (stream >> 8) & 0xff;
  out[3] = stream & 0xff;
  out[4] = opcode;
  new DataView(out.buffer).setUint32(5, body.length);
  out.set(body, HEADER_LENGTH);
  return out;
}

const VOID_RESULT = new Writer().writeInt(1).toBytes();

type Misbehaviour = "none" | "bad-crc" | "bad-header";

/** SIMULATION: answers OPTIONS/STARTUP unframed, then QUERYs in segments, spoiled as told. */
function simulatedV5Node(misbehave: () => Misbehaviour): Promise<Server> {
  const server = createServer((socket: Socket) => {
    const segments = new SegmentEncoder();
    let framed = false;
    const answer = (stream: number, opcode: number, body: Uint8Array) => {
      const env = envelope(stream, opcode, body);
      if (!framed) return void socket.write(env);
      const wire = segments.encode(env);
      const how = misbehave();
      if (how === "bad-crc") wire[wire.length - 1] ^= 0xff; // payload CRC32
      if (how === "bad-header") wire[0] ^= 0x01; // length bits: the header CRC24 fails
      socket.write(wire);
    };
    const onFrame = (h: { stream: number; opcode: number }) => {
      if (h.opcode === Opcode.OPTIONS) {
        answer(h.stream, Opcode.SUPPORTED, new Writer().writeShort(0).toBytes());
      } else if (h.opcode === Opcode.STARTUP) {
        answer(h.stream, Opcode.READY, new Uint8Array(0));
        framed = true; // the client switches as READY arrives: so do we
        decoder = new SegmentFrameDecoder(onFrame, { version: 5 });
      } else answer(h.stream, Opcode.RESULT, VOID_RESULT);
    };
    let decoder: FrameDecoder | SegmentFrameDecoder = new FrameDecoder(onFrame, 5);
    socket.on("data", (chunk: Uint8Array) => {
      try {
        decoder.push(new Uint8Array(chunk));
      } catch {
        socket.destroy();
      }
    });
    socket.on("error", () => {});
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const servers: Server[] = [];
const connections: Connection[] = [];
afterEach(() => {
  for (const c of connections.splice(0)) c.close();
  for (const s of servers.splice(0)) s.close();
});

async function open(how: () => Misbehaviour): Promise<Connection> {
  const server = await simulatedV5Node(how);
  servers.push(server);
  const c = await Connection.open({
    host: "127.0.0.1",
    port: (server.address() as { port: number }).port,
    noDelay: true,
    keepAliveMs: null,
    tls: null,
    compression: null,
    credentials: null,
    keyspace: null,
    connectTimeoutMs: 2000,
    maxInFlight: 8,
    protocolVersion: 5,
  });
  connections.push(c);
  return c;
}

const query = (c: Connection) =>
  c.send(
    (w, protocolVersion) =>
      appendQuery(w, "SELECT 1", { consistency: 1, pageSize: 0, protocolVersion }),
    (op) => op,
    { timeoutMs: 2000 },
  );

describe("v5 segments on a connection (SIMULATED v5 node, not Cassandra)", () => {
  it("handshakes unframed, then requests and answers travel in segments", async () => {
    const c = await open(() => "none");
    assert.equal(c.protocolVersion, 5);
    assert.deepEqual(await Promise.all([query(c), query(c), query(c)]), [
      Opcode.RESULT,
      Opcode.RESULT,
      Opcode.RESULT,
    ]);
  });

  for (const [how, fault] of [["bad-crc", /CRC32/], ["bad-header", /CRC24/]] as const) {
    it(`a segment with a ${how} fails the connection, naming the fault; nothing hangs`, async () => {
      let spoil = false;
      const c = await open(() => (spoil ? how : "none"));
      assert.equal(await query(c), Opcode.RESULT);
      spoil = true;
      await assert.rejects(query(c), (e: Error) => {
        // A connection failure (retryable elsewhere), caused by the segment fault.
        assert.equal(e.name, "ConnectionError");
        assert.match(e.message, fault);
        assert.equal((e.cause as Error).name, "ProtocolError");
        return true;
      });
      assert.equal(c.closed, true);
      await assert.rejects(query(c), { name: "ConnectionError", message: /is closed/ });
    });
  }
});
