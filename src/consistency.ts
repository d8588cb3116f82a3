/**
 * Consistency levels: the names users write and the `[consistency]` codes of
 * native protocol v4 §3.
 * @module
 */

/**
 * Every consistency level name, each key mapping to itself, for autocompletion.
 * `SERIAL` and `LOCAL_SERIAL` are only valid as a *serial* consistency.
 * @example
 * ```ts
 * import { Consistency, Query } from "@rsylla/rsylla";
 * console.log(Consistency.LOCAL_QUORUM); // "LOCAL_QUORUM"
 * const q = new Query("UPDATE ks.t SET v = 1 WHERE id = 1 IF v = 0")
 *   .withConsistency(Consistency.QUORUM)
 *   .withSerialConsistency(Consistency.LOCAL_SERIAL);
 * ```
 */
export const Consistency = {
  ANY: "ANY",
  ONE: "ONE",
  TWO: "TWO",
  THREE: "THREE",
  QUORUM: "QUORUM",
  ALL: "ALL",
  LOCAL_QUORUM: "LOCAL_QUORUM",
  EACH_QUORUM: "EACH_QUORUM",
  SERIAL: "SERIAL",
  LOCAL_SERIAL: "LOCAL_SERIAL",
  LOCAL_ONE: "LOCAL_ONE",
} as const;

/** A regular consistency level name (`withConsistency`, `defaultConsistency`). */
export type ConsistencyName =
  | "ANY"
  | "ONE"
  | "TWO"
  | "THREE"
  | "QUORUM"
  | "ALL"
  | "LOCAL_QUORUM"
  | "EACH_QUORUM"
  | "LOCAL_ONE";

/** A serial consistency level name (`withSerialConsistency`, for lightweight transactions). */
export type SerialConsistencyName = "SERIAL" | "LOCAL_SERIAL";

/** Wire codes (`[consistency]`, a `[short]`) of every level, per native protocol v4 §3. */
export const ConsistencyCode: { readonly [K in keyof typeof Consistency]: number } = {
  ANY: 0x0000,
  ONE: 0x0001,
  TWO: 0x0002,
  THREE: 0x0003,
  QUORUM: 0x0004,
  ALL: 0x0005,
  LOCAL_QUORUM: 0x0006,
  EACH_QUORUM: 0x0007,
  SERIAL: 0x0008,
  LOCAL_SERIAL: 0x0009,
  LOCAL_ONE: 0x000a,
};

const REGULAR: readonly ConsistencyName[] = [
  "ANY",
  "ONE",
  "TWO",
  "THREE",
  "QUORUM",
  "ALL",
  "LOCAL_QUORUM",
  "EACH_QUORUM",
  "LOCAL_ONE",
];
const SERIAL: readonly SerialConsistencyName[] = ["SERIAL", "LOCAL_SERIAL"];

// Indexed by code; codes are dense 0..10.
const NAMES: readonly string[] = Object.keys(ConsistencyCode).sort((a, b) =>
  ConsistencyCode[a as keyof typeof Consistency] - ConsistencyCode[b as keyof typeof Consistency]
);

/**
 * Which setter a consistency name is checked for: `"consistency"` accepts the
 * regular names, `"serial consistency"` only `SERIAL` and `LOCAL_SERIAL`.
 */
export type ConsistencyKind = "consistency" | "serial consistency";

/**
 * Turns a consistency name into its wire code, accepting only the names valid
 * for `what` (exact, upper-case spelling).
 * @param what which kind of level is expected; also names it in the error message
 * @throws {RangeError} `name` is not one of the valid names (the message lists them)
 * @example
 * ```ts
 * import { consistencyCode } from "./consistency.ts";
 * consistencyCode("LOCAL_QUORUM", "consistency"); // 6
 * consistencyCode("LOCAL_SERIAL", "serial consistency"); // 9
 * ```
 */
export function consistencyCode(name: unknown, what: ConsistencyKind = "consistency"): number {
  const valid: readonly string[] = what === "serial consistency" ? SERIAL : REGULAR;
  if (typeof name === "string" && valid.includes(name)) {
    return ConsistencyCode[name as keyof typeof Consistency];
  }
  const shown = typeof name === "string" ? JSON.stringify(name) : String(name);
  throw new RangeError(`invalid ${what} ${shown}; valid names: ${valid.join(", ")}`);
}

/**
 * Turns a wire code back into its name, e.g. for error messages decoded from the
 * server. An unknown code becomes `"UNKNOWN(0x00ff)"` rather than an exception,
 * since it usually comes from a newer server and should not hide the real error.
 */
export function consistencyName(code: number): string {
  return NAMES[code] ?? `UNKNOWN(0x${(code & 0xffff).toString(16).padStart(4, "0")})`;
}
