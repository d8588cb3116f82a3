/**
 * How `Row.toString()` shows a decoded value: close to a CQL literal.
 * @module
 */

const BLOB_SHOWN = 32;
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Formats a decoded value for `Row.toString()`, close to a CQL literal: text
 * quoted, blobs as `0x…` (shortened past 32 bytes), collections bracketed.
 */
export function formatValue(v: unknown, depth = 0): string {
  if (v === null || v === undefined) return "null";
  switch (typeof v) {
    case "string":
      return `'${v.replaceAll("'", "''")}'`;
    case "number":
    case "bigint":
    case "boolean":
      return String(v);
    case "object":
      break;
    default:
      return typeof v;
  }
  if (depth > 4) return "…";
  const inner = (x: unknown) => formatValue(x, depth + 1);
  if (v instanceof Uint8Array) {
    let hex = "0x";
    for (let i = 0; i < Math.min(v.length, BLOB_SHOWN); i++) hex += HEX[v[i]];
    return v.length > BLOB_SHOWN ? `${hex}…(${v.length} bytes)` : hex;
  }
  if (v instanceof Date) {
    return Number.isNaN(v.getTime()) ? "'Invalid Date'" : `'${v.toISOString()}'`;
  }
  if (Array.isArray(v)) return `[${v.map(inner).join(", ")}]`;
  if (ArrayBuffer.isView(v)) return `[${Array.from(v as Float32Array, inner).join(", ")}]`;
  if (v instanceof Set) return `{${Array.from(v, inner).join(", ")}}`;
  if (v instanceof Map) {
    return `{${Array.from(v, ([k, x]) => `${inner(k)}: ${inner(x)}`).join(", ")}}`;
  }
  const entries = Object.entries(v as Record<string, unknown>);
  return `{${entries.map(([k, x]) => `${k}: ${inner(x)}`).join(", ")}}`;
}
