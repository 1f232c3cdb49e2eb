"""Fixtures for polling, backfill and reconciliation: sandboxes of a chosen size, connections, mappings."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from connector import http
from connector.models import Connection
from mappings.models import JobTitleMapping, LocationMapping, OrganizationMapping
from tests.sandboxes import paychex_connection, visma_connection  # noqa: F401  (re-exported)
from sandbox import PaychexSandbox, VismaSandbox, names
from syncjobs.api.auth import credentials
from syncjobs.visma_webhooks import signing_keys
from tests.syncjobs.conftest import seed_backoff_steps

WORKERS = 210  # three Paychex pages (100, 100, 10)


@pytest.fixture(autouse=True)
def fresh_process_state() -> Iterator[None]:
    # Backfills sync inline in tests (config.settings_test); test_concurrency.py runs the thread pool.
    for reset in (http.reset_process_state, credentials.clear, signing_keys.clear):
        reset()
    yield
    for reset in (http.reset_process_state, credentials.clear, signing_keys.clear):
        reset()


@pytest.fixture
def paychex_workers() -> int:
    """How many workers the Paychex sandbox has (a module overrides it to stay fast)."""
    return WORKERS


@pytest.fixture
def px(paychex_workers: int) -> Iterator[PaychexSandbox]:
    with PaychexSandbox(workers=paychex_workers, seed=5) as sandbox:
        yield sandbox


@pytest.fixture
def vs() -> Iterator[VismaSandbox]:
    with VismaSandbox(seed=5) as sandbox:  # empty: every employee is the connector's to create
        yield sandbox


def map_everything(paychex: Connection, px: PaychexSandbox) -> None:
    """Every organization to its sandbox department, every title and location to a valid value."""
    departments = {number: value[0] for number, value in names.VISMA_DEPARTMENTS.items() if value}
    OrganizationMapping.objects.bulk_create(
        OrganizationMapping(paychex_connection=paychex, source_id=o["organizationId"], source_name=o["name"],
                            target=departments.get(o.get("number"), "ADMIN")) for o in px.organizations())
    JobTitleMapping.objects.bulk_create(
        JobTitleMapping(paychex_connection=paychex, source_id=t["jobTitleId"], target="SKL") for t in px.job_titles())
    LocationMapping.objects.bulk_create(
        LocationMapping(paychex_connection=paychex, source_id=loc["locationId"], target="1") for loc in px.locations())


@pytest.fixture
def visma(db: Any, vs: VismaSandbox) -> Connection:
    return visma_connection(vs)


@pytest.fixture
def paychex(db: Any, px: PaychexSandbox, visma: Connection) -> Connection:
    """A Paychex connection writing to `visma`, with every source value mapped."""
    connection = paychex_connection(px, visma)
    map_everything(connection, px)
    seed_backoff_steps()
    return connection


def writes(sandbox: VismaSandbox) -> list[dict[str, Any]]:
    return [r for r in sandbox.requests if r["method"] in ("POST", "PUT") and r["path"].startswith("/v1/employee")]


def api_calls(sandbox: Any, method: str | None = None, prefix: str = "") -> list[dict[str, Any]]:
    """API calls the sandbox answered (token calls left out)."""
    return [r for r in sandbox.requests if "token" not in r["path"] and (method is None or r["method"] == method)
            and r["path"].startswith(prefix)]


def syncable(px: PaychexSandbox) -> list[dict[str, Any]]:
    """Workers the connector writes to Visma (PENDING/IN_PROGRESS are not synced)."""
    return [w for w in px.workers() if w["currentStatus"]["statusType"] not in ("PENDING", "IN_PROGRESS")]
