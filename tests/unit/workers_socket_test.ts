// The Cloudflare Workers socket adapter against a simulation of the Workers socket API
// (`readable`/`writable` streams, `opened`, `closed`, `close()`): no workerd needed. The real
// thing is tests/workers/run.ts (a Worker in workerd against the local node).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectWorkers, type WorkersConnect } from "../../src/runtime/workers.ts";
import type { ConnectOptions } from "../../src/runtime/socket.ts";

const OPTS: ConnectOptions = {
  host: "db",
  port: 9042,
  noDelay: true,
  keepAliveMs: null,
  tls: null,
};

/** A simulated Workers socket: what the client writes, and a controller to send it bytes. */
function simulated(fail?: Error) {
  const written: Uint8Array[] = [];
  const calls: unknown[] = [];
  let server!: ReadableStreamDefaultController<Uint8Array>;
  let closeSocket!: () => void;
  const connect: WorkersConnect = (address, options) => {
    calls.push({ address, options });
    const closed = new Promise<void>((r) => (closeSocket = r));
    return {
      readable: new ReadableStream<Uint8Array>({ start: (c) => void (server = c) }),
      writable: new WritableStream<Uint8Array>({ write: (chunk) => void written.push(chunk) }),
      opened: fail ? Promise.reject(fail) : Promise.resolve({}),
      closed,
      close: () => {
        closeSocket();
        return Promise.resolve();
      },
    };
  };
  return {
    connect,
    written,
    calls,
    send: (b: Uint8Array) => server.enqueue(b),
    end: () => server.close(),
  };
}

describe("Workers socket adapter (simulated cloudflare:sockets)", () => {
  it("plain TCP: writes in order, hands on received bytes, reports the close once", async () => {
    const sim = simulated();
    const got: number[] = [];
    let closes = 0;
    const sock = await connectWorkers(sim.connect, OPTS, {
      onData: (c, n) => got.push(...c.subarray(0, n)),
      onClose: () => void closes++,
    });
    assert.deepEqual(sim.calls, [{
      address: { hostname: "db", port: 9042 },
      options: { secureTransport: "off", allowHalfOpen: false },
    }]);
    sock.write(Uint8Array.of(0, 1, 2), 1, 3);
    sock.write(Uint8Array.of(3), 0, 1);
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(sim.written.flatMap((c) => [...c]), [1, 2, 3]);
    sim.send(Uint8Array.of(9, 8));
    sim.end();
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(got, [9, 8]);
    assert.equal(closes, 1);
    sock.close();
    assert.equal(closes, 1);
  });

  it('TLS uses secureTransport "on"; settings Workers cannot honour are refused', async () => {
    const sim = simulated();
    const h = { onData() {}, onClose() {} };
    const sock = await connectWorkers(sim.connect, { ...OPTS, tls: {} }, h);
    assert.equal(
      (sim.calls[0] as { options: { secureTransport: string } }).options.secureTransport,
      "on",
    );
    sock.close();
    await assert.rejects(
      connectWorkers(sim.connect, { ...OPTS, tls: { ca: ["pem"], rejectUnauthorized: false } }, h),
      /unsupported: ca, rejectUnauthorized: false/,
    );
  });

  it("a local port is a bind error (the pool then leaves the shard-aware port)", async () => {
    const sim = simulated();
    const err = await connectWorkers(sim.connect, { ...OPTS, localPort: 50000 }, {
      onData() {},
      onClose() {},
    }).catch((e) => e);
    assert.equal(err.code, "EADDRNOTAVAIL");
    assert.equal(sim.calls.length, 0);
  });

  it("a failed open rejects the connect", async () => {
    const sim = simulated(new Error("connection refused"));
    await assert.rejects(
      connectWorkers(sim.connect, OPTS, { onData() {}, onClose() {} }),
      /connection refused/,
    );
  });
});
