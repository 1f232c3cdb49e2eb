"""Fixtures and collection rules shared by every test module."""
from __future__ import annotations

import os

import pytest
from django.conf import settings

# Modules whose behaviour does not depend on the database: the simulators, the browser, the receiver
# fuzzing and the memory profile. CI runs them in the SQLite pass only, so the PostgreSQL pass (which
# exists for the concurrency, locking and SQL behaviour) stays short. ML_FULL_SUITE=1 runs them anyway.
DATABASE_INDEPENDENT = (
    "tests/sandbox/",
    "tests/browser/",
    "tests/attack/test_webhook_fuzz.py",
    "tests/polling/test_memory.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    if not on_postgres or os.environ.get("ML_FULL_SUITE") == "1":
        return
    skip = pytest.mark.skip(reason="database-independent: runs in the SQLite pass (ML_FULL_SUITE=1 to include)")
    root = str(config.rootpath)
    for item in items:
        path = os.path.relpath(str(item.path), root)
        if path.startswith(DATABASE_INDEPENDENT):
            item.add_marker(skip)
