"""A person's resync and the sync_worker command: a no-op writes nothing and says so in the trail; drift is named."""
from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditRecord
from syncjobs.models import SyncRun
from syncjobs.services import sync_worker
from tests.syncjobs.conftest import visma_employee, visma_writes


def test_a_no_op_resync_writes_nothing_and_records_the_check(synced, mapped, visma_sandbox):
    result = sync_worker(mapped, synced["workerId"], "manual resync by hr", username="hr")

    assert result.outcome == "unchanged"
    assert visma_writes(visma_sandbox) == []
    record = AuditRecord.objects.exclude(reason="setup").get()
    assert (record.action, record.reason, record.username) == ("unchanged", "manual resync by hr", "hr")


def test_an_edit_made_in_visma_is_corrected_and_named_drift(synced, mapped, visma_sandbox):
    visma_sandbox.edit_employee(synced["employeeId"], lastName="HANDEDITED")

    result = sync_worker(mapped, synced["workerId"], "manual resync by hr", username="hr")

    assert result.outcome == "updated"
    record = AuditRecord.objects.exclude(reason="setup").get()
    assert record.action == AuditRecord.Action.DRIFT_CORRECTED
    assert record.reason.startswith("drift corrected: changed in Visma outside the connector")
    assert record.changes == {"last_name": ["HANDEDITED", synced["name"]["familyName"]]}
    assert visma_employee(visma_sandbox, synced["employeeId"])["last_name"] == synced["name"]["familyName"]


def test_the_command_syncs_one_worker_in_a_run(mapped, paychex_sandbox, visma_sandbox, capsys):
    hired = paychex_sandbox.hire("Cmd", "Line")

    call_command("sync_worker", hired["workerId"])

    assert f"{hired['workerId']}: created." in capsys.readouterr().out
    assert SyncRun.objects.get().trigger == "command"
    assert visma_employee(visma_sandbox, hired["employeeId"]) is not None


def test_the_command_fails_loudly_when_the_sync_fails(mapped):
    with pytest.raises(CommandError, match="error queue"):
        call_command("sync_worker", "00NOSUCHWORKER000000", "--connection", mapped.name)


def test_the_command_needs_a_known_connection(mapped):
    with pytest.raises(CommandError, match="No active Paychex connection named 'nope'"):
        call_command("sync_worker", "W1", "--connection", "nope")
