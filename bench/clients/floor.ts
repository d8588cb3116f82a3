/**
 * The floor of the `read_prepared` cells (a row of its own in the bench, `floor-*`): the least a
 * client on this runtime spends per request, against the null cluster (`bench/null_server.ts`, a
 * simulation) or the real node, measured by the same harness as every driver. It is not a
 * driver: it prepares the bench's read once per node, then sends pre-built EXECUTE frames to a
 * node picked at random (no routing key, no Murmur3, no replica lookup), matches answers by
 * stream id, checks each is a ROWS result and decodes nothing. It uses rsylla-ts's own socket
 * shim (`src/runtime/`) and its write coalescing (one write per connection per turn of the event
 * loop: after the I/O phase on Bun and Node, in a microtask on Deno), so what a driver spends
 * above this figure is the driver's own work; the floor itself is the runtime's and the kernel's.
 *
 * ```sh
 * bun bench/null_server.ts --hosts 127.0.0.41,127.0.0.42,127.0.0.43 --port 19242 &
 * bun bench/clients/floor.ts --workload read_prepared --concurrency 32 \
 *   --hosts 127.0.0.41:19242,127.0.0.42:19242,127.0.0.43:19242 --duration 4 --warmup 2
 * deno run -A bench/clients/floor.ts ...   # the same on Deno
 * ```
 * Client protocol of `harness.mjs`; `read_prepared` only, and every node is named in `--hosts`
 * (the floor reads no topology). `--work-ns N` adds N ns of computation per request (see below).
 * @module
 */

import process from "node:process";
import { connect, type Socket } from "../../src/runtime/mod.ts";
import { schedule } from "../../src/pool/output.ts";
import { CQL, hostPort, parseArgs, runBench, runtimeName } from "./harness.mjs";

const args = process.argv.slice(2);
const workAt = args.indexOf("--work-ns");
/**
 * `--work-ns N`: N ns of pure computation per request, after its answer (0: none). It shows what
 * a driver's own work costs the client in all: a slower client also leaves the server idle more
 * often, so more of its sends are wake-ups (bench/README.md, "the floor plus work").
 */
const workNs = workAt < 0 ? 0 : Number(args.splice(workAt, 2)[1]);
if (!(workNs >= 0)) throw new Error("--work-ns needs a number of nanoseconds >= 0");
const o = parseArgs(args);
if (o.workload !== "read_prepared") {
  throw new Error(`the floor client runs read_prepared only, not ${o.workload}`);
}
const READ = CQL.readBind.replace(" FROM ", ` FROM ${o.keyspace}.`);

const Op = { STARTUP: 0x01, READY: 0x02, RESULT: 0x08, PREPARE: 0x09, EXECUTE: 0x0a };
const ROWS = 2;
const PREPARED = 4;

/** A v4 request frame; `send` writes its stream id. */
function frame(opcode: number, body: Uint8Array): Uint8Array {
  const f = new Uint8Array(9 + body.length);
  f[0] = 4;
  f[4] = opcode;
  new DataView(f.buffer).setInt32(5, body.length);
  f.set(body, 9);
  return f;
}

const utf8 = new TextEncoder();
function startupBody(): Uint8Array {
  const parts = [0, 1];
  for (const s of ["CQL_VERSION", "3.0.0"]) {
    const b = utf8.encode(s);
    parts.push(b.length >> 8, b.length & 0xff, ...b);
  }
  return new Uint8Array(parts);
}
function prepareBody(cql: string): Uint8Array {
  const b = utf8.encode(cql);
  const out = new Uint8Array(4 + b.length);
  new DataView(out.buffer).setInt32(0, b.length);
  out.set(b, 4);
  return out;
}

/** Room for the frames of many flushes, as the driver's output keeps. */
const ARENA = 64 * 1024;
const ARENA_SPARE = 8 * 1024;

/** One connection: its stream ids, the waiting requests, the bytes of this turn. */
class Conn {
  socket: Socket | null = null;
  /** The EXECUTE frame of the read, stream 0 and key 0; `keyAt` is where the key goes. */
  execute: Uint8Array = new Uint8Array(0);
  keyAt = 0;
  /** Resolves with `opcode << 8 | result kind` (no array per answer). */
  readonly waiting: (((answer: number) => void) | undefined)[] = [];
  readonly free: number[] = [];
  #out = new Uint8Array(ARENA);
  #length = 0;
  /** Where the frames not yet flushed start in `#out`. */
  #from = 0;
  scheduled = false;
  #rest: Uint8Array | null = null;

  constructor() {
    for (let s = 1023; s >= 0; s--) this.free.push(s);
  }

