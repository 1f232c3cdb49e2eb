"""Backfill: the initial load of a company, and a no-op re-run.

    python bench/backfill.py --db postgres --workers 10000             # goal: < 5 min, ≤ 1.2 calls/worker, RSS < 300 MB
    python bench/backfill.py --db sqlite --workers 10000
    python bench/backfill.py --db postgres --workers 100000 --latency-ms 0   # peak RSS at 100,000 (see README)

`python manage.py backfill --no-progress` runs as its own process (as an operator would run it) on a
fresh database with production settings, against the sandbox (50 ms per call, in this process) holding
the company in Paychex and an empty Visma. Then `backfill --restart` runs again over the same data: it
must write nothing. Calls are counted from the sandboxes' request logs (token calls listed apart), peak
RSS is the command's process (psutil, sampled every 0.2 s).

Physical limit: the calls that cannot be avoided (one create per worker, plus the pages) × 50 ms,
divided by the concurrency (BACKFILL_CONCURRENCY); the wall time is compared with it.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import BASE_DIR, PYTHON, CpuMeter, Stack, machine  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--workers", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, default=None, help="BACKFILL_CONCURRENCY (default: the setting)")
    parser.add_argument("--no-rerun", action="store_true")
    return parser.parse_args(argv)


def run_backfill(stack: Stack, extra: list[str], concurrency: int | None) -> tuple[float, int, int, str]:
    """Wall seconds, exit status, peak RSS bytes and the last output line of one `backfill` process."""
    import os

    argv = [PYTHON, "manage.py", "backfill", "--no-progress", *extra]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    log = stack.workdir / "backfill.log"
    started = time.monotonic()
    proc = subprocess.Popen(argv, cwd=BASE_DIR, env={**os.environ, **stack.env}, stdout=open(log, "ab"),
                            stderr=subprocess.STDOUT)
    meter = CpuMeter(lambda: [proc.pid], interval=0.2).start()
    code = proc.wait()
    meter.stop()
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.startswith("Run ")]
    return time.monotonic() - started, code, meter.peak_rss, lines[-1] if lines else "(no summary line)"


def calls(px, vs) -> Counter:
    out = Counter()
    for system, sandbox in (("paychex", px), ("visma", vs)):
        for r in sandbox.requests:
            kind = "token" if "token" in r["path"] else f"{r['method']} {_shape(r['path'])}"
            out[(system, kind)] += 1
    return out


def _shape(path: str) -> str:
    parts = path.strip("/").split("/")
    if parts[:2] == ["v1", "employee"] and len(parts) > 2:
        return "/v1/employee/{cd}"
    if parts[:1] == ["workers"] and len(parts) > 1:
        return "/workers/{id}" + ("/" + "/".join(parts[2:]) if len(parts) > 2 else "")
    if parts[:1] == ["companies"] and len(parts) > 2:
        return "/companies/{id}/" + "/".join(parts[2:])
    return path


def show(title: str, n: int, wall: float, code: int, rss: int, summary: str, counted: Counter, latency: float,
         concurrency: int) -> None:
    api = {k: v for k, v in counted.items() if k[1] != "token"}
    total = sum(api.values())
    writes = sum(v for (system, kind), v in api.items() if system == "visma" and kind.split()[0] in ("POST", "PUT"))
    print(f"\n{title}: {n} workers in {wall:.1f} s (exit {code}); peak RSS {rss / 2**20:.0f} MB; {summary}")
    print(f"  API calls {total} = {total / n:.3f} per worker; Visma writes {writes}; tokens "
          f"{sum(v for k, v in counted.items() if k[1] == 'token')}")
    for (system, kind), count in sorted(api.items(), key=lambda kv: -kv[1]):
        print(f"    {system:8} {kind:40} {count}")
    if latency:
        floor = total * latency / concurrency
        print(f"  floor: {total} calls × {latency * 1000:.0f} ms / {concurrency} in parallel = {floor:.1f} s; "
              f"ratio wall / floor {wall / floor:.2f}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    stack = Stack(db=args.db, name="bench_ml_backfill")
    print(f"backfill benchmark on {args.db}, {args.workers} workers, {args.latency_ms:.0f} ms per call; "
          f"machine: {machine()}", flush=True)
    stack.prepare()
    try:
        from django.conf import settings

        concurrency = args.concurrency or settings.SYNCJOBS["BACKFILL_CONCURRENCY"]
        px, vs = stack.sandboxes(workers=args.workers, latency_ms=args.latency_ms)
        stack.configure()
        px.clear_requests(), vs.clear_requests()
        wall, code, rss, summary = run_backfill(stack, ["--restart"], args.concurrency)
        show("first load", args.workers, wall, code, rss, summary, calls(px, vs), args.latency_ms / 1000, concurrency)
        print(f"  goals: < 300 s {'met' if wall < 300 else 'MISSED'}; ≤ 1.2 calls/worker "
              f"{'met' if sum(v for k, v in calls(px, vs).items() if k[1] != 'token') <= 1.2 * args.workers else 'MISSED'}; "
              f"RSS < 300 MB {'met' if rss < 300 * 2**20 else 'MISSED'}", flush=True)
        if not args.no_rerun:
            px.clear_requests(), vs.clear_requests()
            wall, code, rss, summary = run_backfill(stack, ["--restart"], args.concurrency)
            counted = calls(px, vs)
            show("no-op re-run", args.workers, wall, code, rss, summary, counted, args.latency_ms / 1000, concurrency)
            writes = sum(v for (system, kind), v in counted.items() if system == "visma" and kind.split()[0] in ("POST", "PUT"))
            print(f"  goals: < 30 s {'met' if wall < 30 else 'MISSED'}; 0 writes {'met' if writes == 0 else 'MISSED'}")
    finally:
        stack.stop_all()
        stack.drop()


if __name__ == "__main__":
    main()
