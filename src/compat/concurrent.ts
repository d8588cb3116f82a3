/**
 * `concurrent.executeConcurrent`, shaped like `cassandra-driver`'s: runs one
 * statement over many parameter sets (or many statements), at most
 * `concurrencyLevel` at a time, each prepared, and resolves with a
 * {@link ResultSetGroup}. Unlike `cassandra-driver`, with `raiseOnFirstError`
 * it rejects once the statements already in flight have settled, so nothing
 * of the call still runs after its promise is done.
 * @module
 */

import type { QueryOptions } from "./client_options.ts";
import type { Params } from "./client.ts";
import type { ResultSet } from "./result_set.ts";

/** What `executeConcurrent` needs of a client: `Client.execute` with a promise. */
export interface ConcurrentClient {
  /** Runs one statement (see `Client.execute`). */
  execute(query: string, params?: Params, options?: QueryOptions): Promise<ResultSet>;
}

/** Options of {@link executeConcurrent}, as `cassandra-driver`'s. */
export interface ConcurrentOptions {
  /** Statements in flight at once (default 100). */
  concurrencyLevel?: number;
  /** Execution profile of every statement. */
  executionProfile?: string;
  /** Reject with the first error and start nothing more (default `true`). */
  raiseOnFirstError?: boolean;
  /** Keep every result (or error) in `resultItems`, by index (default `false`). */
  collectResults?: boolean;
  /** Errors kept in `errors` at most (default 100); later ones are counted, not kept. */
  maxErrors?: number;
}

/** One statement with its parameters, for the array-of-statements form. */
export interface QueryAndParams {
  /** CQL text. */
  query: string;
  /** Its parameters. */
  params?: Params;
}

/** The outcome of {@link executeConcurrent}. */
export class ResultSetGroup {
  /** Statements that completed, successfully or not. */
  totalExecuted = 0;
  /** Errors, in the order they happened, up to `maxErrors`. */
  readonly errors: unknown[] = [];
  readonly #collect: boolean;
  readonly #maxErrors: number;
  readonly #items: (ResultSet | unknown)[] = [];

  /** @internal made by `executeConcurrent`. */
  constructor(options: ConcurrentOptions) {
    this.#collect = options.collectResults === true;
    this.#maxErrors = options.maxErrors || 100;
  }

  /**
   * Each statement's `ResultSet` or error, at its index.
   * @throws {Error} `collectResults` was not set
   */
  get resultItems(): (ResultSet | unknown)[] {
    if (!this.#collect) {
      throw new Error(
        "Property resultItems can not be accessed when collectResults is set to false",
      );
    }
    return this.#items;
  }

  /** @internal */
  setResultItem(index: number, rs: ResultSet): void {
    this.totalExecuted++;
    if (this.#collect) this.#items[index] = rs;
  }

  /** @internal */
  setError(index: number, err: unknown): void {
    this.totalExecuted++;
    if (this.errors.length < this.#maxErrors) this.errors.push(err);
    if (this.#collect) this.#items[index] = err;
  }
}

/**
 * Runs `query` once per parameter set in `parameters` (an array, or an async
 * iterable such as a Node object-mode `Readable`), or each `{ query, params }`
 * of an array, with at most `concurrencyLevel` in flight. Every statement is
 * prepared (`prepare: true`).
 * @throws {TypeError} no client, or arguments in none of the accepted forms
 */
export function executeConcurrent(
  client: ConcurrentClient,
  query: string,
  parameters: readonly Params[] | AsyncIterable<Params>,
  options?: ConcurrentOptions,
): Promise<ResultSetGroup>;
/**
 * Runs each `{ query, params }` of `queries`, at most `concurrencyLevel` at a time.
 * @throws {TypeError} no client, or arguments in none of the accepted forms
 */
export function executeConcurrent(
  client: ConcurrentClient,
  queries: readonly QueryAndParams[],
  options?: ConcurrentOptions,
): Promise<ResultSetGroup>;
/**
 * Either form above.
 * @throws {TypeError} no client, or arguments in none of the accepted forms
 */
export function executeConcurrent(
  client: ConcurrentClient,
  query: string | readonly QueryAndParams[],
  parameters?: readonly Params[] | AsyncIterable<Params> | ConcurrentOptions,
  options?: ConcurrentOptions,
): Promise<ResultSetGroup> {
  if (!client || typeof client.execute !== "function") {
    throw new TypeError("Client instance is not defined");
  }
  let items: Iterable<QueryAndParams> | AsyncIterable<QueryAndParams>;
  if (typeof query === "string") {
    if (Array.isArray(parameters)) {
      items = (parameters as readonly Params[]).map((params) => ({ query, params }));
    } else if (isAsyncIterable(parameters)) {
      items = withQuery(query, parameters);
    } else {
      throw new TypeError("parameters should be an Array or a Stream instance");
    }
  } else if (Array.isArray(query)) {
    options = parameters as ConcurrentOptions | undefined;
    items = query;
  } else {
    throw new TypeError("A string query or query and parameters array should be provided");
  }
  return run(client, items, options ?? {});
}

function isAsyncIterable(x: unknown): x is AsyncIterable<Params> {
  return x !== null && typeof x === "object" && Symbol.asyncIterator in x;
}

async function* withQuery(
  query: string,
  source: AsyncIterable<Params>,
): AsyncIterable<QueryAndParams> {
  for await (const params of source) {
    if (!Array.isArray(params)) {
      throw new TypeError("Stream should be in objectMode and should emit Array instances");
    }
    yield { query, params };
  }
}

/**
 * `level` workers pull from one iterator, so at most `level` statements are in
 * flight and an async source is read no faster than they complete.
 */
async function run(
  client: ConcurrentClient,
  items: Iterable<QueryAndParams> | AsyncIterable<QueryAndParams>,
  options: ConcurrentOptions,
): Promise<ResultSetGroup> {
  const level = options.concurrencyLevel || 100;
  const raise = options.raiseOnFirstError !== false;
  // Passed on only when set: the facade refuses options it cannot honour, naming them.
  const queryOptions: QueryOptions = options.executionProfile === undefined
    ? { prepare: true }
    : { prepare: true, executionProfile: options.executionProfile };
  const group = new ResultSetGroup(options);
  const it = Symbol.asyncIterator in items
    ? (items as AsyncIterable<QueryAndParams>)[Symbol.asyncIterator]()
    : (items as Iterable<QueryAndParams>)[Symbol.iterator]();
  let next = 0;
  let failed: { error: unknown } | null = null;
  const worker = async () => {
    while (failed === null || !raise) {
      const step = await it.next();
      if (step.done) return;
      const index = next++;
      try {
        group.setResultItem(
          index,
          await client.execute(step.value.query, step.value.params, queryOptions),
        );
      } catch (e) {
        group.setError(index, e);
        failed ??= { error: e };
      }
    }
  };
  await Promise.all(Array.from({ length: level }, worker));
  if (raise && failed !== null) throw (failed as { error: unknown }).error;
  return group;
}