  /** `chunk[0, length)` arrived. */
  onData(chunk: Uint8Array, length: number): void {
    let buf = chunk;
    let end = length;
    if (this.#rest !== null) {
      buf = new Uint8Array(this.#rest.length + length);
      buf.set(this.#rest);
      buf.set(chunk.subarray(0, length), this.#rest.length);
      end = buf.length;
    }
    let at = 0;
    while (end - at >= 9) {
      const len = (buf[at + 5] << 24) | (buf[at + 6] << 16) | (buf[at + 7] << 8) | buf[at + 8];
      if (end - at < 9 + len) break;
      const stream = (buf[at + 2] << 8) | buf[at + 3];
      const done = this.waiting[stream]!;
      this.waiting[stream] = undefined;
      this.free.push(stream);
      done((buf[at + 4] << 8) | (len >= 4 ? buf[at + 12] : 0xff));
      at += 9 + len;
    }
    // The chunk is only valid during this call: keep a copy of a partial frame.
    this.#rest = at < end ? buf.slice(at, end) : null;
  }

  /** Queues the frame `f` (stream bytes overwritten); resolves with opcode << 8 | kind. */
  send(f: Uint8Array, key?: number): Promise<number> {
    const stream = this.free.pop();
    if (stream === undefined) throw new Error("out of stream ids");
    const at = this.#length;
    if (at + f.length > this.#out.length) {
      const grown = new Uint8Array(2 * (at + f.length));
      grown.set(this.#out.subarray(0, at));
      this.#out = grown;
    }
    const out = this.#out;
    out.set(f, at);
    out[at + 2] = stream >> 8;
    out[at + 3] = stream & 0xff;
    if (key !== undefined) {
      const k = at + this.keyAt;
      out[k] = key >>> 24;
      out[k + 1] = (key >> 16) & 0xff;
      out[k + 2] = (key >> 8) & 0xff;
      out[k + 3] = key & 0xff;
    }
    this.#length = at + f.length;
    if (!this.scheduled) {
      this.scheduled = true;
      if (dirty.length === 0) schedule(flushAll);
      dirty.push(this);
    }
    return new Promise((resolve) => {
      this.waiting[stream] = resolve;
    });
  }

  flush(): void {
    this.scheduled = false;
    // As the driver's output (src/pool/output.ts): a socket that keeps what it is given until
    // written (Deno, Node) gets a range of bytes never written over; one that copied them to
    // the kernel (Bun) leaves the room to the next frames.
    const out = this.#out, from = this.#from, end = this.#length;
    if (this.socket!.write(out, from, end)) this.#length = this.#from = 0;
    else if (out.length - end < ARENA_SPARE) {
      this.#out = new Uint8Array(ARENA);
      this.#length = this.#from = 0;
    } else this.#from = end;
  }
}

// Flushed when the driver flushes (`schedule`: after the I/O phase where the runtime can).
let dirty: Conn[] = [];
function flushAll(): void {
  const list = dirty;
  dirty = [];
  for (const c of list) c.flush();
}

/** Opens a connection to `address`, starts it and prepares the read on it. */
async function open(address: string): Promise<Conn> {
  const { host, port } = hostPort(address);
  const c = new Conn();
  let preparedBody: Uint8Array | null = null;
  c.socket = await connect(
    {
      host,
      port,
      noDelay: true,
      keepAliveMs: null,
      tls: null,
    },
    {
      onData: (chunk, length) => {
        // During setup, keep the PREPARED body (the chunk is only valid during this call).
        if (preparedBody === null && chunk[4] === Op.RESULT && chunk[12] === PREPARED) {
          preparedBody = chunk.slice(9, length);
        }
        c.onData(chunk, length);
      },
      onClose: (e) => {
        if (!stopping) throw new Error(`${address} closed: ${e?.message ?? "by the server"}`);
      },
    },
  );
  const ready = await c.send(frame(Op.STARTUP, startupBody()));
  if (ready >> 8 !== Op.READY) {
    throw new Error(`${address}: STARTUP answered with opcode ${ready >> 8}`);
  }
  const prepared = await c.send(frame(Op.PREPARE, prepareBody(READ)));
  if (prepared !== ((Op.RESULT << 8) | PREPARED) || preparedBody === null) {
    throw new Error(
      `${address}: PREPARE answered with opcode ${prepared >> 8}, kind ${prepared & 0xff}`,
    );
  }
  const body: Uint8Array = preparedBody;
  const id = body.subarray(6, 6 + ((body[4] << 8) | body[5]));
  c.execute = frame(Op.EXECUTE, executeBody(id));
  // The key is the body's last int but one (the page size follows it).
  c.keyAt = c.execute.length - 8;
  return c;
}

/** EXECUTE body: the id, consistency ONE, flags VALUES | PAGE_SIZE, one int value, 5 000 rows. */
function executeBody(id: Uint8Array): Uint8Array {
  const b = new Uint8Array(2 + id.length + 2 + 1 + 2 + 8 + 4);
  const v = new DataView(b.buffer);
  v.setUint16(0, id.length);
  b.set(id, 2);
  const at = 2 + id.length;
  v.setUint16(at, 1);
  b[at + 2] = 0x01 | 0x04;
  v.setUint16(at + 3, 1);
  v.setInt32(at + 5, 4);
  v.setInt32(at + 13, 5000);
  return b;
}

/** A loop whose iterations cost the same on every call; its result goes to `sink`, so it runs. */
function spin(iterations: number): number {
  let x = 1;
  for (let i = 0; i < iterations; i++) x = (x * 1103515245 + 12345) | 0;
  return x;
}

/** Iterations of `spin` in `ns` nanoseconds: the fastest of three timed passes, once warm. */
function spinIterations(ns: number): number {
  if (ns === 0) return 0;
  const passes = 20_000_000;
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    sink ^= spin(passes);
    best = Math.min(best, (performance.now() - t0) * 1e6 / passes);
  }
  return Math.max(1, Math.round(ns / best));
}

let sink = 0;
const workIterations = spinIterations(workNs);

let stopping = false;
const conns = await Promise.all(o.hosts.map(open));
await runBench({ driver: "floor", runtime: runtimeName() }, o, async (key: number) => {
  const c = conns[(Math.random() * conns.length) | 0];
  const answer = await c.send(c.execute, key);
  if (answer !== ((Op.RESULT << 8) | ROWS)) {
    throw new Error(`EXECUTE answered with opcode ${answer >> 8}, kind ${answer & 0xff}`);
  }
  if (workIterations > 0) sink ^= spin(workIterations);
  return 1;
});
stopping = true;
for (const c of conns) c.socket!.close();
process.exit(0);
