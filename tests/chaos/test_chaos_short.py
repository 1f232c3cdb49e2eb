"""The short chaos run: a few hundred scripted Paychex changes while 10 % of API calls fail with 5xx,
Visma's rate limit is hit, processes die mid-sync, the queue loses tasks, Paychex repeats and reorders
notifications and a person edits Visma. At the end: every worker correct in Visma, nothing lost, no
duplicate employee, no write beyond those needed, every run's status true.

Deaths are simulated in-process (a BaseException at a random point of a sync, as in
tests/syncjobs/test_crash_recovery.py), then the reaper is run with the clock's leases expired. The full
version with real SIGKILLs and web-server downtime is `python bench/chaos.py`.
"""
from __future__ import annotations

import logging
import os
import random
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from bench.verify import employee_writes, verify
from connector.clients.paychex import PaychexClient
from connector.clients.visma import VismaClient
from sandbox import PaychexSandbox, VismaSandbox
from syncjobs import runs, services
from syncjobs.models import BackoffStep, ErrorItem, Notification, SyncRun, Worker
from syncjobs.reaper import reap
from tests.syncjobs.conftest import mapped, notification, paychex, post_webhook, visma  # noqa: F401  (fixtures)

CHANGES = int(os.environ.get("CHAOS_CHANGES", "200"))
WORKERS = 40
RATE_LIMIT = 5  # Visma calls per second during the burst below: the run surely reaches it
BURST = range(40, 60)  # the changes made while Visma's rate limit is that low
KILL_POINTS = ("paychex read", "visma read", "after visma write", "audit")


class Killed(BaseException):
    """The process died here."""


@pytest.fixture
def paychex_sandbox():
    with PaychexSandbox(workers=WORKERS, seed=11, webhook_retry_seconds=0.1) as px:
        yield px


@pytest.fixture
def visma_sandbox(paychex_sandbox):
    # Visma already holds most workers, some drifted, as a previous integration left them.
    with VismaSandbox(seed=11, employees_from=paychex_sandbox) as vs:
        yield vs


class Reaper:
    """Drive recovery as the schedules would, with time moved past every lease and retry."""

    def __init__(self, capture) -> None:
        self.capture = capture

    def expire_everything(self) -> None:
        past = timezone.now() - timedelta(seconds=1)
        Notification.objects.filter(status="received").update(next_attempt_at=past)
        Notification.objects.filter(status="processing").update(lease_until=past)
        Worker.objects.exclude(lease_until=None).update(lease_until=past)
        SyncRun.objects.filter(status="running").update(lease_until=past)
        SyncRun.objects.filter(status="queued").update(created_at=past - timedelta(days=1))
        ErrorItem.objects.filter(status="retrying").update(next_attempt_at=past)

    def pending(self) -> int:
        return (Notification.objects.filter(status__in=["received", "processing"]).count()
                + ErrorItem.objects.filter(status="retrying").count()
                + Worker.objects.exclude(lease_until=None).count()
                + SyncRun.objects.filter(status__in=["queued", "running"]).count())

    def until_done(self, chaos: "Chaos", rounds: int = 40) -> int:
        for done in range(rounds):
            if not self.pending():
                return done
            self.expire_everything()
            chaos.maybe_die(lambda: self._reap())
        raise AssertionError(f"work left after {rounds} reaper rounds: {self.pending()}")

    def _reap(self) -> None:
        with self.capture(execute=True):
            reap()


class Chaos:
    """Arms a death at a random point of the next sync, and counts them."""

    def __init__(self, rng: random.Random, monkeypatch: pytest.MonkeyPatch) -> None:
        self.rng, self.armed, self.deaths = rng, "", 0
        self._patch(monkeypatch)

    def maybe_die(self, action, rate: float = 0.0) -> None:
        if rate and self.rng.random() < rate:
            self.armed = self.rng.choice(KILL_POINTS)
        try:
            action()
        except Killed:
            self.deaths += 1
        finally:
            self.armed = ""

    def _die_at(self, point: str) -> None:
        if self.armed == point:
            self.armed = ""
            raise Killed(point)

    def _patch(self, patch: pytest.MonkeyPatch) -> None:
        def wrap(owner, name, point, after=False):
            real = getattr(owner, name)

            def dying(*args, **kwargs):
                if not after:
                    self._die_at(point)
                result = real(*args, **kwargs)
                if after:
                    self._die_at(point)
                return result
            patch.setattr(owner, name, dying)

        wrap(PaychexClient, "worker", "paychex read")
        wrap(VismaClient, "get_employee", "visma read")
        wrap(VismaClient, "create_employee", "after visma write", after=True)
        wrap(VismaClient, "update_employee", "after visma write", after=True)
        wrap(services, "audit", "audit")


def active_cds(visma_sandbox: VismaSandbox) -> list[str]:
    return [e["employeeNumber"] for e in visma_sandbox.employees()]


