"""Workers, runs, the error queue, the audit trail and mappings: what each page shows and what its buttons do."""
from __future__ import annotations

from django.urls import reverse

from syncjobs.models import ErrorItem, SyncRun, Worker


def test_workers_are_found_by_name_employee_number_and_paychex_id(login, worker, held_worker):
    client = login("HR staff")
    for query in ("Ødegård", "1001", "W-1"):
        page = client.get(reverse("admin:syncjobs_worker_changelist"), {"q": query}).content.decode()
        assert reverse("admin:syncjobs_worker_change", args=[worker.pk]) in page, query
        assert reverse("admin:syncjobs_worker_change", args=[held_worker.pk]) not in page, query


def test_the_held_filter_lists_only_held_workers(login, worker, held_worker):
    page = login("HR staff").get(reverse("admin:syncjobs_worker_changelist"), {"held": "yes"}).content.decode()

    assert reverse("admin:syncjobs_worker_change", args=[held_worker.pk]) in page
    assert reverse("admin:syncjobs_worker_change", args=[worker.pk]) not in page


def test_the_worker_page_shows_paychex_data_visma_record_runs_and_audit(login, worker, run, audit_record):
    page = login("HR staff").get(reverse("admin:syncjobs_worker_change", args=[worker.pk])).content.decode()

    assert "name.givenName" in page and "LAGER" in page
    assert reverse("admin:syncjobs_syncrun_change", args=[run.pk]) in page
    assert "manual resync by kari" in page and '<td class="old">Old</td>' in page
    assert reverse("admin:mappings_preview") + "?paychex_connection=" in page


def test_resync_from_the_worker_page_queues_a_run_and_links_it(login, worker, django_capture_on_commit_callbacks):
    client = login("HR staff")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("admin:syncjobs_worker_resync", args=[worker.pk]), follow=True)

    run = SyncRun.objects.get()
    assert (run.trigger, run.started_by, run.params["worker_pks"]) == ("resync", "hr_staff", [worker.pk])
    assert len(callbacks) == 1
    page = response.content.decode()
    assert "Resync queued for 1 worker(s)" in page and reverse("admin:syncjobs_syncrun_change", args=[run.pk]) in page


def test_the_run_page_lists_its_workers_and_links_the_filtered_worker_list(login, run, worker, held_worker):
    client = login("HR staff")
    page = client.get(reverse("admin:syncjobs_syncrun_change", args=[run.pk])).content.decode()
    assert reverse("admin:syncjobs_worker_change", args=[worker.pk]) in page
    assert f"?run={run.pk}" in page

    workers = client.get(reverse("admin:syncjobs_worker_changelist"), {"run": run.pk}).content.decode()
    assert reverse("admin:syncjobs_worker_change", args=[worker.pk]) in workers
    assert reverse("admin:syncjobs_worker_change", args=[held_worker.pk]) not in workers


def test_the_error_page_shows_the_exchange_with_secrets_redacted(login, error_item):
    page = login("HR staff").get(reverse("admin:syncjobs_erroritem_change", args=[error_item.pk])).content.decode()

    assert "PUT /v1/employee/1002" in page
    assert "s3cr3t-value" not in page and "abcdefghijklmnop" not in page
    assert 'id="retry-button"' in page and 'id="resolve-form"' in page


def test_retry_many_queues_one_retry_each(login, error_item, worker, django_capture_on_commit_callbacks):
    other = ErrorItem.objects.create(worker=worker, category="transient", reason="Visma answered 503")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = login("HR staff").post(reverse("admin:syncjobs_erroritem_changelist"),
                                          {"action": "retry", "_selected_action": [error_item.pk, other.pk]},
                                          follow=True)

    assert len(callbacks) == 2
    assert "Retry queued for 2 item(s)" in response.content.decode()


def test_mark_resolved_asks_for_a_note_then_closes_the_items(login, error_item):
    client = login("HR staff")
    url = reverse("admin:syncjobs_erroritem_changelist")
    form = client.post(url, {"action": "mark_resolved", "_selected_action": [error_item.pk]}).content.decode()
    assert 'name="note"' in form and ErrorItem.objects.get().status == "open"

    client.post(url, {"action": "mark_resolved", "_selected_action": [error_item.pk], "apply": "1",
                      "note": "Mapped by hand in Visma"})

    item = ErrorItem.objects.get()
    assert (item.status, item.resolved_by, item.resolution_note) == ("resolved", "hr_staff", "Mapped by hand in Visma")


def test_the_audit_record_shows_its_changes_side_by_side(login, audit_record):
    page = login("Finance").get(reverse("admin:audit_auditrecord_change", args=[audit_record.pk])).content.decode()

    assert '<td>last_name</td><td class="old">Old</td><td class="new">Ødegård</td>' in page


def test_the_audit_list_filters_by_reason_user_worker_and_run(login, audit_record, run):
    from audit.models import AuditRecord
    from audit.services import record

    other = record(AuditRecord.Action.HELD, reason="Paychex notification n1 (WRKR_ORG)", worker_id="W-9")
    client = login("Finance")
    url = reverse("admin:audit_auditrecord_changelist")
    mine, theirs = (reverse("admin:audit_auditrecord_change", args=[r.pk]) for r in (audit_record, other))
    for params in ({"reason_kind": "manual"}, {"username": "kari"}, {"worker_id": "W-1"}, {"run_id": run.pk}):
        page = client.get(url, params).content.decode()
        assert mine in page and theirs not in page, params


def test_saving_a_mapping_says_which_workers_will_resync(login, org_mapping, held_worker,
                                                        django_capture_on_commit_callbacks):
    client = login("Finance")
    url = reverse("admin:mappings_organizationmapping_changelist")
    data = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": org_mapping.pk,
            "form-0-target": "NEWDEPT", "_save": "Save"}
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url, data, follow=True)

    page = response.content.decode()
    assert "1 worker(s) will be resynced" in page
    assert "organization_id__in=ORG-NEW" in page
    assert Worker.objects.filter(organization_id__in=["ORG-NEW"]).count() == 1


def test_the_mapping_page_lists_affected_workers_and_suggests_catalog_values(login, org_mapping, held_worker):
    page = login("Finance").get(reverse("admin:mappings_organizationmapping_change",
                                        args=[org_mapping.pk])).content.decode()

    assert "Workers a change resyncs (1)" in page
    assert reverse("admin:syncjobs_worker_change", args=[held_worker.pk]) in page
    assert '<option value="NEWDEPT">Ny</option>' in page and 'list="catalog-targets"' in page
