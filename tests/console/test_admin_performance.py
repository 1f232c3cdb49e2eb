"""Every main console page with 10,000 workers and 100,000 audit records: a bounded number of queries
(no N+1). Render times are printed (`-s`); the speed goal (< 300 ms) is measured by bench/admin_pages.py,
not asserted here, so a slow CI machine does not fail the suite."""
from __future__ import annotations

import time

import pytest

from tests.console.bigdata import build, pages

# Queries per page: session + user + the page's own; a list is page + count + filters, never per row.
MAX_QUERIES = 16


@pytest.mark.slow
def test_every_main_page_renders_with_a_bounded_number_of_queries(login, django_assert_max_num_queries):
    data = build()
    client = login("superuser")
    timings = {}
    for name, (url, params) in pages(data).items():
        client.get(url, params)  # warm: templates, permissions cache
        with django_assert_max_num_queries(MAX_QUERIES, info=name):
            started = time.perf_counter()
            response = client.get(url, params)
            timings[name] = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, name
    for name, ms in timings.items():
        print(f"{name:32} {ms:7.1f} ms")
    assert max(timings.values()) < 3000  # a gross regression only; the figure that matters is printed
