"""Fixtures for the mappings tests: connections to running sandboxes, a mapping context, a worker."""
from __future__ import annotations

import copy
from typing import Any, Iterator

import pytest

from connector import http
from connector.models import Connection
from mappings.context import MappingContext
from mappings.models import DEFAULT_STATUS_MAPPING, CatalogValue, TargetSettings
from tests.sandboxes import paychex_connection, visma_connection
from sandbox import PaychexSandbox, VismaSandbox
from tests.specs import load


@pytest.fixture(autouse=True)
def fresh_process_state() -> Iterator[None]:
    http.reset_process_state()
    yield
    http.reset_process_state()


@pytest.fixture
def visma_sandbox() -> Iterator[VismaSandbox]:
    with VismaSandbox(seed=3) as vs:
        yield vs


@pytest.fixture
def paychex_sandbox() -> Iterator[PaychexSandbox]:
    with PaychexSandbox(workers=30, seed=3) as px:
        yield px


@pytest.fixture
def visma(db: Any, visma_sandbox: VismaSandbox) -> Connection:
    return visma_connection(visma_sandbox, "Visma demo")


@pytest.fixture
def paychex(db: Any, paychex_sandbox: PaychexSandbox, visma: Connection) -> Connection:
    return paychex_connection(paychex_sandbox, visma, "Paychex demo")


@pytest.fixture
def offline_visma(db: Any) -> Connection:
    """A Visma connection nobody calls (for tests that only touch the database)."""
    return Connection.objects.create(name="Visma offline", system="visma", base_url="https://visma.invalid",
                                     token_url="https://visma.invalid/token", client_id="x")


@pytest.fixture
def offline_paychex(db: Any, offline_visma: Connection) -> Connection:
    return Connection.objects.create(name="Paychex offline", system="paychex", base_url="https://paychex.invalid",
                                     token_url="https://paychex.invalid/token", client_id="x",
                                     destination=offline_visma)


def add_catalog(visma: Connection, kind: str, values: dict[str, str], active: bool = True) -> None:
    for value_id, description in values.items():
        CatalogValue.objects.create(visma_connection=visma, kind=kind, value_id=value_id, description=description,
                                    active=active)


@pytest.fixture
def worker() -> dict[str, Any]:
    """The spec's sample worker (non-PII with communications), with a job title and a business e-mail."""
    item = copy.deepcopy(load("paychex", "worker-nonpii-communications-get.json")["content"][0])
    item.setdefault("job", {"jobTitleId": "970003436212358", "title": "Developer"})
    item.setdefault("organization", {"organizationId": "970003163104801", "name": "1 Branch 1 - north"})
    item["locationId"] = item.get("locationId") or "970003436212414"
    item["communications"] = [c for c in item.get("communications", []) if c.get("type") != "EMAIL"] + [
        {"type": "EMAIL", "usageType": "PERSONAL", "uri": "private@example.com"},
        {"type": "EMAIL", "usageType": "BUSINESS", "uri": "work@example.com"},
    ]
    return item


@pytest.fixture
def settings_row() -> TargetSettings:
    """Default target settings, unsaved (translate never touches the database)."""
    return TargetSettings()


@pytest.fixture
def context(worker: dict[str, Any], settings_row: TargetSettings) -> MappingContext:
    """Everything the sample worker needs is mapped."""
    return MappingContext(
        settings=settings_row,
        organizations={worker["organization"]["organizationId"]: "PROD1"},
        job_titles={worker["job"]["jobTitleId"]: "DEV"},
        locations={worker["locationId"]: "2"},
        statuses={status: target for status, (target, _) in DEFAULT_STATUS_MAPPING.items()},
    )
