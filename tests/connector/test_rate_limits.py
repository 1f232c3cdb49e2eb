"""429 waits for Retry-After (on the injected clock); X-RateLimit headers slow calls before the limit."""
from __future__ import annotations

import pytest
import responses

from connector.clients.visma import VismaClient
from connector.errors import ApiError
from tests.connector.conftest import VISMA_URL, calls_to, visma_token

BRANCHES = f"{VISMA_URL}/v1/branch"


@pytest.fixture
def client(visma, clock, mocked):
    visma_token(mocked)
    return VismaClient(visma, clock=clock)


def test_429_waits_retry_after_then_succeeds(client, clock, mocked):
    mocked.add(responses.GET, BRANCHES, status=429, headers={"Retry-After": "7"})
    mocked.add(responses.GET, BRANCHES, json=[{"number": "1"}])

    assert client.branches() == [{"number": "1"}]
    assert clock.sleeps == [7.0]
    assert len(calls_to(mocked, "/v1/branch")) == 2


def test_429_longer_than_the_inline_limit_raises_transient_with_retry_after(client, clock, mocked, settings):
    settings.CONNECTOR = {**settings.CONNECTOR, "MAX_INLINE_RETRY_AFTER_SECONDS": 30}
    mocked.add(responses.GET, BRANCHES, status=429, headers={"Retry-After": "120"})

    with pytest.raises(ApiError) as caught:
        client.branches()

    assert not caught.value.permanent
    assert caught.value.retry_after == 120.0 and caught.value.code == "rate_limited"
    assert clock.sleeps == []
    assert len(calls_to(mocked, "/v1/branch")) == 1


def test_429_inline_waits_are_bounded(client, clock, mocked, settings):
    settings.CONNECTOR = {**settings.CONNECTOR, "MAX_INLINE_RETRY_ATTEMPTS": 2}
    mocked.add(responses.GET, BRANCHES, status=429, headers={"Retry-After": "1"})

    with pytest.raises(ApiError) as caught:
        client.branches()

    assert not caught.value.permanent and caught.value.status == 429
    assert clock.sleeps == [1.0, 1.0]
    assert len(calls_to(mocked, "/v1/branch")) == 3


def test_rate_limit_headers_spread_the_remaining_calls_over_the_window(client, clock, mocked, settings):
    settings.CONNECTOR = {**settings.CONNECTOR, "RATE_LIMIT_SLOWDOWN_FRACTION": 0.1}
    low = {"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "50", "X-RateLimit-Reset": "600"}
    mocked.add(responses.GET, BRANCHES, json=[], headers=low)

    client.branches()
    assert clock.sleeps == []  # the first call is not delayed
    client.branches()
    assert clock.sleeps == [600 / 50]


def test_plenty_of_budget_means_no_slowdown(client, clock, mocked):
    plenty = {"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "900", "X-RateLimit-Reset": "600"}
    mocked.add(responses.GET, BRANCHES, json=[], headers=plenty)

    for _ in range(3):
        client.branches()
    assert clock.sleeps == []


def test_an_exhausted_window_longer_than_the_inline_limit_raises_before_calling(client, clock, mocked):
    empty = {"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1800"}
    mocked.add(responses.GET, BRANCHES, json=[], headers=empty)
    client.branches()

    with pytest.raises(ApiError) as caught:
        client.branches()

    assert not caught.value.permanent and caught.value.retry_after == pytest.approx(1800)
    assert len(calls_to(mocked, "/v1/branch")) == 1
