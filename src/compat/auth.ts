/**
 * `auth` of the facade: `PlainTextAuthProvider` (what `credentials` builds),
 * mapped to the driver's PasswordAuthenticator credentials. Other providers
 * (SASL, DSE/Kerberos) are not supported.
 * @module
 */

/** Base of auth providers, as `auth.AuthProvider`; only `PlainTextAuthProvider` is supported. */
export class AuthProvider {
  /**
   * Not supported: the facade authenticates only with PlainTextAuthProvider.
   * @throws {TypeError} always
   */
  newAuthenticator(_endpoint: string, _name: string): never {
    throw new TypeError(
      "auth.AuthProvider.newAuthenticator is not supported by @rsylla/rsylla/compat: " +
        "use auth.PlainTextAuthProvider (PasswordAuthenticator)",
    );
  }
}

/** Username and password for Cassandra's PasswordAuthenticator, as `auth.PlainTextAuthProvider`. */
export class PlainTextAuthProvider extends AuthProvider {
  readonly #username: string;
  readonly #password: string;

  /** Credentials; the password is kept private and never printed. */
  constructor(username: string, password: string) {
    super();
    this.#username = username;
    this.#password = password;
  }

  /** @internal The credentials, for the client options. */
  credentials(): { username: string; password: string } {
    return { username: this.#username, password: this.#password };
  }
}

/** The facade's `auth` namespace. */
export const auth = { AuthProvider, PlainTextAuthProvider } as const;
