"""An interrupted backfill resumes after its last finished page without redoing finished workers."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from syncjobs import backfill, reaper
from syncjobs.models import RunItem, SyncRun
from tests.polling.conftest import WORKERS, api_calls, syncable


class Killed(BaseException):
    """Stands for the process dying (not an Exception: nothing in the run may catch it)."""


def kill_after_pages(pages: int):
    def progress(run: SyncRun) -> None:
        if run.checkpoint["pages"] == pages:
            raise Killed

    return progress


def test_a_killed_backfill_is_resumed_by_the_reaper_from_its_checkpoint(paychex, px, vs, django_capture_on_commit_callbacks):
    first = backfill.start(paychex, started_by="test")
    with pytest.raises(Killed):
        backfill.run(first.pk, progress=kill_after_pages(2))
    first.refresh_from_db()
    assert first.status == SyncRun.Status.RUNNING and first.checkpoint["offset"] == 200
    created_before = len(api_calls(vs, "POST"))
    SyncRun.objects.filter(pk=first.pk).update(lease_until=timezone.now() - timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):  # the reaper enqueues; the sync queue runs it here
        report = reaper.reap()

    first.refresh_from_db()
    assert (report.runs_closed, report.runs_requeued) == (1, 1)
    assert first.status == SyncRun.Status.FAILED and first.note.startswith("Interrupted")
    resumed = SyncRun.objects.exclude(pk=first.pk).get(trigger="backfill")
    assert resumed.params["resume_of"] == first.pk and resumed.status == SyncRun.Status.SUCCEEDED
    assert (resumed.progress_done, resumed.progress_total) == (WORKERS, WORKERS)
    assert resumed.seen == WORKERS - 200  # only the last page was read again
    assert len(api_calls(vs, "POST")) == len(syncable(px))  # every employee created once, none twice
    assert len(api_calls(vs, "POST")) - created_before == resumed.created
    assert {e["employeeNumber"] for e in vs.employees()} == {w["employeeId"] for w in syncable(px)}


def test_a_backfill_stopped_mid_page_does_not_redo_the_workers_it_finished(paychex, px, vs, monkeypatch):
    from syncjobs import backfill as module

    real_sync, calls = module.sync_worker, []

    def dying_sync(*args, **kwargs):
        calls.append(args[1])
        if len(calls) == 130:  # in the middle of the second page
            raise KeyboardInterrupt
        return real_sync(*args, **kwargs)

    monkeypatch.setattr(module, "sync_worker", dying_sync)
    with pytest.raises(CommandError, match="Interrupted"):
        call_command("backfill", "--no-progress")
    monkeypatch.setattr(module, "sync_worker", real_sync)
    stopped = SyncRun.objects.get(trigger="backfill")
    assert stopped.status == SyncRun.Status.FAILED and stopped.checkpoint["offset"] == 100
    posts_before = len(api_calls(vs, "POST"))

    call_command("backfill", "--no-progress")

    resumed = SyncRun.objects.exclude(pk=stopped.pk).get(trigger="backfill")
    assert resumed.status == SyncRun.Status.SUCCEEDED
    finished_in_page_two = RunItem.objects.filter(run=stopped).count() - 100
    assert resumed.seen == WORKERS - 100 - finished_in_page_two
    assert len(api_calls(vs, "POST")) == len(syncable(px))  # no employee created twice
    redone = set(RunItem.objects.filter(run=stopped).values_list("paychex_worker_id", flat=True)) & set(
        RunItem.objects.filter(run=resumed).values_list("paychex_worker_id", flat=True))
    assert redone == set() and posts_before < len(syncable(px))


def test_restart_starts_from_the_first_worker(paychex, px, vs):
    first = backfill.start(paychex)
    with pytest.raises(Killed):
        backfill.run(first.pk, progress=kill_after_pages(1))
    SyncRun.objects.filter(pk=first.pk).update(status=SyncRun.Status.FAILED, lease_until=None)

    run = backfill.backfill(paychex, resume=False)

    assert "resume_of" not in run.params and run.seen == WORKERS


def test_a_finished_backfill_is_not_resumed_and_a_running_one_is_not_doubled(paychex, px, vs):
    done = backfill.backfill(paychex)
    fresh = backfill.start(paychex)
    assert "resume_of" not in fresh.params and fresh.checkpoint["offset"] == 0
    assert backfill.start(paychex).pk == fresh.pk  # queued already: a double click starts one run
    assert done.checkpoint["complete"] is True
