import { Query, Session } from "../../mod.ts";
const s = await Session.connect(["127.0.0.7:9042"]);
const ks = "zzprobe";
await s.execute(
  `CREATE KEYSPACE IF NOT EXISTS ${ks} WITH replication = {'class':'SimpleStrategy','replication_factor':1}`,
);
await s.execute(`CREATE TABLE IF NOT EXISTS ${ks}.p (pk int, ck int, PRIMARY KEY (pk, ck))`);
for (let i = 0; i < 25; i++) await s.execute(`INSERT INTO ${ks}.p (pk, ck) VALUES (1, ${i})`);
try {
  const r = await s.query(
    new Query(`SELECT * FROM ${ks}.p WHERE pk = 1`).withPageSize(10).withPagingState(
      new Uint8Array(0),
    ),
  );
  console.log("empty state:", r.length, r.pagingState);
} catch (e) {
  console.log("empty state err", e);
}
const r = await s.query(new Query(`SELECT * FROM ${ks}.p WHERE pk = 1`).withPageSize(10));
console.log(r.length, r.pagingState);
await s.close();
