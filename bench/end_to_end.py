"""End to end: from a change in the sandbox Paychex to the employee updated in the sandbox Visma.

    python bench/end_to_end.py --db postgres --changes 100 --interval 0.5
    python bench/end_to_end.py --db sqlite --changes 100 --interval 0.5
    python bench/end_to_end.py --db postgres --redis 5     # the Redis broker instead of the database

Production processes (gunicorn, `qcluster`) on a fresh database; the sandboxes (50 ms per API call) run
in this process. The Visma sandbox holds the company already (as after a backfill, which this script
runs first). Each change renames a different worker in Paychex; the sandbox posts the notification to
the registered webhook; the clock stops when the Visma sandbox applies the new name.

Physical floor: the calls one sync makes (counted from the sandboxes' request logs) × 50 ms, plus the
queue's pick-up delay (ORM broker: polls every Q_ORM_POLL_SECONDS). The median is compared with it.
"""
from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Stack, describe_ms, free_port, machine, percentile  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--redis", type=int, default=None, metavar="N", help="use redis://127.0.0.1:6379/N as broker")
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between changes")
    parser.add_argument("--workers", type=int, default=300, help="Paychex workers in the sandbox company")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    return parser.parse_args(argv)


class Watch:
    """Times when the Visma sandbox applies a wanted last name to an employee."""

    def __init__(self, vs) -> None:
        self.wanted: dict[str, tuple[str, float]] = {}
        self.seen: dict[str, float] = {}
        self.lock = threading.Lock()
        real = vs.apply_employee

        def apply(employee_cd, changes, moment=None):
            result = real(employee_cd, changes, moment)
            with self.lock:
                want = self.wanted.get(employee_cd)
                if want and result.get("lastName") == want[0] and employee_cd not in self.seen:
                    self.seen[employee_cd] = time.monotonic() - want[1]
            return result

        vs.apply_employee = apply

    def expect(self, employee_cd: str, last_name: str) -> None:
        with self.lock:
            self.wanted[employee_cd] = (last_name, time.monotonic())


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    stack = Stack(db=args.db, name="bench_ml_e2e", redis_db=args.redis)
    broker = f"Redis db {args.redis}" if args.redis is not None else "database broker"
    print(f"end-to-end benchmark on {args.db} ({broker}); machine: {machine()}")
    stack.prepare()
    try:
        px, vs = stack.sandboxes(workers=args.workers, latency_ms=args.latency_ms, visma_employees=True,
                                 webhook_retry_seconds=5)
        port = free_port()
        stack.configure(public_url=f"http://127.0.0.1:{port}")
        from django.core.management import call_command

        call_command("backfill", no_progress=True, stdout=open("/dev/null", "w"))
        stack.web(port, workers=2)
        stack.cluster()
        time.sleep(3)  # the cluster's workers are up
        active = [w for w in px.workers() if w["currentStatus"]["statusType"] == "ACTIVE"]
        watch = Watch(vs)
        px.clear_requests(), vs.clear_requests()
        for number, worker in enumerate(active[: args.changes]):
            new_name = f"Endtoend{number:05d}"
            watch.expect(worker["employeeId"], new_name)
            px.rename(worker["workerId"], family_name=new_name)
            time.sleep(args.interval)
        deadline = time.monotonic() + 60
        while len(watch.seen) < len(watch.wanted) and time.monotonic() < deadline:
            time.sleep(0.2)
        latencies = list(watch.seen.values())
        calls = [r for r in px.requests + vs.requests if "token" not in r["path"]]
        per_sync = len(calls) / max(1, len(latencies))
        floor = per_sync * args.latency_ms / 1000
        poll = 0.0 if args.redis is not None else 0.1 / 2
        print(f"\n{len(latencies)} of {len(watch.wanted)} changes arrived in Visma "
              f"({len(watch.wanted) - len(latencies)} missing after 60 s)")
        print(f"  change → Visma: {describe_ms(latencies)}")
        print(f"  API calls per change {per_sync:.1f} (Paychex + Visma, tokens excluded) × {args.latency_ms:.0f} ms "
              f"= {floor * 1000:.0f} ms floor, + queue pick-up ≈ {poll * 1000:.0f} ms on average")
        print(f"  ratio p50 / floor {percentile(latencies, 50) / (floor + poll):.2f}; p95 goal < 1 s: "
              f"{'met' if percentile(latencies, 95) < 1.0 else 'MISSED'}")
    finally:
        stack.stop_all()
        stack.drop()


if __name__ == "__main__":
    main()
