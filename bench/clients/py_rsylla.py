"""Bench client for the Python `rsylla` package (PyPI), the system rsylla-ts translates.

Workloads as in rsylla's own benchmark/rsylla_benchmark.py: `execute(cql)`,
`execute(cql, values)` (prepared under the hood), `execute_prepared(ps, values)`;
`paged_read` runs a Query with page size 5000 (rsylla 0.1 has no row iterator:
`execute` returns the rows it fetched); `batch`: `Batch("unlogged")` with the prepared
INSERT appended ten times, built once, `session.batch(b, ten {"id", "value"} dicts)`.
"""

import asyncio
import importlib.metadata

from py_harness import (
    BATCH_SIZE,
    PAGED,
    READ_BIND,
    TABLETS_READ,
    WRITE_BIND,
    batch_keys,
    finish,
    parse_args,
    read_cql,
    run_bench,
    runtime_name,
    write_cql,
)
from rsylla import Batch, Query, Session


async def main():
    o = parse_args()
    session = await Session.connect(o.hosts)
    await session.use_keyspace(o.keyspace, False)
    w = o.workload
    if w == "read":

        async def op(k):
            r = await session.execute(read_cql(k))
            row = r.first_row()
            if row:
                row.columns()
            return len(r)

    elif w == "read_bind":

        async def op(k):
            r = await session.execute(READ_BIND, {"id": k})
            row = r.first_row()
            if row:
                row.columns()
            return len(r)

    elif w == "read_prepared":
        ps = await session.prepare(READ_BIND)

        async def op(k):
            r = await session.execute_prepared(ps, {"id": k})
            row = r.first_row()
            if row:
                row.columns()
            return len(r)

    elif w == "write":

        async def op(k):
            await session.execute(write_cql(k))

    elif w == "write_bind":

        async def op(k):
            await session.execute(WRITE_BIND, {"id": k, "value": k})

    elif w == "write_prepared":
        ps = await session.prepare(WRITE_BIND)

        async def op(k):
            await session.execute_prepared(ps, {"id": k, "value": k})

    elif w == "paged_read":
        q = Query(PAGED.replace("?", "0")).with_page_size(o.page_size)

        async def op(k):
            n = 0
            for row in (await session.query(q)).rows():
                row.columns()
                n += 1
            return n

    elif w == "tablets_read":
        ps = await session.prepare(TABLETS_READ)

        async def op(k):
            r = await session.execute_prepared(ps, {"k": k})
            row = r.first_row()
            if row:
                row.columns()
            return len(r)

    elif w == "batch":
        ps = await session.prepare(WRITE_BIND)
        b = Batch("unlogged")
        for _ in range(BATCH_SIZE):
            b.append_prepared(ps)
        keys = o.keys

        async def op(k):
            await session.batch(b, [{"id": x, "value": x} for x in batch_keys(k, keys)])

    version = importlib.metadata.version("rsylla")
    await run_bench({"driver": f"rsylla-py {version}", "runtime": runtime_name()}, o, op)
    finish()


asyncio.run(main())
