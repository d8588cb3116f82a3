/**
 * The runtime's native CRC-32: `crc32` of `node:zlib`, which Node (20.15 and later), Bun
 * and Deno provide. Loaded on first use and only then, since Cloudflare Workers may lack
 * `node:zlib`; where it is missing the caller keeps its own CRC.
 * @module
 */

/** A standard CRC-32 of `data` continued from `crc` (zlib's `crc32(data, value)`). */
export type NativeCrc32 = (data: Uint8Array, crc: number) => number;

let loading: Promise<NativeCrc32 | null> | null = null;

/** Resolves the runtime's native CRC-32, or `null` where it has none (loaded once). */
export function nativeCrc32(): Promise<NativeCrc32 | null> {
  loading ??= import("node:zlib").then(
    (zlib) => {
      const fn = (zlib as { crc32?: unknown }).crc32;
      return typeof fn === "function" ? fn as NativeCrc32 : null;
    },
    () => null,
  );
  return loading;
}
