"""Load loop and result line shared by the Python bench clients.

Same client protocol as bench/clients/harness.mjs: arguments
--workload --concurrency --hosts [--duration S | --ops N] [--warmup S | --warmup-ops N]
[--keyspace] [--page-size] [--keys] [--null]; one JSON line on stdout.
`batch`: an UNLOGGED batch of BATCH_SIZE (10) prepared INSERTs, keys k..k+9 (mod --keys).
The JSON line also carries `rss_warm_kb`, VmRSS right after the warm-up.

CPU is user+sys of this process (getrusage RUSAGE_SELF, all threads) over the
measured phase only; peak RSS is VmHWM from /proc/self/status at exit.
Latencies are kept in a list and percentiles read from the sorted sample
(cheaper per operation than a pure-Python HDR histogram).
"""

import argparse
import asyncio
import json
import os
import platform
import random
import re
import resource
import sys
import threading
import time

WORKLOADS = [
    "read",
    "read_bind",
    "read_prepared",
    "write",
    "write_bind",
    "write_prepared",
    "paged_read",
    "batch",
    "tablets_read",
]

BATCH_SIZE = 10

READ_BIND = "SELECT id, value FROM test WHERE id = ?"
WRITE_BIND = "INSERT INTO test (id, value) VALUES (?, ?)"
PAGED = "SELECT ck, v FROM paged WHERE pk = ?"
TABLETS_READ = "SELECT v FROM t WHERE k = ?"
# How long past a timed phase the callback harness waits for requests still out. A driver may
# lose requests when its node dies: scylla-driver 3.29.12 left 32 futures unanswered (no timeout
# fired in 25 s) when the null server was killed mid-run, and the client waited forever.
LOST_AFTER_S = 10


def read_cql(k):
    return f"SELECT id, value FROM test WHERE id = {k}"


def write_cql(k):
    return f"INSERT INTO test (id, value) VALUES ({k}, {k})"


def batch_keys(k, keys):
    return [(k + i) % keys for i in range(BATCH_SIZE)]


def parse_args(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--workload", default="read_prepared", choices=WORKLOADS)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--hosts", default="127.0.0.3:9042")
    p.add_argument("--duration", type=float, default=0)
    p.add_argument("--ops", type=int, default=0)
    p.add_argument("--warmup", type=float, default=0)
    p.add_argument("--warmup-ops", type=int, default=0)
    p.add_argument("--keyspace", default="benchks")
    p.add_argument("--page-size", type=int, default=5000)
    p.add_argument("--keys", type=int, default=65536)
    p.add_argument("--null", action="store_true")
    p.add_argument("--inflight", type=int, default=0)
    p.add_argument("--routing-forced", action="store_true")
    o = p.parse_args(argv)
    if not o.duration and not o.ops:
        o.duration = 5
    if not o.warmup and not o.warmup_ops:
        o.warmup = 1
    o.hosts = o.hosts.split(",")
    return o


def host_port(s):
    host, _, port = s.rpartition(":")
    return (host, int(port)) if host else (s, 9042)


def cpu_us():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return (r.ru_utime + r.ru_stime) * 1e6


def rss_now_kb():
    try:
        with open("/proc/self/status") as f:
            m = re.search(r"VmRSS:\s*(\d+)", f.read())
        return int(m.group(1)) if m else None
    except OSError:
        return None


def peak_rss_kb():
    try:
        with open("/proc/self/status") as f:
            m = re.search(r"VmHWM:\s*(\d+)", f.read())
        return int(m.group(1)) if m else None
    except OSError:
        return None


def runtime_name():
    return f"python {platform.python_version()}"


