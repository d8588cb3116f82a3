"""Bench client for `acsylla` (PyPI: asyncio over the DataStax/ScyllaDB C++ driver).

- `read`/`write`: `create_statement(cql)` with the values in the text;
- `*_bind`: `create_statement(cql, parameters=n)` + `bind_list` (a QUERY with bound values);
- `*_prepared`: `session.create_prepared(cql)` once, then `prepared.bind()` per operation;
- `paged_read`: prepared with `page_size`, following `page_state()`;
- `batch`: `create_batch_unlogged()` per operation, ten `prepared.bind()` statements added,
  `session.execute_batch(batch)`.
"""

import asyncio
import importlib.metadata

import acsylla
from py_harness import (
    PAGED,
    READ_BIND,
    TABLETS_READ,
    WRITE_BIND,
    batch_keys,
    finish,
    host_port,
    parse_args,
    read_cql,
    run_bench,
    runtime_name,
    write_cql,
)


async def main():
    o = parse_args()
    hosts = [host_port(h) for h in o.hosts]
    cluster = acsylla.create_cluster([h for h, _ in hosts], port=hosts[0][1], protocol_version=4)
    session = await cluster.create_session(keyspace=o.keyspace)
    w = o.workload
    if w == "read":

        async def op(k):
            r = await session.execute(acsylla.create_statement(read_cql(k)))
            row = r.first()
            if row:
                row.as_list()
            return r.count()

    elif w == "read_bind":

        async def op(k):
            st = acsylla.create_statement(READ_BIND, parameters=1)
            st.bind_list([k])
            r = await session.execute(st)
            row = r.first()
            if row:
                row.as_list()
            return r.count()

    elif w == "read_prepared":
        ps = await session.create_prepared(READ_BIND)

        async def op(k):
            st = ps.bind()
            st.bind_list([k])
            r = await session.execute(st)
            row = r.first()
            if row:
                row.as_list()
            return r.count()

    elif w == "write":

        async def op(k):
            await session.execute(acsylla.create_statement(write_cql(k)))

    elif w == "write_bind":

        async def op(k):
            st = acsylla.create_statement(WRITE_BIND, parameters=2)
            st.bind_list([k, k])
            await session.execute(st)

    elif w == "write_prepared":
        ps = await session.create_prepared(WRITE_BIND)

        async def op(k):
            st = ps.bind()
            st.bind_list([k, k])
            await session.execute(st)

    elif w == "paged_read":
        ps = await session.create_prepared(PAGED)

        async def op(k):
            n = 0
            st = ps.bind(page_size=o.page_size)
            st.bind_list([0])
            while True:
                r = await session.execute(st)
                for row in r:
                    row.as_list()
                    n += 1
                if not r.has_more_pages():
                    return n
                st.set_page_state(r.page_state())

    elif w == "tablets_read":
        ps = await session.create_prepared(TABLETS_READ)

        async def op(k):
            st = ps.bind()
            st.bind_list([k])
            r = await session.execute(st)
            row = r.first()
            if row:
                row.as_list()
            return r.count()

    elif w == "batch":
        ps = await session.create_prepared(WRITE_BIND)
        keys = o.keys

        async def op(k):
            batch = acsylla.create_batch_unlogged()
            for x in batch_keys(k, keys):
                st = ps.bind()
                st.bind_list([x, x])
                batch.add_statement(st)
            await session.execute_batch(batch)

    version = importlib.metadata.version("acsylla")
    await run_bench({"driver": f"acsylla {version}", "runtime": runtime_name()}, o, op)
    finish()


asyncio.run(main())
