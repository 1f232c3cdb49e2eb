"""Fixtures for the simulator tests: running sandboxes, authenticated sessions, a webhook receiver."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from werkzeug.wrappers import Request, Response

from sandbox import PaychexSandbox, VismaSandbox
from sandbox.server import BackgroundServer

VISMA_SCOPES = " ".join(f"vismanet_erp_service_api:{s}" for s in ("read", "create", "update", "delete"))


def specs_dir() -> Path:
    default = Path(__file__).resolve().parents[3] / "shared" / "specs"
    return Path(os.environ.get("ML_SPECS_DIR", default))


def paychex_sample(name: str) -> Any:
    path = specs_dir() / "paychex" / name
    if not path.exists():
        pytest.skip(f"spec sample {path} not available")
    return json.loads(path.read_text())


def visma_schema(name: str) -> dict[str, Any]:
    yaml = pytest.importorskip("yaml")
    path = specs_dir() / "visma" / "visma-net-erp-trimmed.openapi.yaml"
    if not path.exists():
        pytest.skip(f"spec {path} not available")
    return yaml.safe_load(path.read_text())["components"]["schemas"][name]


@pytest.fixture
def paychex() -> Iterator[PaychexSandbox]:
    with PaychexSandbox(workers=40, seed=7, webhook_retry_seconds=0.1) as px:
        yield px


def paychex_token(px: PaychexSandbox) -> str:
    form = {"grant_type": "client_credentials", "client_id": px.client_id, "client_secret": px.client_secret}
    return requests.post(px.token_url, data=form, timeout=5).json()["access_token"]


@pytest.fixture
def paychex_api(paychex: PaychexSandbox) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {paychex_token(paychex)}"
    return session


@pytest.fixture
def visma() -> Iterator[VismaSandbox]:
    with VismaSandbox(seed=7) as vs:
        yield vs


def visma_token(vs: VismaSandbox, scope: str = VISMA_SCOPES, **overrides: str) -> requests.Response:
    form = {"grant_type": "client_credentials", "client_id": vs.client_id, "client_secret": vs.client_secret,
            "scope": scope, "tenant_id": vs.tenant_id, **overrides}
    return requests.post(vs.token_url, data=form, timeout=5)


@pytest.fixture
def visma_api(visma: VismaSandbox) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {visma_token(visma).json()['access_token']}"
    return session


class Receiver:
    """A tiny webhook endpoint: records every POST and answers with scripted status codes."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.statuses: list[int] = []  # answered in order; 200 once exhausted
        self.delay = 0.0
        self._lock = threading.Lock()
        self.server = BackgroundServer(self.app)

    def app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        time.sleep(self.delay)
        with self._lock:
            status = self.statuses.pop(0) if self.statuses else 200
            self.calls.append({"headers": dict(request.headers), "raw": request.get_data(),
                               "json": json.loads(request.get_data() or b"null"), "status": status})
        return Response("", status=status)(environ, start_response)

    @property
    def url(self) -> str:
        return self.server.url + "/webhooks/"

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.calls) < count:
            time.sleep(0.02)
        return list(self.calls)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()
    rec.server.start()
    yield rec
    rec.server.stop()
