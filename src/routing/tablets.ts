/**
 * ScyllaDB tablets (`docs/dev/protocol-extensions.md`, "Tablets routing v1"
 * and "v2"; `docs/dev/tablets-routing-v2.md`): the driver-side cache of the
 * routing payloads a node attaches to a RESULT when a request reached a node
 * or shard that does not hold the partition's tablet (v2 also: when the
 * request's version block disagrees). The payload decoder lives in
 * `tablet_payload.ts` and is re-exported here.
 *
 * A tablets table has no token ring: its partitions live in tablets, token
 * ranges `(firstToken, lastToken]` with their own replicas (host id and shard
 * each). The server never pushes the map; it corrects the driver one tablet at
 * a time, so the cache is partial and a miss means "route by the token ring and
 * let the server answer with the tablet".
 *
 * Pure data and functions: no I/O, no timers. Tokens come in as arguments
 * (a signed 64-bit `bigint`, or the `[high, low]` signed 32-bit words that
 * `murmur3TokenHiLo` fills), so this module does not depend on the hash.
 * @module
 */

import type { Tablet } from "./tablet_payload.ts";

export {
  decodeTabletPayload,
  type Tablet,
  type TabletReplica,
  TABLETS_ROUTING_V1,
  TABLETS_ROUTING_V1_PAYLOAD,
  TABLETS_ROUTING_V2,
  TABLETS_ROUTING_V2_PAYLOAD,
  tabletVersionBlock,
} from "./tablet_payload.ts";

const MIN_TOKEN = -(2n ** 63n);
const MAX_TOKEN = 2n ** 63n - 1n;

/**
 * The cached tablets of one table, sorted by token, never overlapping. Held in
 * parallel arrays so a lookup is a binary search over plain numbers or
 * bigints that allocates nothing. A handle stays valid for the life of its
 * {@link TabletMap} (dropping the table empties it), so a router may keep it.
 */
export class TableTablets {
  /** The tablets, in token order. */
  #tablets: Tablet[] = [];
  #firsts: bigint[] = [];
  #lasts: bigint[] = [];
  // The tokens again as signed high and unsigned low words, for [high, low] lookups.
  #firstHi = new Int32Array(16);
  #firstLo = new Uint32Array(16);
  #lastHi = new Int32Array(16);
  #lastLo = new Uint32Array(16);

  /** How many tablets are cached. */
  get count(): number {
    return this.#tablets.length;
  }

  /** The cached tablets in token order (a copy). */
  list(): Tablet[] {
    return this.#tablets.slice();
  }

