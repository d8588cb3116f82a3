/**
 * uuid, timeuuid (16 bytes ↔ lowercase canonical text) and inet (4 or 16
 * bytes ↔ IPv4 dotted / IPv6 RFC 5952 text).
 * @module
 */

import { formatInet } from "../bytes.ts";
import { badCell, badLength, EncodeProblem, kindProblem, malformed } from "./problems.ts";
import { reserve } from "./numbers.ts";
import type { Decoder, ValueWriter } from "./types.ts";

const HEX: readonly string[] = Array.from(
  { length: 256 },
  (_, i) => i.toString(16).padStart(2, "0"),
);

/** `uuid` / `timeuuid` as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
export const decodeUuid: Decoder = (b, _view, s, len) => {
  if (len !== 16) return len === 0 ? null : badLength("uuid", 16, len);
  return HEX[b[s]] + HEX[b[s + 1]] + HEX[b[s + 2]] + HEX[b[s + 3]] + "-" + HEX[b[s + 4]] +
    HEX[b[s + 5]] + "-" + HEX[b[s + 6]] + HEX[b[s + 7]] + "-" + HEX[b[s + 8]] + HEX[b[s + 9]] +
    "-" + HEX[b[s + 10]] + HEX[b[s + 11]] + HEX[b[s + 12]] + HEX[b[s + 13]] + HEX[b[s + 14]] +
    HEX[b[s + 15]];
};

// char code → nibble value, -1 for non-hex.
const NIBBLE: Int8Array = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 16; i++) {
    t["0123456789abcdef".charCodeAt(i)] = i;
    t["0123456789ABCDEF".charCodeAt(i)] = i;
  }
  return t;
})();

const UUID_SHAPE = 'a uuid string like "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"';

/** Parses canonical uuid text (either case) into 16 bytes at `buf[at]`; false if malformed. */
function parseUuidInto(s: string, buf: Uint8Array, at: number): boolean {
  if (s.length !== 36) return false;
  let out = at;
  for (let i = 0; i < 36;) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (s.charCodeAt(i) !== 45) return false;
      i++;
      continue;
    }
    const hi = NIBBLE[s.charCodeAt(i) & 0x7f], lo = NIBBLE[s.charCodeAt(i + 1) & 0x7f];
    if (hi < 0 || lo < 0 || s.charCodeAt(i) > 0x7f || s.charCodeAt(i + 1) > 0x7f) return false;
    buf[out++] = (hi << 4) | lo;
    i += 2;
  }
  return true;
}

/** `uuid` from canonical text (upper case accepted). */
export const writeUuid: ValueWriter = (w, v) => {
  if (typeof v !== "string") throw kindProblem(UUID_SHAPE, v);
  const start = w.length;
  const at = reserve(w, 16);
  if (!parseUuidInto(v, w.buf, at)) {
    w.length = start;
    throw malformed(UUID_SHAPE);
  }
};

/** `timeuuid` from canonical text of a version 1 (time-based) uuid. */
export const writeTimeuuid: ValueWriter = (w, v) => {
  writeUuid(w, v);
  const version = w.buf[w.length - 10] >> 4;
  if (version !== 1) {
    w.length -= 20;
    throw new EncodeProblem(
      false,
      `expected a version 1 (time-based) uuid, got version ${version}`,
    );
  }
};

// ---- inet ----

/** `inet`: IPv4-mapped IPv6 addresses print as `::ffff:1.2.3.4` (RFC 5952 §5). */
export const decodeInet: Decoder = (buf, _view, start, len) => {
  if (len === 4 || len === 16) {
    const b = buf.subarray(start, start + len);
    if (len === 16 && isV4Mapped(b)) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    return formatInet(b);
  }
  return len === 0 ? null : badCell("inet", `expected 4 or 16 bytes, got ${len}`);
};

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

const INET_SHAPE = "an IPv4 or IPv6 address string";

/** `inet` from IPv4 dotted or IPv6 text (`::` compression, trailing dotted quad). */
export const writeInet: ValueWriter = (w, v) => {
  if (typeof v !== "string") throw kindProblem(INET_SHAPE, v);
  const bytes = parseInet(v);
  if (bytes === null) throw malformed(INET_SHAPE);
  const at = reserve(w, bytes.length);
  w.buf.set(bytes, at);
};

/** Parses IPv4 or IPv6 text to 4 or 16 bytes; `null` when malformed (zones refused). */
export function parseInet(s: string): Uint8Array | null {
  if (!s.includes(":")) return parseIpv4(s);
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] === "" ? [] : halves[0].split(":");
  const tail = halves.length === 2 && halves[1] !== "" ? halves[1].split(":") : [];
  const groups: number[] = [];
  const all = [...head, ...tail];
  // A dotted quad may only be the address's last 32 bits, never before a "::".
  const dottedOk = halves.length === 1 || tail.length > 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i];
    if (i === all.length - 1 && dottedOk && g.includes(".")) {
      const v4 = parseIpv4(g);
      if (v4 === null) return null;
      groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(g)) {
      groups.push(parseInt(g, 16));
    } else {
      return null;
    }
  }
  if (halves.length === 1 ? groups.length !== 8 : groups.length > 7) return null;
  const headCount = halves.length === 1 ? groups.length : head.length;
  const zeros = 8 - groups.length;
  const out = new Uint8Array(16);
  let k = 0;
  const put = (g: number) => {
    out[k++] = g >> 8;
    out[k++] = g & 0xff;
  };
  for (let i = 0; i < headCount; i++) put(groups[i]);
  k += zeros * 2;
  for (let i = headCount; i < groups.length; i++) put(groups[i]);
  return out;
}

function parseIpv4(s: string): Uint8Array | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    // Leading zeros are refused: some parsers read them as octal.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}
