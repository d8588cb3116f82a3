/**
 * Argument checks shared by the builder and the statements: each names the
 * setting and what was wrong, without dumping the value's content.
 * @module
 */

/** Longest timeout timers can hold (`setTimeout` overflows above 2^31-1 ms). */
export const MAX_TIMEOUT_MS = 0x7fff_ffff;

/** Describes a value for an error message without dumping its content. */
export function describeValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  if (v === null || typeof v !== "object") return String(v);
  return Object.prototype.toString.call(v);
}

/**
 * Checks a timeout or other duration in ms: finite, > 0 and ≤ 2^31-1.
 * @param what names the setting in the error message
 * @throws {TypeError} not a number
 * @throws {RangeError} not finite, ≤ 0, or above 2^31-1 ms
 */
export function checkTimeout(ms: unknown, what = "timeout"): number {
  if (typeof ms !== "number") {
    throw new TypeError(`${what} must be a number of ms, got ${describeValue(ms)}`);
  }
  if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_TIMEOUT_MS) {
    throw new RangeError(
      `${what} must be a finite number of ms in (0, ${MAX_TIMEOUT_MS}], got ${ms}`,
    );
  }
  return ms;
}

/**
 * Checks a flag.
 * @param what names the setting in the error message
 * @throws {TypeError} not a boolean
 */
export function checkBoolean(on: unknown, what: string): boolean {
  if (typeof on !== "boolean") {
    throw new TypeError(`${what} must be a boolean, got ${describeValue(on)}`);
  }
  return on;
}

/**
 * Checks a count: a safe integer in 1..max.
 * @throws {TypeError} not a number
 * @throws {RangeError} not an integer, or out of range
 */
export function checkPositiveInteger(
  n: unknown,
  what: string,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof n !== "number") throw new TypeError(`${what} must be a number, got ${typeof n}`);
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    const bound = max < Number.MAX_SAFE_INTEGER ? ` ≤ ${max}` : "";
    throw new RangeError(`${what} must be a positive integer${bound}, got ${n}`);
  }
  return n;
}

/**
 * Checks a policy object: `null`, or an object with the given methods.
 * @throws {TypeError} neither an object nor `null`, or a method is missing
 */
export function checkPolicy<T>(p: T | null, what: string, methods: readonly string[]): T | null {
  if (p === null) return p;
  if (typeof p !== "object" && typeof p !== "function") {
    throw new TypeError(`${what} must be an object or null, got ${describeValue(p)}`);
  }
  for (const m of methods) {
    if (typeof (p as Record<string, unknown>)[m] !== "function") {
      throw new TypeError(`${what} must have a ${m}() method`);
    }
  }
  return p;
}

/**
 * Checks that `v` is an instance of `cls`.
 * @param call names the method in the message, e.g. `"query()"`
 * @throws {TypeError} it is not; the message names the class expected and the one given
 */
export function expectInstance(
  v: unknown,
  // deno-lint-ignore no-explicit-any
  cls: abstract new (...args: any[]) => unknown,
  call: string,
): void {
  if (!(v instanceof cls)) {
    const got = v === null
      ? "null"
      : typeof v === "object"
      ? v.constructor?.name ?? "object"
      : typeof v;
    throw new TypeError(`${call} takes a ${cls.name}, got ${got}`);
  }
}