def finish():
    """Exits at once: some drivers' native threads crash the interpreter's shutdown."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def pct(sorted_us, p):
    if not sorted_us:
        return None
    i = min(len(sorted_us) - 1, int(len(sorted_us) * p / 100))
    return sorted_us[i]


def emit(info, o, done, errors, rows, elapsed, cpu, lat_ns, rss_warm=None):
    lat = sorted(x / 1000 for x in lat_ns)
    ok = done - errors
    print(
        json.dumps(
            {
                "driver": info["driver"],
                "runtime": info["runtime"],
                "workload": o.workload,
                "concurrency": o.concurrency,
                "ops": ok,
                "errors": errors,
                "rows": rows,
                "elapsed_s": elapsed,
                "ops_per_s": ok / elapsed if elapsed > 0 else 0,
                "lat_us": {
                    "mean": sum(lat) / len(lat) if lat else None,
                    "p50": pct(lat, 50),
                    "p90": pct(lat, 90),
                    "p99": pct(lat, 99),
                    "p999": pct(lat, 99.9),
                    "max": lat[-1] if lat else None,
                },
                "cpu_us": cpu,
                "cpu_us_per_op": cpu / ok if ok else None,
                "rss_kb": peak_rss_kb(),
                "rss_warm_kb": rss_warm,
            }
        ),
        flush=True,
    )


async def _phase(op, o, seconds, ops, lat):
    state = {"stop": False, "issued": 0, "done": 0, "errors": 0, "rows": 0, "err": None}
    keys = o.keys
    rnd = random.randrange
    clock = time.perf_counter_ns

    async def worker():
        while not state["stop"] and (ops == 0 or state["issued"] < ops):
            state["issued"] += 1
            key = rnd(keys)
            t0 = clock()
            try:
                n = await op(key)
                if n:
                    state["rows"] += n
            except Exception as e:  # noqa: BLE001 - counted and reported
                state["errors"] += 1
                if state["err"] is None:
                    state["err"] = e
            if lat is not None:
                lat.append(clock() - t0)
            state["done"] += 1

    loop = asyncio.get_running_loop()
    handle = loop.call_later(seconds, lambda: state.update(stop=True)) if seconds > 0 else None
    await asyncio.gather(*(worker() for _ in range(o.concurrency)))
    if handle:
        handle.cancel()
    if state["err"] is not None:
        print(f"first error: {state['err']!r}", file=sys.stderr)
    return state


async def run_bench(info, o, op):
    """Warm-up then the measured phase for an `async def op(key) -> rows | None`."""
    await _phase(op, o, o.warmup, o.warmup_ops, None)
    rss_warm = rss_now_kb()
    lat = []
    c0 = cpu_us()
    t0 = time.perf_counter()
    s = await _phase(op, o, o.duration, o.ops, lat)
    elapsed = time.perf_counter() - t0
    emit(info, o, s["done"], s["errors"], s["rows"], elapsed, cpu_us() - c0, lat, rss_warm)


def run_bench_callbacks(info, o, start_op):
    """The same for callback drivers: `start_op(key, done)` calls `done(rows, error)` once."""

    def phase(seconds, ops, lat):
        st = {"stop": False, "issued": 0, "done": 0, "errors": 0, "rows": 0, "err": None}
        live = [o.concurrency]
        finished = threading.Event()
        lock = threading.Lock()
        keys = o.keys
        clock = time.perf_counter_ns

        def next_op():
            with lock:
                if st["stop"] or (ops and st["issued"] >= ops):
                    live[0] -= 1
                    if live[0] == 0:
                        finished.set()
                    return
                st["issued"] += 1
            t0 = clock()

            def done(rows, err):
                if lat is not None:
                    lat.append(clock() - t0)
                with lock:
                    st["done"] += 1
                    if err is not None:
                        st["errors"] += 1
                        if st["err"] is None:
                            st["err"] = err
                    elif rows:
                        st["rows"] += rows
                next_op()

            start_op(random.randrange(keys), done)

        timer = threading.Timer(seconds, lambda: st.update(stop=True)) if seconds > 0 else None
        if timer:
            timer.start()
        for _ in range(o.concurrency):
            next_op()
        if not finished.wait(seconds + LOST_AFTER_S if seconds > 0 else None):
            with lock:
                lost = live[0]
                st["done"] += lost
                st["errors"] += lost
                st["err"] = st["err"] or RuntimeError(f"{lost} requests never answered")
            print(f"{lost} requests still unanswered {LOST_AFTER_S} s after the phase", file=sys.stderr)
        if timer:
            timer.cancel()
        if st["err"] is not None:
            print(f"first error: {st['err']!r}", file=sys.stderr)
        return st

    phase(o.warmup, o.warmup_ops, None)
    rss_warm = rss_now_kb()
    lat = []
    c0 = cpu_us()
    t0 = time.perf_counter()
    s = phase(o.duration, o.ops, lat)
    elapsed = time.perf_counter() - t0
    emit(info, o, s["done"], s["errors"], s["rows"], elapsed, cpu_us() - c0, lat, rss_warm)
