import { Query, Session } from "../mod.ts";
const s = await Session.connect(["127.0.0.5:9042"]);
try {
  const r = await s.query(new Query("SELECT keyspace_name, table_name FROM system_schema.tables").withPageSize(5).withPagingState(new Uint8Array(0)));
  console.log("empty state:", r.length, r.pagingState?.length);
} catch (e) { console.log("empty state FAIL", e); }
const r2 = await s.query(new Query("SELECT keyspace_name, table_name FROM system_schema.tables").withPageSize(5));
console.log("no state:", r2.length, r2.pagingState);
await s.close();
