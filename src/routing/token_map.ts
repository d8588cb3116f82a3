/**
 * The token ring and the replicas of each keyspace, computed as Cassandra
 * places them (SimpleStrategy, NetworkTopologyStrategy, LocalStrategy).
 * @module
 */

/** Where a node sits: its tokens, datacenter and rack. */
export interface RingPlacement {
  /** Tokens the node owns. */
  readonly tokens: readonly bigint[];
  /** Datacenter name. */
  readonly datacenter: string;
  /** Rack name. */
  readonly rack: string;
}

/** A keyspace's replication settings, as `system_schema.keyspaces` gives them. */
export interface ReplicatedKeyspace {
  /** Keyspace name (the replica cache key). */
  readonly name: string;
  /** `class` plus the strategy's options, e.g. `replication_factor` or one entry per DC. */
  readonly replication: Record<string, string>;
}

/**
 * Ring positions sorted by token, each with the node owning it. Generic over
 * the node type `N`, so the same ring serves the cluster's hosts and tests'
 * plain objects.
 */
export class TokenMap<N> {
  /** Tokens in ascending order. */
  readonly tokens: bigint[];
  /** `owners[i]` owns `tokens[i]`. */
  readonly owners: N[];
  #replicaCache = new Map<string, N[][]>();
  // The tokens again as signed high and unsigned low words: a request's token, hashed as two
  // 32-bit halves, finds its position without a bigint.
  readonly #hi: Int32Array;
  readonly #lo: Uint32Array;
  // The top bits of a token name its bucket; `#bucketStart[b]` is the first position in bucket
  // `b` or after it, so a lookup searches one bucket (about one token), not the whole ring.
  readonly #bucketShift: number;
  readonly #bucketStart: Uint32Array;
  #hosts: N[];
  #place: (n: N) => RingPlacement;

