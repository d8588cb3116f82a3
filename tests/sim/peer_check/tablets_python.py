"""Peer check of the SIMULATED ScyllaDB cluster's tablets (not ScyllaDB).

ScyllaDB's own Python driver (PyPI `scylla-driver`) learns tablets from the
`tablets-routing-v1`/`-v2` payloads and routes to the tablet's replica node and
shard. If the simulation follows ScyllaDB's rules, that driver's requests land
on a replica's node and shard after a warm-up; this script measures the share.

    python3 -m venv /tmp/tabvenv && /tmp/tabvenv/bin/pip install scylla-driver
    /tmp/tabvenv/bin/python tests/sim/peer_check/tablets_python.py [--v2] [--runtime bun]

It starts `serve_cluster.ts` (Deno by default), connects to 127.0.0.61-63,
prepares INSERT and SELECT on `tks.t` with the key bound, runs a warm-up, then
measured requests, then moves one tablet and checks the driver follows it.
Prints one JSON line of results; exits 1 if the measured share is under 99 %.
"""

import argparse
import json
import os
import random
import subprocess
import sys

from cassandra.cluster import Cluster, ExecutionProfile, EXEC_PROFILE_DEFAULT
from cassandra.policies import RoundRobinPolicy, TokenAwarePolicy

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


class Sim:
    """The simulated cluster as a child process, driven line by line."""

    def __init__(self, runtime, port, v2):
        script = os.path.join(HERE, "serve_cluster.ts")
        cmd = {"deno": ["deno", "run", "-A", script], "bun": ["bun", script]}[runtime]
        cmd += ["--port", str(port)] + (["--v2"] if v2 else [])
        env = dict(os.environ, PATH=os.path.join(ROOT, "node_modules", ".bin") + os.pathsep + os.environ["PATH"])
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        self.ready = json.loads(self.proc.stdout.readline())

    def ask(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--v2", action="store_true", help="advertise and negotiate TABLETS_ROUTING_V2_EXPERIMENTAL")
    ap.add_argument("--runtime", default="deno", choices=["deno", "bun"])
    ap.add_argument("--port", type=int, default=19042)
    ap.add_argument("--warmup", type=int, default=2000)
    ap.add_argument("--requests", type=int, default=5000)
    args = ap.parse_args()

    sim = Sim(args.runtime, args.port, args.v2)
    cluster = None
    try:
        profile = ExecutionProfile(load_balancing_policy=TokenAwarePolicy(RoundRobinPolicy()))
        cluster = Cluster(
            contact_points=["127.0.0.61", "127.0.0.62", "127.0.0.63"],
            port=sim.ready["port"],
            protocol_version=4,
            execution_profiles={EXEC_PROFILE_DEFAULT: profile},
        )
        session = cluster.connect()
        insert = session.prepare("INSERT INTO tks.t (k, v) VALUES (?, ?)")
        select = session.prepare("SELECT v FROM tks.t WHERE k = ?")
        rnd = random.Random(42)

        def run(n):
            for i in range(n):
                k = rnd.randrange(-2**31, 2**31)
                if i % 2:
                    session.execute(insert, (k, i))
                else:
                    session.execute(select, (k,))

        run(args.warmup)
        sim.ask("mark")
        run(args.requests)
        answer = sim.ask("share")
        measured = answer["share"]
        learned = len(cluster.metadata._tablets._tablets.get(("tks", "t"), []))

        # Move the tablet of one key; the next request to it may miss once, then none should.
        key = 12345
        token = cluster.metadata.token_map.token_class.from_key(insert.bind((key, 0)).routing_key).value
        moved = sim.ask("move %d" % token)["moved"]
        sim.ask("mark")
        for i in range(20):
            session.execute(insert, (key, i))
        after_move = sim.ask("share")["share"]

        result = {
            "driver": "scylla-driver (python)",
            "offered": "v1+v2" if args.v2 else "v1",
            "runtime": args.runtime,
            "simTablets": sim.ready["tablets"],
            "learnedTablets": learned,
            "warmup": args.warmup,
            "measured": measured,
            "negotiated": answer["negotiated"],
            "payloadKeys": answer["payloadKeys"],
            "replicaNodeShare": measured["onReplica"] / measured["requests"],
            "replicaShardShare": measured["onReplicaShard"] / measured["requests"],
            "afterMove": {"requests": after_move["requests"], "onReplicaShard": after_move["onReplicaShard"],
                          "withPayload": after_move["withPayload"], "newReplicas": moved["replicas"]},
        }
        print(json.dumps(result))
        ok = result["replicaShardShare"] >= 0.99 and after_move["onReplicaShard"] >= after_move["requests"] - 1
        sys.exit(0 if ok else 1)
    finally:
        if cluster is not None:
            cluster.shutdown()
        sim.close()


if __name__ == "__main__":
    main()