@pytest.fixture
def long_backoff(db):
    """More automatic attempts than the default five, so a streak of injected 5xx never gives up."""
    for attempt in range(1, 16):
        BackoffStep.objects.update_or_create(attempt=attempt, defaults={"delay_seconds": 30})


def test_chaos_ends_with_every_worker_correct_nothing_lost_and_no_duplicate(
    mapped, paychex_sandbox, visma_sandbox, post_webhook, monkeypatch, django_capture_on_commit_callbacks,
    long_backoff, caplog, admin_client,
):
    import django_q.tasks

    caplog.set_level(logging.DEBUG)

    rng = random.Random(2024)
    px, vs = paychex_sandbox, visma_sandbox
    for worker in px.workers():  # the initial load, faults off: the starting point
        services.sync_worker(mapped, worker["workerId"], "initial load")
    vs.clear_requests()
    for faults in (px.faults, vs.faults):
        faults.error_rate = 0.10
    vs.faults.rate_window_seconds = 1.0
    chaos, reaper = Chaos(rng, monkeypatch), Reaper(django_capture_on_commit_callbacks)
    real_async = django_q.tasks.async_task
    worker_ids = [w["workerId"] for w in px.workers()]
    script = Script(rng, px, vs, worker_ids)
    posted = 0
    for number in range(CHANGES):
        vs.faults.rate_limit = RATE_LIMIT if number in BURST else 100_000
        batch = script.step()
        rng.shuffle(batch)  # Paychex does not promise order
        for body in batch + [b for b in batch if rng.random() < 0.05]:  # and repeats some
            lost = rng.random() < 0.03
            monkeypatch.setattr(django_q.tasks, "async_task", (lambda *a, **k: None) if lost else real_async)
            chaos.maybe_die(lambda: post_webhook(body), rate=0.05)
            posted += 1
    monkeypatch.setattr(django_q.tasks, "async_task", real_async)
    vs.faults.rate_limit = 100_000
    rounds = reaper.until_done(chaos)

    verdict = verify(mapped, px.workers(), vs.employees(), person_owned=script.person_owned)
    writes = employee_writes(vs.requests)
    answered = [r["status"] for r in px.requests + vs.requests]
    print(f"\nchaos: {CHANGES} changes, {posted} notifications posted, {chaos.deaths} deaths, {rounds} reaper "
          f"rounds; {verdict.summary()}; writes {writes}; person edits {script.person_edits}; "
          f"{sum(s >= 500 for s in answered)} 5xx and {answered.count(429)} 429 answers, busiest second "
          f"{busiest_second(vs.requests)} Visma calls (limit {RATE_LIMIT})")
    # The faults really happened: 5xx answers, and Visma's rate window used up (429s, or our pacing).
    assert any(s >= 500 for s in answered)
    assert 429 in answered or busiest_second(vs.requests) >= RATE_LIMIT
    assert verdict.ok, (verdict.wrong[:5], verdict.missing[:5], verdict.duplicates[:5])
    assert Notification.objects.exclude(status__in=["done", "ignored"]).count() == 0  # zero lost
    assert len(vs.employees()) == len(set(active_cds(vs)))  # zero duplicates
    # No write beyond those needed: at most one per change made (a hire is one create, a person's
    # edit of a managed field one correction) plus one per write a death interrupted after it landed.
    assert writes["creates"] + writes["updates"] <= script.writes_needed + chaos.deaths
    assert_every_run_status_is_true()
    # And a replay of everything now writes nothing.
    vs.clear_requests()
    for faults in (px.faults, vs.faults):
        faults.error_rate = 0.0
    with django_capture_on_commit_callbacks(execute=True):
        runs.queue_resync(Worker.objects.all(), trigger="command", reason="chaos: final check")
    assert employee_writes(vs.requests) == {"creates": 0, "updates": 0, "refused": 0}
    assert_no_secret_anywhere(secrets_of(px, vs), caplog, admin_client)


def secrets_of(px: PaychexSandbox, vs: VismaSandbox) -> list[str]:
    """Every credential in play: client secrets, webhook password, every token issued, our keys."""
    from django.conf import settings

    from tests.syncjobs.conftest import WEBHOOK_PASSWORD

    values = [px.client_secret, vs.client_secret, WEBHOOK_PASSWORD, settings.SECRET_KEY, *settings.SALT_KEY]
    values += list(px._tokens) + list(vs._tokens)  # every access token the sandboxes issued
    return [v for v in values if v and len(v) >= 8]


