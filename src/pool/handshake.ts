/**
 * The connection handshake (v4 §4.1.1–4.1.2): OPTIONS → SUPPORTED, STARTUP
 * (with compression when both sides have it) → READY, or AUTHENTICATE →
 * SASL PLAIN for PasswordAuthenticator; then `USE keyspace`.
 * @module
 */

import { Opcode, opcodeName } from "../wire/frame.ts";
import {
  encodeAuthResponse,
  encodeOptions,
  encodeStartup,
  plainSaslToken,
} from "../wire/requests/control.ts";
import { appendQuery } from "../wire/requests/query.ts";
import type { FrameEncoder } from "../wire/requests/envelope.ts";
import type { ResponseBody } from "../wire/responses/envelope.ts";
import { decodeResult } from "../wire/responses/result.ts";
import { type Compressor, compressorFor } from "../wire/compression/mod.ts";
import { AuthenticationError, ConnectionError, ProtocolError } from "../errors.ts";
import { negotiateExtensions } from "./extensions.ts";

/**
 * What the handshake needs of a connection: a way to send a frame and read
 * the answer, and places to record what it settled. `Connection` is one; the
 * handshake does not know more of it.
 */
export interface HandshakeChannel {
  /** `host:port`, for messages. */
  readonly address: string;
  /** Options the server listed in SUPPORTED. */
  supported: Map<string, string[]>;
  /** Keyspace in use, as the server reported it. */
  keyspace: string | null;
  /** The protocol version the connection speaks. */
  readonly protocolVersion: number;
  /** PREPARED and EXECUTE carry result metadata ids (v5, or `SCYLLA_USE_METADATA_ID`). */
  metadataId: boolean;
  /** Sends one frame and decodes its answer. */
  send<T>(
    frame: Uint8Array | FrameEncoder,
    decode: (op: number, body: ResponseBody) => T,
    opts: { timeoutMs: number },
  ): Promise<T>;
  /** Accepts compressed answers from now on (v4: compression per frame body). */
  expectCompressed(compressor: Compressor): void;
  /** Switches to v5 segments in both directions (after READY or AUTHENTICATE). */
  startSegments(compression: "lz4" | null): void;
}

/** Credentials for PasswordAuthenticator. */
export interface Credentials {
  /** Role name. */
  readonly username: string;
  /** Its password; never logged or put in a message. */
  readonly password: string;
}

/** Handshake settings. */
export interface HandshakeOptions {
  /** Body compression to ask for. */
  compression: "lz4" | "snappy" | null;
  /** Login, when the server asks for one. */
  credentials: Credentials | null;
  /** Keyspace to switch to, as a CQL identifier ready to put in `USE` (quoted if needed). */
  keyspace: string | null;
  /** Handshake deadline per step in ms. */
  connectTimeoutMs: number;
  /** Protocol version to speak; `null` (or absent) offers 5 and falls back to 4. */
  protocolVersion?: 4 | 5 | null;
  /**
   * The host id the driver expects at this address (from the topology); a ScyllaDB node
   * whose `SCYLLA_HOST_ID` differs is another node, and the connection is refused.
   */
  expectedHostId?: string;
  /** JSON of the session's settings for ScyllaDB's `CLIENT_OPTIONS` (shown in `system.clients`). */
  clientOptions?: string;
}

/** A connection that reached another node than the topology says lives at that address. */
export class HostIdMismatchError extends ConnectionError {
  /** The host id the node reported. */
  readonly reported: string;

  /** @param reported the node's `SCYLLA_HOST_ID` */
  constructor(address: string, expected: string, reported: string) {
    super(
      `${address} is node ${reported}, not the expected ${expected}: the topology changed`,
    );
    this.name = "ConnectionError";
    this.reported = reported;
  }
}

/** What the handshake settled. */
export interface HandshakeResult {
  /** The compressor in use from now on, if any. */
  compressor: Compressor | null;
  /** Error code ScyllaDB uses for rate-limit errors, when announced. */
  rateLimitCode: number | undefined;
  /** Protocol extensions asked for in STARTUP (names as the server spells them). */
  extensions: string[];
  /** ScyllaDB tablets routing negotiated: 0 none, 1 `TABLETS_ROUTING_V1`, 2 the v2 experiment. */
  tabletsRouting: 0 | 1 | 2;
  /** Result metadata ids in PREPARED and EXECUTE: v5, or v4 with `SCYLLA_USE_METADATA_ID`. */
  metadataId: boolean;
}

/** STARTUP keys of the protocol itself; the others are extensions. */
const STARTUP_OPTIONS = new Set(["CQL_VERSION", "DRIVER_NAME", "DRIVER_VERSION", "COMPRESSION"]);

const DRIVER_NAME = "rsylla";
const DRIVER_VERSION = "0.1.0";

