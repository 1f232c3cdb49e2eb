"""Status that cannot lie: a run that read nothing while Paychex has workers, or hit errors, is not a success."""
from __future__ import annotations

from connector.clients.paychex import PaychexClient, WorkerPage
from mappings.models import OrganizationMapping
from syncjobs import backfill
from syncjobs.models import SyncRun
from tests.polling.conftest import WORKERS

WORKERS_REPORTED = 37


def test_a_backfill_that_reads_no_worker_while_paychex_reports_some_is_failed(paychex, px, vs, monkeypatch):
    monkeypatch.setattr(PaychexClient, "iter_worker_pages",
                        lambda self, *a, **k: iter([WorkerPage(workers=[], total=WORKERS_REPORTED, offset=0)]))

    run = backfill.backfill(paychex)

    assert run.status == SyncRun.Status.FAILED
    assert run.note == f"Paychex reports {WORKERS_REPORTED} workers, but none were read."


def test_a_backfill_that_reads_fewer_workers_than_reported_is_partial(paychex, px, vs, monkeypatch):
    real = PaychexClient.iter_worker_pages

    def short_pages(self, *args, **kwargs):
        for page in real(self, *args, **kwargs):
            yield WorkerPage(workers=page.workers[:50], total=page.total, offset=page.offset)
            return

    monkeypatch.setattr(PaychexClient, "iter_worker_pages", short_pages)

    run = backfill.backfill(paychex)

    assert run.status == SyncRun.Status.PARTIAL
    assert run.note.startswith(f"Read 50 of the {WORKERS} workers Paychex reports")


def test_a_backfill_whose_paychex_listing_fails_midway_is_failed_and_resumable(paychex, px, vs):
    pages = []

    def fail_after_first_page(run: SyncRun) -> None:
        pages.append(run.checkpoint["pages"])
        px.faults.error_rate = 1.0

    run = backfill.backfill(paychex, progress=fail_after_first_page)

    assert run.status == SyncRun.Status.FAILED
    assert run.note.startswith("Stopped after 100 Paychex workers: Paychex")
    px.faults.error_rate = 0.0
    resumed = backfill.backfill(paychex)
    assert resumed.params["resume_of"] == run.pk and resumed.status == SyncRun.Status.SUCCEEDED


def test_a_backfill_with_some_failed_workers_is_partly_failed(paychex, px, vs):
    org = px.organizations()[0]["organizationId"]
    OrganizationMapping.objects.filter(paychex_connection=paychex, source_id=org).update(target="NOSUCHDEPT")

    run = backfill.backfill(paychex)

    assert run.failed > 0 and run.created > 0
    assert run.status == SyncRun.Status.PARTIAL
