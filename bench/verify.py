"""Is Visma right? Compare every sandbox Visma employee with what its sandbox Paychex worker translates to.

Used by the chaos script and the in-suite chaos test. Needs Django set up (it loads the mappings).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from connector.clients.visma_dto import record_from_dto
from connector.models import Connection
from mappings.context import MappingContext
from mappings.diff import employee_changes
from mappings.translate import translate
from syncjobs import statuses


@dataclass
class Verdict:
    workers: int = 0
    correct: int = 0
    wrong: list[str] = field(default_factory=list)      # "employee_cd: field old→wanted"
    missing: list[str] = field(default_factory=list)    # should exist in Visma, does not
    duplicates: list[str] = field(default_factory=list)  # employeeCd of more than one employee / no worker
    not_synced: int = 0                                  # held or skipped by design (PENDING, unmapped)

    @property
    def ok(self) -> bool:
        return not (self.wrong or self.missing or self.duplicates)

    def summary(self) -> str:
        return (f"{self.workers} workers: {self.correct} correct in Visma, {len(self.wrong)} wrong, "
                f"{len(self.missing)} missing, {len(self.duplicates)} duplicate, {self.not_synced} held/skipped")


def verify(paychex: Connection, paychex_workers: list[dict], visma_employees: list[dict],
           person_owned: dict[str, dict[str, str]] | None = None) -> Verdict:
    """Every Paychex worker that should be in Visma is there exactly once, with the managed fields equal
    to translate(worker); `person_owned` (employee_cd → {field: value}) are create-only fields a person
    set in Visma, which must still hold the person's value."""
    context = MappingContext.load(paychex)
    verdict = Verdict(workers=len(paychex_workers))
    by_cd = Counter(e["employeeNumber"] for e in visma_employees)
    verdict.duplicates = sorted(cd for cd, n in by_cd.items() if n > 1)
    records = {e["employeeNumber"]: record_from_dto(e, e.get("timeStamp")) for e in visma_employees}
    today = timezone.localdate()
    for worker in paychex_workers:
        plan = statuses.plan(worker.get("currentStatus"), None, today)
        translation = translate(statuses.with_status(worker, plan.in_effect), context=context)
        if translation.employee is None:
            verdict.not_synced += 1
            continue
        desired = translation.employee
        current = records.get(desired["employee_cd"])
        if current is None:
            verdict.missing.append(desired["employee_cd"])
            continue
        diff = employee_changes(desired, current, create_only=translation.create_only_fields)
        owned = (person_owned or {}).get(desired["employee_cd"], {})
        diff.update({k: (current.fields.get(k), v) for k, v in owned.items() if current.fields.get(k) != v})
        if diff:
            verdict.wrong.append(desired["employee_cd"] + ": " + ", ".join(f"{k} {o!r}→{n!r}" for k, (o, n) in diff.items()))
        else:
            verdict.correct += 1
    return verdict


def employee_writes(requests: list[dict[str, Any]]) -> dict[str, int]:
    """Successful and refused employee writes in a Visma sandbox request log."""
    writes = [r for r in requests if r["method"] in ("POST", "PUT") and r["path"].startswith("/v1/employee")]
    return {"creates": sum(1 for r in writes if r["method"] == "POST" and r["status"] < 300),
            "updates": sum(1 for r in writes if r["method"] == "PUT" and r["status"] < 300),
            "refused": sum(1 for r in writes if r["status"] >= 300)}


def busiest_second(requests: list[dict[str, Any]], prefix: str = "/v1/") -> int:
    """Most calls under `prefix` within any one second of a sandbox request log (to show a rate limit was reached)."""
    times = sorted(r["time"] for r in requests if r["path"].startswith(prefix))
    start, best = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best