function expect(opcode: number, want: number, step: string): void {
  if (opcode !== want) {
    throw new ProtocolError(`${step}: expected ${opcodeName(want)}, got ${opcodeName(opcode)}`);
  }
}

/** Runs the handshake on a freshly opened connection. */
export async function handshake(
  c: HandshakeChannel,
  o: HandshakeOptions,
): Promise<HandshakeResult> {
  const send = <T>(frame: Uint8Array, decode: (op: number, b: ResponseBody) => T) =>
    c.send(frame, decode, { timeoutMs: o.connectTimeoutMs });

  c.supported = await send(encodeOptions(), (op, b) => {
    expect(op, Opcode.SUPPORTED, "OPTIONS");
    return b.reader.readStringMultimap();
  });

  const reported = c.supported.get("SCYLLA_HOST_ID")?.[0];
  if (o.expectedHostId && reported && reported.toLowerCase() !== o.expectedHostId.toLowerCase()) {
    throw new HostIdMismatchError(c.address, o.expectedHostId, reported);
  }

  const startup: Record<string, string> = {
    CQL_VERSION: c.supported.get("CQL_VERSION")?.[0] ?? "3.0.0",
    DRIVER_NAME,
    DRIVER_VERSION,
  };
  const v5 = c.protocolVersion >= 5;
  let compressor: Compressor | null = null;
  if (o.compression !== null) {
    const offered = c.supported.get("COMPRESSION") ?? [];
    if (!offered.includes(o.compression)) {
      throw new ProtocolError(
        `server at ${c.address} does not support ${o.compression} compression (offers: ${
          offered.join(", ") || "none"
        })`,
      );
    }
    startup.COMPRESSION = o.compression;
    // v5 compresses whole segments (LZ4 only), not frame bodies.
    if (!v5) compressor = compressorFor(o.compression);
  }
  const negotiated = negotiateExtensions(c.supported, c.protocolVersion, o.clientOptions);
  const { rateLimitCode, tabletsRouting, metadataId } = negotiated;
  Object.assign(startup, negotiated.startup);
  const extensions = Object.keys(startup).filter((k) => !STARTUP_OPTIONS.has(k));

  const answering = send(encodeStartup(startup), (op, b) => ({
    op,
    authenticator: op === Opcode.AUTHENTICATE ? b.reader.readString() : "",
  }));
  if (compressor !== null) c.expectCompressed(compressor);
  const answer = await answering;
  // v5: everything after READY or AUTHENTICATE travels in segments, AUTH_RESPONSE included.
  if (v5) c.startSegments(o.compression === "lz4" ? "lz4" : null);
  if (answer.op === Opcode.AUTHENTICATE) {
    await authenticate(c, o, answer.authenticator);
  } else {
    expect(answer.op, Opcode.READY, "STARTUP");
  }
  // From here on PREPARED answers carry the id and EXECUTEs send it.
  c.metadataId = metadataId;
  if (o.keyspace !== null) await useKeyspace(c, o.keyspace, o.connectTimeoutMs);
  return { compressor, rateLimitCode, extensions, tabletsRouting, metadataId };
}

async function authenticate(c: HandshakeChannel, o: HandshakeOptions, authenticator: string) {
  if (o.credentials === null) {
    throw new AuthenticationError(
      `${c.address} requires authentication (${authenticator}); set SessionBuilder.user()`,
    );
  }
  const token = plainSaslToken(o.credentials.username, o.credentials.password);
  try {
    await c.send(encodeAuthResponse(token), (op) => {
      // PasswordAuthenticator finishes in one round; a challenge would need a SASL mechanism.
      expect(op, Opcode.AUTH_SUCCESS, "AUTH_RESPONSE");
    }, { timeoutMs: o.connectTimeoutMs });
  } catch (e) {
    if (e instanceof AuthenticationError) {
      throw new AuthenticationError(
        `${c.address} rejected the credentials of user "${o.credentials.username}": ${e.message}`,
        { code: e.code },
      );
    }
    throw e;
  } finally {
    token.fill(0);
  }
}

/**
 * Sends `USE <keyspace>` and records the keyspace the server confirms.
 * @throws {InvalidQueryError} the keyspace does not exist
 */
export async function useKeyspace(c: HandshakeChannel, keyspace: string, timeoutMs: number) {
  const use: FrameEncoder = (w, protocolVersion) =>
    appendQuery(w, `USE ${keyspace}`, { consistency: 1, pageSize: 0, protocolVersion });
  c.keyspace = await c.send(use, (_op, b) => {
    const result = decodeResult(b.reader, undefined, undefined, b.version);
    if (result.kind !== "set_keyspace") {
      throw new ProtocolError(`USE answered with a ${result.kind} result`);
    }
    return result.keyspace;
  }, { timeoutMs });
}
