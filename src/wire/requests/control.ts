/**
 * Small control requests: OPTIONS, STARTUP, AUTH_RESPONSE, REGISTER (v4 §4.1.1–4.1.3, §4.1.8).
 * @module
 */

import { Writer } from "../bytes.ts";
import { Opcode } from "../frame.ts";
import { beginFrame, endFrame } from "./envelope.ts";

/** OPTIONS: asks which STARTUP options the server supports. */
export function encodeOptions(w: Writer = new Writer(16)): Uint8Array {
  return endFrame(beginFrame(w), Opcode.OPTIONS);
}

/** STARTUP with `options` (`CQL_VERSION` is required by the server; `COMPRESSION` optional). */
export function encodeStartup(
  options: Readonly<Record<string, string>>,
  w: Writer = new Writer(128),
): Uint8Array {
  beginFrame(w).writeStringMap(options);
  return endFrame(w, Opcode.STARTUP);
}

/** AUTH_RESPONSE carrying one SASL token. */
export function encodeAuthResponse(token: Uint8Array, w: Writer = new Writer(64)): Uint8Array {
  beginFrame(w).writeBytes(token);
  return endFrame(w, Opcode.AUTH_RESPONSE);
}

/** Event kinds a connection may REGISTER for. */
export type EventKind =
  | "TOPOLOGY_CHANGE"
  | "STATUS_CHANGE"
  | "SCHEMA_CHANGE"
  /** ScyllaDB only, where the server knows it (a REGISTER with an unknown type is an error). */
  | "CLIENT_ROUTES_CHANGE";

/** REGISTER for server-pushed events. */
export function encodeRegister(
  events: readonly EventKind[],
  w: Writer = new Writer(64),
): Uint8Array {
  beginFrame(w).writeStringList(events);
  return endFrame(w, Opcode.REGISTER);
}

/** The SASL PLAIN token `\0user\0password` that PasswordAuthenticator expects. */
export function plainSaslToken(username: string, password: string): Uint8Array {
  const w = new Writer(2 + username.length * 3 + password.length * 3);
  w.writeByte(0);
  w.writeRaw(new TextEncoder().encode(username));
  w.writeByte(0);
  w.writeRaw(new TextEncoder().encode(password));
  return w.toBytes();
}
