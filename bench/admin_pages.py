"""Render time of every main console page with 10,000 workers and 100,000 audit records.

    .venv/bin/python -m bench.admin_pages [--repeat 5] [--workers 10000] [--audit 100000]

Builds the data set in a throw-away test database (SQLite by default, PostgreSQL with DATABASE_URL), then
prints each page's median render time (Django's test client, in-process, no template instrumentation)
and its query count. The goal: every page under 300 ms.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

GOAL_MS = 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workers", type=int, default=10_000)
    parser.add_argument("--audit", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    creation = connection.creation
    name = creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args, CaptureQueriesContext, connection)
    finally:
        creation.destroy_test_db(name, verbosity=0)


def run(args: argparse.Namespace, capture, connection) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import User
    from django.test import Client

    from tests.console.bigdata import build, pages

    started = time.perf_counter()
    data = build(workers=args.workers, audit_records=args.audit)
    print(f"data: {args.workers:,} workers, {args.audit:,} audit records in {time.perf_counter() - started:.1f} s "
          f"({connection.vendor})")
    client = Client()
    client.force_login(User.objects.create_superuser("bench", "bench@example.com", "pw"))
    slow = 0
    print(f"{'page':32} {'median':>9} {'max':>9} {'queries':>8}")
    for page, (url, params) in pages(data).items():
        client.get(url, params)
        times = []
        for _ in range(args.repeat):
            with capture(connection) as queries:
                t0 = time.perf_counter()
                response = client.get(url, params)
                times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (page, response.status_code)
        median = statistics.median(times)
        slow += median > GOAL_MS
        print(f"{page:32} {median:7.1f}ms {max(times):7.1f}ms {len(queries):8}")
    print(f"goal < {GOAL_MS} ms: {'met' if not slow else f'{slow} page(s) slower'}")


if __name__ == "__main__":
    main()