  /**
   * Builds the ring of `nodes`.
   * @param place where a node sits (tokens, datacenter, rack)
   */
  constructor(nodes: Iterable<N>, place: (n: N) => RingPlacement) {
    const ring: [bigint, N][] = [];
    this.#hosts = [...nodes];
    this.#place = place;
    for (const h of this.#hosts) for (const t of place(h).tokens) ring.push([t, h]);
    ring.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    this.tokens = ring.map((r) => r[0]);
    this.owners = ring.map((r) => r[1]);
    this.#hi = new Int32Array(ring.length);
    this.#lo = new Uint32Array(ring.length);
    for (let i = 0; i < ring.length; i++) {
      this.#hi[i] = Number(BigInt.asIntN(32, ring[i][0] >> 32n));
      this.#lo[i] = Number(BigInt.asUintN(32, ring[i][0]));
    }
    // About two buckets per token, at most 2^16 of them (a 256 KiB table).
    let bits = 1;
    while (bits < 16 && 1 << bits < 2 * ring.length) bits++;
    this.#bucketShift = 32 - bits;
    const start = this.#bucketStart = new Uint32Array((1 << bits) + 1);
    for (let b = 0, i = 0; b <= 1 << bits; b++) {
      while (i < ring.length && bucketOf(this.#hi[i], this.#bucketShift) < b) i++;
      start[b] = i;
    }
  }

  /** Index of the ring position owning `token`: the first token ≥ it, wrapping around. */
  indexOf(token: bigint): number {
    const t = this.tokens;
    let lo = 0, hi = t.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (t[mid] < token) lo = mid + 1;
      else hi = mid;
    }
    return lo === t.length ? 0 : lo;
  }

  /**
   * {@link indexOf} for a token given as its signed high and low 32-bit words
   * (`murmur3TokenHiLo`'s output); -1 when the ring is empty.
   */
  indexOfHiLo(tokenHi: number, tokenLo: number): number {
    const his = this.#hi, los = this.#lo, n = his.length;
    if (n === 0) return -1;
    const th = tokenHi | 0, tl = tokenLo >>> 0;
    // The first token >= this one is in its bucket or is the first of the next non-empty one.
    const b = bucketOf(th, this.#bucketShift);
    let lo = this.#bucketStart[b], hi = this.#bucketStart[b + 1];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const h = his[mid];
      if (h < th || (h === th && los[mid] < tl)) lo = mid + 1;
      else hi = mid;
    }
    return lo === n ? 0 : lo;
  }

  /**
   * Replicas of `token` in `keyspace`, primary first; every host when the
   * keyspace's strategy is unknown or it has no replication settings.
   */
  replicas(keyspace: ReplicatedKeyspace | undefined, token: bigint): N[] {
    if (this.tokens.length === 0) return [];
    return this.replicasAt(keyspace, this.indexOf(token));
  }

  /**
   * Replicas of the ring position `index` ({@link indexOf}) in `keyspace`, primary first,
   * computed once per keyspace and position: callers must not change the array.
   */
  replicasAt(keyspace: ReplicatedKeyspace | undefined, index: number): N[] {
    if (keyspace === undefined) return [this.owners[index]];
    let perIndex = this.#replicaCache.get(keyspace.name);
    if (perIndex === undefined) {
      perIndex = new Array(this.tokens.length);
      this.#replicaCache.set(keyspace.name, perIndex);
    }
    return perIndex[index] ??= this.#compute(keyspace.replication, index);
  }

  #compute(replication: Record<string, string>, start: number): N[] {
    const strategy = (replication.class ?? "").replace(/^org\.apache\.cassandra\.locator\./, "");
    switch (strategy) {
      case "SimpleStrategy":
        return this.#simple(start, parseRf(replication.replication_factor));
      case "NetworkTopologyStrategy":
        return this.#networkTopology(start, replication);
      default:
        // LocalStrategy, EverywhereStrategy: every node holds the data.
        return [this.owners[start], ...this.#hosts.filter((h) => h !== this.owners[start])];
    }
  }

  /** The next `rf` distinct hosts clockwise from `start`. */
  #simple(start: number, rf: number): N[] {
    const out: N[] = [];
    const n = this.tokens.length;
    for (let i = 0; i < n && out.length < rf; i++) {
      const h = this.owners[(start + i) % n];
      if (!out.includes(h)) out.push(h);
    }
    return out;
  }

  /**
   * Per datacenter, walks the ring taking hosts on racks not yet used; hosts
   * on used racks are taken only once every rack has one (Cassandra's
   * NetworkTopologyStrategy.calculateNaturalReplicas).
   */
  #networkTopology(start: number, replication: Record<string, string>): N[] {
    const wanted = new Map<string, number>();
    for (const [dc, rf] of Object.entries(replication)) {
      if (dc !== "class") wanted.set(dc, parseRf(rf));
    }
    const racksPerDc = new Map<string, Set<string>>();
    for (const h of this.#hosts) {
      const racks = racksPerDc.get(this.#place(h).datacenter) ?? new Set();
      racks.add(this.#place(h).rack);
      racksPerDc.set(this.#place(h).datacenter, racks);
    }
    const taken = new Map<string, N[]>();
    const seenRacks = new Map<string, Set<string>>();
    const skipped = new Map<string, N[]>();
    const out: N[] = [];
    const n = this.tokens.length;
    const done = (dc: string) => (taken.get(dc)?.length ?? 0) >= (wanted.get(dc) ?? 0);
    for (let i = 0; i < n; i++) {
      const h = this.owners[(start + i) % n];
      const dc = this.#place(h).datacenter;
      if (!wanted.has(dc) || done(dc) || out.includes(h)) continue;
      const dcTaken = taken.get(dc) ?? [];
      taken.set(dc, dcTaken);
      const racks = seenRacks.get(dc) ?? new Set<string>();
      seenRacks.set(dc, racks);
      if (!racks.has(this.#place(h).rack)) {
        racks.add(this.#place(h).rack);
        dcTaken.push(h);
        out.push(h);
        // Every rack used: hosts passed over earlier now fill the remaining places, in ring order.
        if (racks.size === racksPerDc.get(dc)?.size) {
          for (const s of skipped.get(dc) ?? []) {
            if (done(dc)) break;
            dcTaken.push(s);
            out.push(s);
          }
          skipped.set(dc, []);
        }
      } else if (racks.size === racksPerDc.get(dc)?.size) {
        dcTaken.push(h);
        out.push(h);
      } else {
        const list = skipped.get(dc) ?? [];
        if (!list.includes(h)) list.push(h);
        skipped.set(dc, list);
      }
    }
    return out;
  }
}

function parseRf(v: string | undefined): number {
  // Transient replication is written "3/1": the full count is what places replicas.
  const n = parseInt(String(v ?? "1").split("/")[0], 10);
  return Number.isFinite(n) && n > 0 ? n : 1;
}

/** The bucket of a token whose signed high word is `hi`: its top bits, in token order. */
function bucketOf(hi: number, shift: number): number {
  return (hi ^ 0x80000000) >>> shift;
}
