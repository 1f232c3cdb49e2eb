"""Which Paychex status is in effect today, and which one is still to come.

Paychex may show a future-dated status as `currentStatus`, or list it in `/workers/{id}/status`. Visma
has no dates on the employee, so Visma gets the status in effect today, and the next future one is kept
on the worker record (`pending_status`, `pending_status_date`) for `apply_due_statuses` to apply on its
date ("today" is the date in TIME_ZONE). Paychex dates are calendar dates sent as midnight UTC: they
are read as dates, never converted to a time zone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

HISTORY_DOMAINS = frozenset({"WRKR_EMPL", "WRKR_ADD"})


def paychex_date(value: Any) -> date | None:
    """"2020-05-20T00:00:00Z" → date(2020, 5, 20); None for missing or malformed values."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class StatusPlan:
    in_effect: dict | None  # the status entry in effect today (None: only future ones are known)
    pending: dict | None  # the next entry that takes effect after today

    @property
    def pending_type(self) -> str:
        return (self.pending or {}).get("statusType", "")

    @property
    def pending_date(self) -> date | None:
        return paychex_date((self.pending or {}).get("effectiveDate"))


def plan(current: dict | None, history: list[dict] | None, today: date) -> StatusPlan:
    """Split the known status entries into the one in effect today and the next future one.

    On equal dates `currentStatus` wins over a history entry. Entries without a date are ignored.
    """
    entries = [(entry, index == 0) for index, entry in enumerate([current, *(history or [])]) if entry]
    dated = [(paychex_date(entry.get("effectiveDate")), is_current, entry) for entry, is_current in entries]
    dated = [item for item in dated if item[0] is not None]
    past = [item for item in dated if item[0] <= today]
    future = [item for item in dated if item[0] > today]
    in_effect = max(past, key=lambda item: (item[0], item[1]))[2] if past else None
    pending = min(future, key=lambda item: (item[0], not item[1]))[2] if future else None
    if in_effect is None and not future and current:
        in_effect = current  # undated status: nothing better to go on
    return StatusPlan(in_effect=in_effect, pending=pending)


def needs_history(current: dict | None, domains: list[str], has_pending: bool, today: date) -> bool:
    """Ask Paychex for the status history only when it can change the answer (it costs a call)."""
    if HISTORY_DOMAINS.intersection(domains) or has_pending:
        return True
    effective = paychex_date((current or {}).get("effectiveDate"))
    return effective is not None and effective > today


def with_status(worker: dict, entry: dict | None) -> dict:
    """A copy of the Paychex worker whose currentStatus is `entry` (unchanged when entry is None)."""
    if entry is None or entry is worker.get("currentStatus"):
        return worker
    return {**worker, "currentStatus": entry}


def describe_pending(status_type: str, when: date | None) -> str:
    label = "termination" if status_type == "TERMINATED" else f"status change to {status_type}"
    return f"scheduled {label} effective {when.isoformat() if when else '(no date)'}"