def assert_no_secret_anywhere(secrets: list[str], caplog, admin_client) -> None:
    """Logs, the audit trail, error excerpts, run items and every admin page: zero hits."""
    from django.contrib import admin
    from django.urls import reverse

    from audit.models import AuditRecord
    from syncjobs.models import RunItem

    texts = [f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records]
    texts += [str(row) for row in AuditRecord.objects.values()]
    texts += [str(row) for row in ErrorItem.objects.values()]
    texts += [str(row) for row in RunItem.objects.values()] + [str(row) for row in Notification.objects.values()]
    pages = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        pages.append(reverse("admin:%s_%s_changelist" % info))
        pages += [reverse("admin:%s_%s_change" % info, args=[pk])
                  for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[:3]]
    for page in pages:
        response = admin_client.get(page)
        assert response.status_code in (200, 302), page
        texts.append(response.content.decode(errors="replace"))
    hits = [(secret[:4] + "…", text[:80]) for secret in secrets for text in texts if secret in text]
    assert len(texts) > 100 and not hits, hits[:5]


@pytest.fixture
def admin_client(client, db):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("chaos-admin", "a@example.com", "pw-chaos-81x"))
    return client


def busiest_second(requests: list[dict[str, Any]]) -> int:
    times = sorted(r["time"] for r in requests if r["path"].startswith("/v1/"))
    start, best = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def assert_every_run_status_is_true() -> None:
    assert not SyncRun.objects.filter(status__in=["queued", "running"]).exists()
    for run in SyncRun.objects.all():
        items = list(run.items.values_list("outcome", flat=True))
        failed = sum(1 for o in items if o in ("failed", "retrying"))
        wrote = sum(1 for o in items if o in ("created", "updated"))
        if run.note.startswith("Interrupted"):
            assert run.status == "failed", run
        elif failed:
            assert run.status in ("failed", "partial"), (run, items)
        elif wrote:
            assert run.status == "succeeded", (run, items)
        elif items:
            assert run.status == "no_changes", (run, items)


class Script:
    """HR changes in Paychex (and now and then a person in Visma), each returning its notifications."""

    def __init__(self, rng: random.Random, px: PaychexSandbox, vs: VismaSandbox, worker_ids: list[str]) -> None:
        self.rng, self.px, self.vs, self.worker_ids = rng, px, vs, worker_ids
        self.writes_needed = 0
        self.person_edits = 0
        self.person_owned: dict[str, dict[str, str]] = {}
        self._follow_up: list[str] = []

    def step(self) -> list[dict[str, Any]]:
        if self._follow_up:  # a person's edit is followed by a Paychex change to that worker
            return self.rename(self._follow_up.pop())
        kind = self.rng.choices(["hire", "terminate", "rehire", "transfer", "rename", "person"],
                                weights=[2, 2, 1, 3, 3, 1])[0]
        if kind == "hire":
            return self.hire()
        if kind == "person":
            return self.person_edit()
        return getattr(self, kind)(self.rng.choice(self.worker_ids))

    def hire(self) -> list[dict[str, Any]]:
        worker = self.px.hire(self.rng.choice(["Åse", "Björn", "Liv"]), f"Chaos{len(self.worker_ids)}")
        self.worker_ids.append(worker["workerId"])
        self.writes_needed += 1
        return [notification(worker["workerId"], "WRKR_ADD"), notification(worker["workerId"], "WRKR_EMPL")]

    def terminate(self, worker_id: str) -> list[dict[str, Any]]:
        self.px.terminate(worker_id)
        self.writes_needed += 1
        return [notification(worker_id, "WRKR_EMPL")]

    def rehire(self, worker_id: str) -> list[dict[str, Any]]:
        self.px.rehire(worker_id)
        self.writes_needed += 1
        return [notification(worker_id, "WRKR_EMPL")]

    def transfer(self, worker_id: str) -> list[dict[str, Any]]:
        self.px.transfer(worker_id, organization_id=self.rng.choice([o["organizationId"] for o in self.px.organizations()]))
        self.writes_needed += 1
        return [notification(worker_id, "WRKR_ASGN")]

    def rename(self, worker_id: str) -> list[dict[str, Any]]:
        self.px.rename(worker_id, family_name=f"Renamed{self.rng.randrange(10**6)}")
        self.writes_needed += 1
        return [notification(worker_id, "WRKR_DEM")]

    def person_edit(self) -> list[dict[str, Any]]:
        employees = self.vs.employees()
        if not employees:
            return []
        employee = self.rng.choice(employees)
        cd = employee["employeeNumber"]
        worker = self.px.find_by_employee_id(cd)
        if worker is None:
            return []
        self.person_edits += 1
        if self.rng.random() < 0.5:  # a create-only field: the person's value must survive
            with self.vs.lock:
                self.vs.apply_employee(cd, {"calendar": "NIGHT"})
            self.person_owned.setdefault(cd, {})["calendar"] = "NIGHT"
            return []
        self.vs.edit_employee(cd, lastName="EDITED BY HAND")  # a managed field: corrected on the next sync
        self.writes_needed += 1
        self._follow_up.append(worker.worker_id)
        return []
