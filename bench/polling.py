"""Polling: a few changes among many Visma employees cost a few calls, not a scan.

    python bench/polling.py --db postgres --employees 100000 --edits 10

The Visma sandbox (50 ms per call, in this process) holds ~80 % of a --employees-worker Paychex company
as employees. A first `poll_visma` (as the schedule runs it) reads everything once — the snapshot the
connector keeps. Then a person edits --edits employees in Visma, and the next poll is measured: calls,
employees read and wall time. (These employees were not written by the connector, so the poll records
them and finds no drift to correct; drift correction under load is shown by bench/chaos.py.)

Physical limit: with `lastModifiedDateTime` filtering, the changed employees fit in one page
(VISMA_PAGE_SIZE 1000), so the floor is 1 call; a scan would be one call per 1000 employees.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Stack, machine  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--employees", type=int, default=100_000, help="Paychex workers (Visma holds ~80 %%)")
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    return parser.parse_args(argv)


def poll(vs) -> tuple[float, list[dict], str]:
    from django.core.management import call_command
    import io

    vs.clear_requests()
    out = io.StringIO()
    started = time.monotonic()
    call_command("poll_visma", stdout=out)
    return time.monotonic() - started, [r for r in vs.requests if "token" not in r["path"]], out.getvalue().strip()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    stack = Stack(db=args.db, name="bench_ml_polling")
    print(f"polling benchmark on {args.db}; machine: {machine()}", flush=True)
    stack.prepare()
    try:
        seeded = time.monotonic()
        px, vs = stack.sandboxes(workers=args.employees, latency_ms=args.latency_ms, visma_employees=True)
        total = len(vs._employees)
        print(f"  Visma holds {total} employees (seeded in {time.monotonic() - seeded:.0f} s)", flush=True)
        stack.configure()
        wall, requests, said = poll(vs)
        print(f"  first poll (builds the snapshot): {len(requests)} calls, {wall:.1f} s — {said}", flush=True)
        time.sleep(1.1)  # the edits are later than the cursor, as in real time
        edited = [e["employeeNumber"] for e in vs.employees()[:: max(1, total // args.edits)][: args.edits]]
        for cd in edited:
            vs.edit_employee(cd, lastName="EDITED BY HAND")
        wall, requests, said = poll(vs)
        reads = [r for r in requests if r["method"] == "GET"]
        writes = [r for r in requests if r["method"] in ("POST", "PUT")]
        print(f"\n{args.edits} edits among {total} Visma employees: next poll made {len(requests)} calls "
              f"({len(reads)} reads, {len(writes)} writes) in {wall:.1f} s")
        for r in requests:
            print(f"    {r['method']} {r['path']}?{r['query'][:80]} → {r['status']}")
        print(f"  floor: 1 page read; ratio {len(reads) / 1:.1f}; a scan would be {total // 1000 + 1} page reads "
              f"({(total // 1000 + 1) * args.latency_ms / 1000:.1f} s of latency alone)")
        print(f"  {said}")
    finally:
        stack.stop_all()
        stack.drop()


if __name__ == "__main__":
    main()
