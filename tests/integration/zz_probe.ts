import { Session } from "../../mod.ts";
const s = await Session.connect(["127.0.0.7:9042"]);
const ks = "zzprobe";
await s.execute(
  `CREATE KEYSPACE IF NOT EXISTS ${ks} WITH replication = {'class':'SimpleStrategy','replication_factor':1}`,
);
await s.execute(`CREATE TYPE IF NOT EXISTS ${ks}.addr (street text, zip int)`);
await s.execute(
  `CREATE TABLE IF NOT EXISTS ${ks}.t (id int PRIMARY KEY, a set<frozen<tuple<int, text>>>, b tuple<int,text>, c frozen<addr>, d addr, e list<frozen<addr>>, f frozen<list<int>>, g map<int, frozen<list<int>>>, h vector<float, 3>, i vector<text, 2>)`,
);
const rs = await s.execute(`SELECT * FROM ${ks}.t`);
const schema = await s.execute(
  `SELECT column_name, type FROM system_schema.columns WHERE keyspace_name = '${ks}' AND table_name = 't'`,
);
const st = new Map(schema.rows().map((r) => [r.get(0), r.get(1)]));
for (const c of rs.colSpecs()) console.log(c.name, "|", c.type, "| schema:", st.get(c.name));
const ps = await s.prepare(`SELECT * FROM ${ks}.t WHERE id = ?`);
console.log(ps.resultColSpecs().map((c) => c.type));
await s.close();
