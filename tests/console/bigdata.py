"""A console-sized data set, bulk-created in a few seconds: 10,000 workers, 100,000 audit records, runs with
items, an error queue and mapping tables. Used by tests/console/test_admin_performance.py and
bench/admin_pages.py."""
from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import DateTimeField, Model
from django.utils import timezone

from audit.models import AuditRecord
from connector.models import Connection
from mappings.models import CatalogValue, JobTitleMapping, LocationMapping, OrganizationMapping, TargetSettings
from syncjobs.models import ErrorItem, Notification, RunItem, SyncRun, Worker

BATCH = 5000
RESULTS = ["updated", "unchanged", "created", "held", "failed"]


@dataclass(frozen=True)
class BigData:
    worker: Worker
    run: SyncRun
    error_item: ErrorItem
    audit_record: AuditRecord
    org_mapping: OrganizationMapping


def build(workers: int = 10_000, audit_records: int = 100_000, runs: int = 300) -> BigData:
    visma = Connection.objects.create(name="Visma big", system="visma", base_url="https://v.invalid",
                                      token_url="https://v.invalid/t", client_id="v", tenant_id="t")
    paychex = Connection.objects.create(name="Paychex big", system="paychex", base_url="https://p.invalid",
                                        token_url="https://p.invalid/t", client_id="p", company_id="C", destination=visma)
    TargetSettings.objects.create(visma_connection=visma)
    CatalogValue.objects.bulk_create(CatalogValue(visma_connection=visma, kind=kind, value_id=f"V{i}")
                                     for kind in ("department", "job_title", "branch") for i in range(200))
    for model in (OrganizationMapping, JobTitleMapping, LocationMapping):
        model.objects.bulk_create(model(paychex_connection=paychex, source_id=f"S{i}", source_name=f"Source {i}",
                                        target="" if i % 10 == 0 else f"V{i}") for i in range(300))
    fast_insert(Worker, ({"connection_id": paychex.pk, "worker_id": f"W{i:06d}", "employee_cd": str(10000 + i),
                          "given_name": f"Given{i}", "family_name": f"Family{i}", "organization_id": f"S{i % 300}",
                          "status_type": "ACTIVE", "last_result": RESULTS[i % len(RESULTS)],
                          "paychex_profile": json.dumps({"workerId": f"W{i:06d}"})} for i in range(workers)))
    worker_pks = list(Worker.objects.order_by("pk").values_list("pk", flat=True))
    SyncRun.objects.bulk_create(SyncRun(trigger="webhook", status="succeeded", seen=1, updated=1, connection=paychex)
                                for _ in range(runs))
    run = SyncRun.objects.create(trigger="backfill", status="succeeded", seen=workers, updated=workers,
                                 connection=paychex)
    fast_insert(RunItem, ({"run_id": run.pk, "worker_id": pk, "paychex_worker_id": f"W{n:06d}", "outcome": "updated"}
                          for n, pk in enumerate(worker_pks)))
    ErrorItem.objects.bulk_create(ErrorItem(worker_id=pk, connection=paychex, category="held", reason="unmapped",
                                            run=run) for pk in worker_pks[:500])
    Notification.objects.bulk_create(Notification(notification_id=f"n{i}", connection=paychex, worker_id=f"W{i:06d}")
                                      for i in range(1000))
    insert_audit_records(audit_records, workers, run.pk)
    worker = Worker.objects.get(pk=worker_pks[0])
    return BigData(worker=worker, run=run, error_item=ErrorItem.objects.filter(worker=worker).get(),
                   audit_record=AuditRecord.objects.filter(worker_id=worker.worker_id).first(),
                   org_mapping=OrganizationMapping.objects.get(source_id="S0"))


def insert_audit_records(count: int, workers: int, run_id: int) -> None:
    fast_insert(AuditRecord, ({"action": "employee_updated", "worker_id": f"W{i % workers:06d}",
                               "employee_cd": str(10000 + i % workers),
                               "changes": json.dumps({"last_name": [f"Old{i}", f"New{i}"]}),
                               "reason": "Paychex notification" if i % 2 else "manual resync by kari", "run_id": run_id,
                               "username": "kari" if i % 3 == 0 else ""} for i in range(count)))


def fast_insert(model: type[Model], rows: Iterable[dict[str, Any]]) -> None:
    """INSERT rows with plain executemany: building 100,000 model instances would take most of the time.

    Values in `rows` must be ready for the database (JSON as text); other columns get their default,
    converted once; timestamps get now.
    """
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    constant = {f.attname: f.get_db_prep_save(now if isinstance(f, DateTimeField) and (f.auto_now or f.auto_now_add
                                                                                   or f.has_default()) else
                                              f.get_default(), connection) for f in fields}
    columns = [f.column for f in fields]
    sql = (f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    values = (tuple(row.get(f.attname, constant[f.attname]) for f in fields) for row in rows)
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(values, BATCH)):
            cursor.executemany(sql, batch)


def pages(data: BigData) -> dict[str, tuple[str, dict]]:
    """name → (URL, GET params) of every main console page."""
    from django.urls import reverse

    def change(name: str, pk: int) -> str:
        return reverse(f"admin:{name}_change", args=[pk])

    workers, audit = reverse("admin:syncjobs_worker_changelist"), reverse("admin:audit_auditrecord_changelist")
    return {
        "dashboard": (reverse("admin:index"), {}),
        "worker list": (workers, {}),
        "worker list, held": (workers, {"held": "yes"}),
        "worker search": (workers, {"q": "Family42"}),
        "worker page": (change("syncjobs_worker", data.worker.pk), {}),
        "run list": (reverse("admin:syncjobs_syncrun_changelist"), {}),
        "run page (10,000 items)": (change("syncjobs_syncrun", data.run.pk), {}),
        "error queue": (reverse("admin:syncjobs_erroritem_changelist"), {}),
        "error item": (change("syncjobs_erroritem", data.error_item.pk), {}),
        "inbox": (reverse("admin:syncjobs_notification_changelist"), {}),
        "audit list": (audit, {}),
        "audit list, by user": (audit, {"username": "kari"}),
        "audit record": (change("audit_auditrecord", data.audit_record.pk), {}),
        "organization mappings": (reverse("admin:mappings_organizationmapping_changelist"), {}),
        "job-title mappings": (reverse("admin:mappings_jobtitlemapping_changelist"), {}),
        "location mappings": (reverse("admin:mappings_locationmapping_changelist"), {}),
        "organization mapping page": (change("mappings_organizationmapping", data.org_mapping.pk), {}),
    }
