"""Fault knobs: latency, injected 5xx, token lifetime, paging caps, webhook mischief.

Every random decision comes from a RNG seeded by the sandbox seed, so a test that sets
`error_rate = 0.1` sees the same failures on every run (given the same call sequence).
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from typing import Any


@dataclasses.dataclass
class Faults:
    """Knobs shared by both simulators. Set them as attributes or through `update()`."""

    latency: float = 0.0  # seconds slept before answering each API call
    error_rate: float = 0.0  # fraction of API calls answered with an injected 5xx
    token_lifetime: float = 3600.0  # seconds a newly issued access token stays valid
    seed: dataclasses.InitVar[int] = 0

    def __post_init__(self, seed: int) -> None:
        self._lock = threading.Lock()
        self._error_rng = random.Random(f"errors-{seed}")
        self._webhook_rng = random.Random(f"webhooks-{seed}")

    def knobs(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def update(self, values: dict[str, Any]) -> dict[str, Any]:
        """Set knobs from a JSON object; unknown names raise KeyError, bad types ValueError."""
        known = {f.name: f for f in dataclasses.fields(self)}
        for name, value in values.items():
            if name not in known:
                raise KeyError(name)
            setattr(self, name, _coerce(getattr(self, name), value, name))
        return self.knobs()

    def sleep(self) -> None:
        if self.latency > 0:
            time.sleep(self.latency)

    def inject_error(self) -> bool:
        return self._chance(self._error_rng, self.error_rate)

    def pick(self, options: list[Any]) -> Any:
        with self._lock:
            return self._error_rng.choice(options)

    def webhook_chance(self, rate: float) -> bool:
        return self._chance(self._webhook_rng, rate)

    def _chance(self, rng: random.Random, rate: float) -> bool:
        if rate <= 0:
            return False
        with self._lock:
            return rng.random() < rate


@dataclasses.dataclass
class PaychexFaults(Faults):
    token_lifetime: float = 3600.0  # NOTES §1: examples say 600, prose 60 min; 3600 as advised
    page_cap: int | None = 100  # NOTES §3: cap undocumented (20? 100?); Paychex recommends 100
    expires_in_as_number: bool = False  # the spec example sends "600" as a string
    drop_webhooks: float = 0.0  # fraction of notifications never delivered
    duplicate_webhooks: float = 0.0  # fraction of notifications delivered twice
    reorder_webhooks: bool = False  # hold notifications for reorder_window, then send newest first
    reorder_window: float = 0.2
    apikey_header: str = "x-api-key"  # NOTES §5: the header for APIKEY hooks is undocumented


@dataclasses.dataclass
class VismaFaults(Faults):
    rate_limit: int = 100_000  # calls per fixed window (Visma withholds the real number)
    rate_window_seconds: float = 3600.0
    max_page_size: int = 1000  # NOTES §6: unpublished; ON-IT assumes 1000
    drop_webhooks: float = 0.0


def _coerce(current: Any, value: Any, name: str) -> Any:
    """Keep knob types stable when they arrive as JSON (ints for floats, null for caps)."""
    if value is None or current is None:
        return value
    if isinstance(current, bool):
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be a boolean")
        return value
    if isinstance(current, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{name} must be a number")
        return type(current)(value)
    if isinstance(current, str):
        return str(value)
    return value