  /** Index of the first tablet whose last token is >= `token`. */
  #search(token: bigint): number {
    const lasts = this.#lasts;
    let lo = 0, hi = lasts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lasts[mid] < token) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The tablet whose `(firstToken, lastToken]` holds `token`, if cached. Allocates nothing. */
  lookup(token: bigint): Tablet | undefined {
    const i = this.#search(token);
    return i < this.#lasts.length && this.#firsts[i] < token ? this.#tablets[i] : undefined;
  }

  /**
   * {@link lookup} for a token as its signed high and low 32-bit words (what
   * `murmur3Into` writes), so the hot path never builds a bigint.
   */
  lookupHiLo(tokenHi: number, tokenLo: number): Tablet | undefined {
    const th = tokenHi | 0, tl = tokenLo >>> 0;
    const lastHi = this.#lastHi, lastLo = this.#lastLo;
    let lo = 0, hi = this.#tablets.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const h = lastHi[mid];
      if (h < th || (h === th && lastLo[mid] < tl)) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.#tablets.length) return undefined;
    const h = this.#firstHi[lo];
    return h < th || (h === th && this.#firstLo[lo] < tl) ? this.#tablets[lo] : undefined;
  }

  /**
   * Caches `tablet`, first dropping every cached tablet whose range overlaps
   * it, as the protocol requires. A tablet with no replicas only drops.
   * @throws {RangeError} tokens outside the signed 64-bit range or an empty range
   */
  insert(tablet: Tablet): void {
    const { firstToken: first, lastToken: last } = tablet;
    if (first < MIN_TOKEN || last > MAX_TOKEN || last <= first) {
      throw new RangeError(`tablet range (${first}, ${last}] is empty or not 64-bit`);
    }
    // Overlap starts at the first tablet ending after `first` ((a, first] only touches)...
    const from = this.#search(first + 1n);
    // ...and ends before the first tablet starting at or after `last`.
    let to = from;
    const firsts = this.#firsts;
    {
      let hi = firsts.length;
      while (to < hi) {
        const mid = (to + hi) >>> 1;
        if (firsts[mid] < last) to = mid + 1;
        else hi = mid;
      }
    }
    if (tablet.replicas.length === 0) this.#splice(from, to - from);
    else this.#splice(from, to - from, tablet);
  }

  /** Drops every cached tablet. */
  clear(): void {
    this.#splice(0, this.#tablets.length);
  }

  /**
   * Removes `hostId` from every replica list, dropping tablets left with none.
   * A changed tablet loses its v2 version: it no longer describes the server's
   * replica set, and without one the next request asks for fresh routing.
   */
  dropHost(hostId: string): void {
    const kept: Tablet[] = [];
    let changed = false;
    for (const t of this.#tablets) {
      if (!t.replicas.some((r) => r.hostId === hostId)) {
        kept.push(t);
        continue;
      }
      changed = true;
      const replicas = t.replicas.filter((r) => r.hostId !== hostId);
      if (replicas.length > 0) {
        kept.push({ firstToken: t.firstToken, lastToken: t.lastToken, replicas });
      }
    }
    if (changed) this.#rebuild(kept);
  }

  #splice(at: number, remove: number, add?: Tablet): void {
    if (remove === 0 && add === undefined) return;
    const oldSize = this.#tablets.length;
    if (add === undefined) {
      this.#tablets.splice(at, remove);
      this.#firsts.splice(at, remove);
      this.#lasts.splice(at, remove);
    } else {
      this.#tablets.splice(at, remove, add);
      this.#firsts.splice(at, remove, add.firstToken);
      this.#lasts.splice(at, remove, add.lastToken);
    }
    const added = add === undefined ? 0 : 1;
    this.#reserve(oldSize - remove + added);
    for (const a of [this.#firstHi, this.#firstLo, this.#lastHi, this.#lastLo]) {
      a.copyWithin(at + added, at + remove, oldSize);
    }
    if (add !== undefined) this.#setHiLo(at, add);
  }

  #rebuild(tablets: Tablet[]): void {
    this.#tablets = tablets;
    this.#firsts = tablets.map((t) => t.firstToken);
    this.#lasts = tablets.map((t) => t.lastToken);
    this.#reserve(tablets.length);
    tablets.forEach((t, i) => this.#setHiLo(i, t));
  }

  /** Grows the [high, low] arrays to hold `n` tablets. */
  #reserve(n: number): void {
    if (n <= this.#lastHi.length) return;
    const cap = Math.max(n, this.#lastHi.length * 2);
    const grow = <A extends Int32Array | Uint32Array>(a: A, make: (n: number) => A): A => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.#firstHi = grow(this.#firstHi, (c) => new Int32Array(c));
    this.#firstLo = grow(this.#firstLo, (c) => new Uint32Array(c));
    this.#lastHi = grow(this.#lastHi, (c) => new Int32Array(c));
    this.#lastLo = grow(this.#lastLo, (c) => new Uint32Array(c));
  }

  #setHiLo(i: number, t: Tablet): void {
    const f = BigInt.asUintN(64, t.firstToken), l = BigInt.asUintN(64, t.lastToken);
    this.#firstHi[i] = Number(f >> 32n) | 0;
    this.#firstLo[i] = Number(f & 0xffffffffn);
    this.#lastHi[i] = Number(l >> 32n) | 0;
    this.#lastLo[i] = Number(l & 0xffffffffn);
  }
}

