"""Bench client for `scylla-driver` (PyPI; ScyllaDB's fork of the DataStax Python driver).

Driven the way its docs recommend for throughput: `execute_async` with callbacks
(as `cassandra.concurrent` does), no asyncio layer.
- `read`/`write`: `execute_async(cql)` with the values in the text;
- `*_bind`: `execute_async(cql_with_%s, params)`: this driver binds simple
  statements client-side, formatting the values into the CQL text;
- `*_prepared`: `session.prepare(cql)` once, then `execute_async(ps, params)`;
- `paged_read`: prepared with `fetch_size`, `start_fetching_next_page()` per page;
- `tablets_read`: prepared `SELECT v FROM t WHERE k = ?` (the tablets simulation's table);
- `batch`: `BatchStatement(batch_type=BatchType.UNLOGGED)` per operation, the prepared INSERT
  added ten times with its values, `execute_async(batch)`.
"""

import importlib.metadata
import logging

from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile
from cassandra.policies import DCAwareRoundRobinPolicy, TokenAwarePolicy
from cassandra.query import BatchStatement, BatchType
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
    run_bench_callbacks,
    runtime_name,
    write_cql,
)

logging.getLogger("cassandra").setLevel(logging.ERROR)


def main():
    o = parse_args()
    hosts = [host_port(h) for h in o.hosts]
    profile = ExecutionProfile(
        load_balancing_policy=TokenAwarePolicy(DCAwareRoundRobinPolicy(local_dc="datacenter1"))
    )
    cluster = Cluster(
        [h for h, _ in hosts],
        port=hosts[0][1],
        protocol_version=4,
        execution_profiles={EXEC_PROFILE_DEFAULT: profile},
    )
    session = cluster.connect(o.keyspace)
    w = o.workload

    def start(fut, done, rows_of):
        fut.add_callbacks(lambda rs: done(rows_of(rs), None), lambda e: done(0, e))

    def count_rows(rs):
        n = 0
        for row in rs:
            row[0]
            n += 1
        return n

    def none(_rs):
        return 0

    read_bind = READ_BIND.replace("?", "%s")
    write_bind = WRITE_BIND.replace("?", "%s")
    if w == "read":

        def op(k, done):
            start(session.execute_async(read_cql(k)), done, count_rows)

    elif w == "read_bind":

        def op(k, done):
            start(session.execute_async(read_bind, (k,)), done, count_rows)

    elif w == "read_prepared":
        ps = session.prepare(READ_BIND)

        def op(k, done):
            start(session.execute_async(ps, (k,)), done, count_rows)

    elif w == "write":

        def op(k, done):
            start(session.execute_async(write_cql(k)), done, none)

    elif w == "write_bind":

        def op(k, done):
            start(session.execute_async(write_bind, (k, k)), done, none)

    elif w == "write_prepared":
        ps = session.prepare(WRITE_BIND)

        def op(k, done):
            start(session.execute_async(ps, (k, k)), done, none)

    elif w == "paged_read":
        ps = session.prepare(PAGED)
        ps.fetch_size = o.page_size

        def op(k, done):
            fut = session.execute_async(ps, (0,))
            total = [0]

            def page(rows):
                for row in rows:
                    row[0]
                    total[0] += 1
                if fut.has_more_pages:
                    fut.start_fetching_next_page()
                else:
                    done(total[0], None)

            fut.add_callbacks(page, lambda e: done(0, e))

    elif w == "tablets_read":
        ps = session.prepare(TABLETS_READ)

        def op(k, done):
            start(session.execute_async(ps, (k,)), done, count_rows)

    elif w == "batch":
        ps = session.prepare(WRITE_BIND)
        keys = o.keys

        def op(k, done):
            b = BatchStatement(batch_type=BatchType.UNLOGGED)
            for x in batch_keys(k, keys):
                b.add(ps, (x, x))
            start(session.execute_async(b), done, none)

    version = importlib.metadata.version("scylla-driver")
    run_bench_callbacks({"driver": f"scylla-driver {version}", "runtime": runtime_name()}, o, op)
    finish()


main()
