"""A backfill under a low Visma rate limit completes without a single 429 (the sandbox refuses beyond the limit)."""
from __future__ import annotations

from collections import Counter

import pytest

from syncjobs import backfill
from syncjobs.models import SyncRun
from tests.polling.conftest import api_calls, syncable


@pytest.fixture
def paychex_workers() -> int:
    return 100


def test_a_backfill_never_exceeds_the_visma_rate_limit(paychex, px, vs):
    vs.faults.rate_limit, vs.faults.rate_window_seconds = 40, 1.0  # the backfill needs ~3 windows

    run = backfill.backfill(paychex)

    statuses = Counter(r["status"] for r in api_calls(vs))
    assert run.status == SyncRun.Status.SUCCEEDED
    assert statuses[429] == 0 and statuses[201] == len(syncable(px))
