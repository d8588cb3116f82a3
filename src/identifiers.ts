/**
 * CQL identifiers built from user input, so `USE` statements cannot be injected into.
 * @module
 */

const UNQUOTED = /^[A-Za-z0-9_]{1,48}$/;

/**
 * The CQL form of a keyspace name: double-quoted (inner quotes doubled) when
 * case-sensitive, else checked to be a plain identifier, which the server lower-cases.
 * @throws {TypeError} empty, not a string, or not a plain identifier when case-insensitive
 */
export function keyspaceIdentifier(name: string, caseSensitive: boolean): string {
  if (typeof name !== "string" || name === "") {
    throw new TypeError("keyspace name must be a non-empty string");
  }
  if (caseSensitive) return `"${name.replaceAll('"', '""')}"`;
  if (!UNQUOTED.test(name)) {
    throw new TypeError(
      `keyspace name "${name}" is not a plain identifier (letters, digits, _ up to 48); ` +
        "pass caseSensitive = true to use it quoted",
    );
  }
  return name;
}
