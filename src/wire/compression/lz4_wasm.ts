/**
 * LZ4 through the `lz4-wasm` package's WebAssembly build of lz4_flex, driven
 * by our own glue: the package's wasm-bindgen glue needs ESM wasm imports,
 * which Node 20 lacks without a flag and Bun mis-links. The module bytes are
 * embedded (see `scripts/gen_lz4_wasm.ts`), so instantiation is synchronous
 * and needs no file access.
 * @module
 */

import { ProtocolError } from "../../errors.ts";
import { LZ4_WASM_BASE64 } from "./lz4_wasm_bytes.ts";

interface Lz4WasmExports {
  memory: WebAssembly.Memory;
  compress(retptr: number, ptr: number, len: number): void;
  decompress(retptr: number, ptr: number, len: number): void;
  __wbindgen_add_to_stack_pointer(delta: number): number;
  __wbindgen_malloc(len: number): number;
  __wbindgen_free(ptr: number, len: number): void;
}

let exports: Lz4WasmExports | null = null;
/** Set once instantiation failed (e.g. no WebAssembly, jitless V8): never retried. */
let unavailable = false;
let lastError = "";

function instantiate(): Lz4WasmExports {
  const binary = atob(LZ4_WASM_BASE64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const imports = {
    "./lz4_wasm_bg.js": {
      // The module's only import: lz4_flex's error text, kept for the message.
      __wbindgen_string_new(ptr: number, len: number): number {
        lastError = new TextDecoder().decode(new Uint8Array(exports!.memory.buffer, ptr, len));
        return 0;
      },
    },
  };
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), imports);
  return instance.exports as unknown as Lz4WasmExports;
}

/**
 * Whether the wasm codec can be used, instantiating it on first call
 * (about 1 ms, 25 KB of wasm). `false` when the runtime cannot run it.
 */
export function lz4WasmReady(): boolean {
  if (exports !== null) return true;
  if (unavailable) return false;
  try {
    exports = instantiate();
    return true;
  } catch {
    unavailable = true;
    return false;
  }
}

/**
 * Runs lz4_flex's `compress_prepend_size` / `decompress_size_prepended` on
 * `input`, whose first 4 bytes are swapped between the CQL big-endian length
 * and lz4_flex's little-endian one while copying in and out of wasm memory.
 */
function call(fn: "compress" | "decompress", input: Uint8Array): Uint8Array {
  if (!lz4WasmReady()) throw new Error("lz4 wasm is unavailable on this runtime");
  const w = exports!;
  const sp = w.__wbindgen_add_to_stack_pointer(-16);
  try {
    const ptr = w.__wbindgen_malloc(input.length);
    const mem = new Uint8Array(w.memory.buffer);
    mem.set(input, ptr);
    if (fn === "decompress") swap4(mem, ptr);
    w[fn](sp, ptr, input.length);
    const ret = new Int32Array(w.memory.buffer, sp, 4);
    const [outPtr, outLen, , failed] = ret;
    if (fn === "decompress" && failed) {
      throw new ProtocolError(`malformed LZ4 body: ${lastError}`);
    }
    const out = new Uint8Array(w.memory.buffer, outPtr, outLen).slice();
    w.__wbindgen_free(outPtr, outLen);
    if (fn === "compress") swap4(out, 0);
    return out;
  } catch (e) {
    // A trap (e.g. out of memory) can leave the allocator inconsistent:
    // start from a fresh instance next time.
    if (e instanceof WebAssembly.RuntimeError) {
      exports = null;
      throw new ProtocolError("LZ4 body could not be processed", { cause: e });
    }
    throw e;
  } finally {
    w.__wbindgen_add_to_stack_pointer(16);
  }
}

function swap4(a: Uint8Array, i: number): void {
  let t = a[i];
  a[i] = a[i + 3];
  a[i + 3] = t;
  t = a[i + 1];
  a[i + 1] = a[i + 2];
  a[i + 2] = t;
}

/** `[4-byte BE length][LZ4 block]` of `body`, compressed by lz4_flex in wasm. */
export function lz4WasmCompress(body: Uint8Array): Uint8Array {
  return call("compress", body);
}

/**
 * Inverse of {@link lz4WasmCompress}. The caller must have checked the declared
 * length against its cap: lz4_flex allocates it up front inside wasm memory,
 * which never shrinks.
 * @throws {ProtocolError} malformed block
 */
export function lz4WasmDecompress(body: Uint8Array): Uint8Array {
  return call("decompress", body);
}