/**
 * The driver's tablet cache: per keyspace and table, the tablets the servers
 * described in routing payloads. Keyed by a two-level map so a lookup builds
 * no `ks.table` string.
 * @example
 * ```ts
 * import { TabletMap } from "./tablets.ts";
 * const map = new TabletMap();
 * const replicas = [{ hostId: "2a1f0b7c-5d1e-4f43-9c3a-1b2c3d4e5f60", shard: 3 }];
 * map.insert("ks", "t", { firstToken: -100n, lastToken: 100n, replicas });
 * console.assert(map.lookup("ks", "t", 100n)?.replicas[0].shard === 3);
 * console.assert(map.lookup("ks", "t", -100n) === undefined); // first token is exclusive
 * ```
 */
export class TabletMap {
  #keyspaces = new Map<string, Map<string, TableTablets>>();

  /** The table's handle if it was ever used, else `undefined`. */
  table(keyspace: string, table: string): TableTablets | undefined {
    return this.#keyspaces.get(keyspace)?.get(table);
  }

  /** The table's handle, created empty when new: for a router to keep per prepared statement. */
  tableFor(keyspace: string, table: string): TableTablets {
    let tables = this.#keyspaces.get(keyspace);
    if (tables === undefined) this.#keyspaces.set(keyspace, tables = new Map());
    let t = tables.get(table);
    if (t === undefined) tables.set(table, t = new TableTablets());
    return t;
  }

  /**
   * Caches a tablet of `keyspace.table`, replacing every overlapping one.
   * @throws {RangeError} tokens outside the signed 64-bit range or an empty range
   */
  insert(keyspace: string, table: string, tablet: Tablet): void {
    this.tableFor(keyspace, table).insert(tablet);
  }

  /** The cached tablet holding `token` (first token exclusive, last inclusive). Allocates nothing. */
  lookup(keyspace: string, table: string, token: bigint): Tablet | undefined {
    return this.#keyspaces.get(keyspace)?.get(table)?.lookup(token);
  }

  /** {@link lookup} with the token as its signed high and low 32-bit words. */
  lookupHiLo(
    keyspace: string,
    table: string,
    tokenHi: number,
    tokenLo: number,
  ): Tablet | undefined {
    return this.#keyspaces.get(keyspace)?.get(table)?.lookupHiLo(tokenHi, tokenLo);
  }

  /**
   * The v2 version cached for the tablet holding `token`, for the request's
   * `tablet_version_block` ({@link tabletVersionBlock}); `undefined` when no
   * tablet or no version (learned over v1) is cached.
   */
  versionOf(keyspace: string, table: string, token: bigint): bigint | undefined {
    return this.lookup(keyspace, table, token)?.version;
  }

  /** Forgets a table's tablets (schema change: table dropped or recreated). */
  dropTable(keyspace: string, table: string): void {
    this.table(keyspace, table)?.clear();
  }

  /** Forgets every table of a keyspace. */
  dropKeyspace(keyspace: string): void {
    for (const t of this.#keyspaces.get(keyspace)?.values() ?? []) t.clear();
  }

  /** Removes a node (it left the cluster) from every replica list; see {@link TableTablets.dropHost}. */
  dropHost(hostId: string): void {
    for (const tables of this.#keyspaces.values()) {
      for (const t of tables.values()) t.dropHost(hostId);
    }
  }

  /** How many tablets of `keyspace.table` are cached. */
  count(keyspace: string, table: string): number {
    return this.table(keyspace, table)?.count ?? 0;
  }

  /** Tables with cached tablets and how many, for `getClusterData().tablets`. */
  summary(): { keyspace: string; table: string; count: number }[] {
    const out: { keyspace: string; table: string; count: number }[] = [];
    for (const [keyspace, tables] of this.#keyspaces) {
      for (const [table, t] of tables) {
        if (t.count > 0) out.push({ keyspace, table, count: t.count });
      }
    }
    return out;
  }
}
