/**
 * The optional prefix of a response body: tracing id, warnings and custom
 * payload, present when the header flags say so (v4 §2.2).
 * @module
 */

import { Reader } from "../bytes.ts";
import { FrameFlag } from "../frame.ts";

/** A response body with its optional prefix read off. */
export interface ResponseBody {
  /** Tracing session id when the request was traced. */
  tracingId: string | null;
  /** Server warnings, e.g. about a large batch. */
  warnings: string[];
  /** Custom payload, rarely used. */
  customPayload: Map<string, Uint8Array | null> | null;
  /** Reader positioned at the message itself. */
  reader: Reader;
  /** Protocol version of the connection it came on: some bodies differ in v5. */
  version: number;
  /**
   * Whether a Prepared result carries a result metadata id on that connection:
   * v5, or v4 with ScyllaDB's `SCYLLA_USE_METADATA_ID` negotiated.
   */
  metadataId: boolean;
}

const NO_WARNINGS: string[] = [];

/**
 * Reads the flag-dependent prefix of a (decompressed) body, `body[start, end)`.
 * `metadataId` defaults to what the version alone implies (v5); `view`, a
 * DataView over exactly `body`, saves making one.
 */
export function openBody(
  flags: number,
  body: Uint8Array,
  version = 4,
  metadataId = version >= 5,
  start = 0,
  end = body.length,
  view?: DataView,
): ResponseBody {
  const reader = new Reader(body, start, end, view);
  return readPrefix(
    { tracingId: null, warnings: NO_WARNINGS, customPayload: null, reader, version, metadataId },
    flags,
  );
}

/** A body for {@link openBodyInto}: one per connection. */
export function scratchBody(): ResponseBody {
  return {
    tracingId: null,
    warnings: NO_WARNINGS,
    customPayload: null,
    reader: new Reader(EMPTY),
    version: 4,
    metadataId: false,
  };
}

const EMPTY = new Uint8Array(0);

/**
 * {@link openBody} into `out`, whose reader now reads `body[start, end)` with `view` (a DataView
 * whose offsets are `body`'s): no object per answer. `out` is valid until the next call, so
 * decoders copy what they keep of it.
 */
export function openBodyInto(
  out: ResponseBody,
  flags: number,
  body: Uint8Array,
  version: number,
  metadataId: boolean,
  start: number,
  end: number,
  view: DataView,
): ResponseBody {
  out.reader.reset(body, start, end, view);
  out.version = version;
  out.metadataId = metadataId;
  return readPrefix(out, flags);
}

/** Reads the prefix the header `flags` announce into `out`, its reader at the body's start. */
function readPrefix(out: ResponseBody, flags: number): ResponseBody {
  const reader = out.reader;
  out.tracingId = flags & FrameFlag.TRACING ? reader.readUuid() : null;
  out.warnings = flags & FrameFlag.WARNING ? reader.readStringList() : NO_WARNINGS;
  out.customPayload = flags & FrameFlag.CUSTOM_PAYLOAD ? reader.readBytesMap() : null;
  return out;
}
