/**
 * What the control connection listens to: which server events it registers
 * for on this server, and how the cluster reacts to each one (debounced
 * topology and schema refreshes, tablets dropped on schema changes, a node's
 * pool reconnected when it comes up).
 * @module
 */

import type { Connection } from "../pool/connection.ts";
import type { EventKind } from "../wire/requests/control.ts";
import { CLIENT_ROUTES_CHANGE, type ServerEvent } from "../wire/responses/event.ts";
import type { TabletMap } from "../routing/tablets.ts";
import { querySystem } from "./system_query.ts";

/** The events every server knows (v4 §4.2.6). */
const PROTOCOL_EVENTS = ["TOPOLOGY_CHANGE", "STATUS_CHANGE", "SCHEMA_CHANGE"] as const;

const CLIENT_ROUTES_TABLE = "SELECT table_name FROM system_schema.tables " +
  "WHERE keyspace_name = 'system' AND table_name = 'client_routes'";

const REFRESH_DEBOUNCE_MS = 500;

/**
 * The event types to REGISTER for on `c`. ScyllaDB's `CLIENT_ROUTES_CHANGE`
 * is announced by no SUPPORTED key (`docs/dev/protocol-extensions.md`: events
 * are subscribed to explicitly), and REGISTER with a type a server does not
 * know is a protocol error (Cassandra, older ScyllaDB: "Invalid value … for
 * Event.Type"). ScyllaDB added the event together with the
 * `system.client_routes` table it reports on, so it is asked for only where
 * a ScyllaDB node (`SCYLLA_*` keys in SUPPORTED) has that table.
 */
export async function eventTypes(c: Connection, timeoutMs: number): Promise<EventKind[]> {
  const types: EventKind[] = [...PROTOCOL_EVENTS];
  if (![...c.supported.keys()].some((k) => k.startsWith("SCYLLA_"))) return types;
  try {
    const rows = await querySystem(c, CLIENT_ROUTES_TABLE, timeoutMs);
    if (rows.length > 0) types.push(CLIENT_ROUTES_CHANGE);
  } catch {
    // Cannot tell: register for the events every server knows.
  }
  return types;
}

/** What the reactions to events act on: the cluster. */
export interface EventSink {
  /** Tablets learnt from routing payloads. */
  readonly tablets: TabletMap;
  /**
   * A node reported up or down: when up, its pool reconnects now. `false` when
   * no known node is at `address`.
   */
  statusChanged(address: string, up: boolean): boolean;
  /** Re-reads the nodes and their addresses. */
  refreshTopology(): Promise<void>;
  /** Re-reads one keyspace's schema. */
  refreshSchema(keyspace: string): Promise<void>;
  /** Reports what happens. */
  log(level: "debug" | "info" | "warn", message: string): void;
}

/** Reacts to server events, coalescing bursts of them into one refresh. */
export class ClusterEvents {
  readonly #sink: EventSink;
  #topologyTimer: ReturnType<typeof setTimeout> | undefined;
  #schemaTimer: ReturnType<typeof setTimeout> | undefined;
  #staleKeyspaces = new Set<string>();
  #closed = false;

  constructor(sink: EventSink) {
    this.#sink = sink;
  }

  /** Handles one event pushed on the control connection. */
  on(e: ServerEvent): void {
    if (this.#closed) return;
    switch (e.type) {
      case "TOPOLOGY_CHANGE":
        this.debounceTopology();
        break;
      case "STATUS_CHANGE":
        if (!this.#sink.statusChanged(e.address, e.change === "UP")) this.debounceTopology();
        break;
      case "SCHEMA_CHANGE":
        this.#onSchemaChange(e);
        break;
      case "CLIENT_ROUTES_CHANGE":
        // The routes (addresses) of these nodes changed: re-read where they are.
        this.#sink.log(
          "info",
          `client routes ${e.change} for node(s) ${e.hostIds.join(", ") || "(none named)"}`,
        );
        this.debounceTopology();
        break;
    }
  }

  /** Re-reads the topology once events stop arriving for a moment. */
  debounceTopology(): void {
    if (this.#closed) return;
    clearTimeout(this.#topologyTimer);
    this.#topologyTimer = setTimeout(() => this.#sink.refreshTopology(), REFRESH_DEBOUNCE_MS);
  }

  /** Cancels pending refreshes. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#topologyTimer);
    clearTimeout(this.#schemaTimer);
  }

  #onSchemaChange(e: Extract<ServerEvent, { type: "SCHEMA_CHANGE" }>): void {
    // A dropped or altered table (or keyspace) may have new tablets: forget the old ones.
    if (e.change !== "CREATED") {
      if (e.target === "KEYSPACE") this.#sink.tablets.dropKeyspace(e.keyspace);
      else if (e.target === "TABLE" && e.name !== undefined) {
        this.#sink.tablets.dropTable(e.keyspace, e.name);
      }
    }
    // Every keyspace changed within the debounce window is refreshed, not just the last.
    this.#staleKeyspaces.add(e.keyspace);
    clearTimeout(this.#schemaTimer);
    this.#schemaTimer = setTimeout(() => {
      const stale = [...this.#staleKeyspaces];
      this.#staleKeyspaces.clear();
      for (const ks of stale) {
        this.#sink.refreshSchema(ks).catch((err) =>
          this.#sink.log("warn", `schema refresh of ${ks} failed: ${err.message}`)
        );
      }
    }, REFRESH_DEBOUNCE_MS);
  }
}
