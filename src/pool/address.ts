/**
 * Node addresses: `"host:port"` contact points parsed and formatted the one
 * way every layer shows them.
 * @module
 */

/** Port of the CQL native protocol when a contact point names none. */
export const DEFAULT_PORT = 9042;

/** One contact point; `host` is a name, IPv4 text, or IPv6 text without brackets. */
export interface ContactPoint {
  /** Host name or address (IPv6 without brackets, as socket APIs want it). */
  readonly host: string;
  /** TCP port, 1..65535. */
  readonly port: number;
}

const IPV6 = /^[0-9a-fA-F:.]+(%[0-9A-Za-z._~-]+)?$/;
// Anything that could not be a host name or IPv4 address: URLs, user@host, spaces.
const BAD_HOST = /[\s[\]/@?#:]/;

/**
 * Parses `"host:port"`, `"host"` (port 9042), `"[v6]:port"` or `"[v6]"`.
 * Surrounding whitespace is ignored. An IPv6 address must be bracketed, since
 * in `::1:9042` the port cannot be told from the address.
 * @throws {TypeError} not a string or malformed; the message quotes the input
 * @example
 * ```ts
 * import { parseContactPoint } from "./address.ts";
 * parseContactPoint("[::1]:19042"); // { host: "::1", port: 19042 }
 * ```
 */
export function parseContactPoint(input: unknown): ContactPoint {
  if (typeof input !== "string") {
    throw new TypeError(`contact point must be a "host:port" string, got ${typeof input}`);
  }
  const text = input.trim();
  // A connection string may carry "user:password@": then the input is not quoted back.
  const shown = /[@/]/.test(input) ? "(not shown: it may hold credentials)" : JSON.stringify(input);
  const bad = (why: string): never => {
    throw new TypeError(`invalid contact point ${shown}: ${why}`);
  };
  let host: string;
  let portText: string | null = null;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) bad("missing ']' after the IPv6 address");
    host = text.slice(1, close);
    if (!IPV6.test(host) || !host.includes(":")) bad("not an IPv6 address inside [...]");
    const rest = text.slice(close + 1);
    if (rest !== "") {
      if (!rest.startsWith(":")) bad("expected ':port' after ']'");
      portText = rest.slice(1);
    }
  } else {
    if (BAD_HOST.test(text.replaceAll(":", ""))) bad('expected "host:port"');
    const parts = text.split(":");
    if (parts.length > 2) bad('IPv6 addresses must be bracketed, e.g. "[::1]:9042"');
    host = parts[0];
    if (parts.length === 2) portText = parts[1];
    if (host === "") bad("empty host");
  }
  if (portText === null) return { host, port: DEFAULT_PORT };
  const port = /^[0-9]{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) bad("port must be an integer in 1..65535");
  return { host, port };
}

/** `host:port`, bracketing IPv6 addresses. */
export function formatContactPoint(cp: ContactPoint): string {
  return cp.host.includes(":") ? `[${cp.host}]:${cp.port}` : `${cp.host}:${cp.port}`;
}
