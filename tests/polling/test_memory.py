"""Backfill memory stays flat in headcount: the peak for 3× the workers is not 3× the peak.

The sandbox runs in its own process here (`python -m sandbox`), so only the connector's memory is traced.
"""
from __future__ import annotations

import logging
import socket
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator

import pytest
import requests

from connector.models import Connection
from sandbox import PaychexSandbox, VismaSandbox
from syncjobs import backfill
from syncjobs.models import SyncRun
from tests.polling.conftest import map_everything
from tests.syncjobs.conftest import seed_backoff_steps

pytestmark = pytest.mark.slow
SMALL = 200  # and 3 × SMALL: two and six Paychex pages


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def sandbox_process() -> Iterator:
    def start(workers: int) -> tuple[str, str]:
        ports = free_port(), free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "sandbox", "--workers", str(workers), "--seed", "3",
             "--paychex-port", str(ports[0]), "--visma-port", str(ports[1])],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append(process)
        urls = tuple(f"http://127.0.0.1:{port}" for port in ports)
        deadline = time.monotonic() + 30
        while True:
            try:
                if all(requests.get(url + "/_sandbox/state", timeout=1).ok for url in urls):
                    return urls
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    started: list[subprocess.Popen] = []
    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def connect(paychex_url: str, visma_url: str, workers: int, suffix: str) -> Connection:
    px, vs = PaychexSandbox(workers=workers, seed=3), VismaSandbox(seed=3)  # not started: same ids as the process
    visma = Connection(name=f"Visma {suffix}", system="visma", base_url=visma_url, token_url=visma_url + "/connect/token",
                       client_id=vs.client_id, tenant_id=vs.tenant_id)
    visma.set_client_secret(vs.client_secret)
    visma.save()
    paychex = Connection(name=f"Paychex {suffix}", system="paychex", base_url=paychex_url,
                         token_url=paychex_url + "/auth/oauth/v2/token", client_id=px.client_id,
                         company_id=px.company_id, destination=visma)
    paychex.set_client_secret(px.client_secret)
    paychex.save()
    map_everything(paychex, px)
    return paychex


def peak_of_backfill(sandbox_process, workers: int) -> int:
    paychex = connect(*sandbox_process(workers), workers, str(workers))
    # pytest keeps every captured log record (one INFO line per API call) in memory: not the product's.
    logging.disable(logging.INFO)
    tracemalloc.start()
    try:
        run = backfill.backfill(paychex)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        logging.disable(logging.NOTSET)
    assert run.status == SyncRun.Status.SUCCEEDED and run.progress_done == workers
    return peak


def test_backfill_peak_memory_does_not_grow_with_headcount(db, sandbox_process):
    seed_backoff_steps()
    small = peak_of_backfill(sandbox_process, SMALL)
    large = peak_of_backfill(sandbox_process, 3 * SMALL)

    # Keeping anything per worker (a page item alone is ~3 KB, with its Worker row and result far more)
    # would add over 3 KB per extra worker. The measured growth is 0 to ~0.6 KB, depending on when the
    # garbage collector runs and on pytest's log capture; the bound leaves room for that noise only.
    per_extra_worker = (large - small) / (2 * SMALL)
    print(f"peak {small} B for {SMALL} workers, {large} B for {3 * SMALL}: {per_extra_worker:.0f} B per extra worker")
    assert per_extra_worker < 1500 and large < small * 1.5, (small, large)
