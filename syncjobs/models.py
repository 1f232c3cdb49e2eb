"""The sync engine's state: the webhook inbox, worker records, sync runs, the error queue, the back-off table.

The database is the truth: the queue may lose or repeat a task, so every task re-reads these rows and
claims its work with a conditional UPDATE before doing it.
"""
from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Notification(models.Model):
    """One Paychex webhook notification, stored before the 2xx (the inbox)."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSING = "processing", "Processing"
        DONE = "done", "Done"
        IGNORED = "ignored", "Ignored"
        FAILED = "failed", "Failed"

    notification_id = models.CharField(max_length=64, unique=True)
    connection = models.ForeignKey("connector.Connection", on_delete=models.PROTECT, related_name="notifications")
    company_id = models.CharField(max_length=64, blank=True)
    worker_id = models.CharField(max_length=64, blank=True, db_index=True)
    domains = models.JSONField(default=list)
    action = models.CharField(max_length=32, blank=True)
    as_of = models.CharField(max_length=40, blank=True, help_text="asOfDate as sent (a hint only; order is not trusted)")
    payload = models.JSONField(default=dict, help_text="The notification as received (ids only, no personal data)")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    outcome = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When the reaper enqueues it if the queue has not run it by then"
    )
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{','.join(self.domains)} {self.worker_id or self.company_id} ({self.notification_id})"


class Worker(models.Model):
    """What the connector knows about one Paychex worker and its Visma employee."""

    class Result(models.TextChoices):
        NEVER = "", "Never synced"
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        UNCHANGED = "unchanged", "Unchanged"
        HELD = "held", "Held"
        SKIPPED = "skipped", "Skipped"
        RETRYING = "retrying", "Retry scheduled"
        FAILED = "failed", "Failed"

    connection = models.ForeignKey(
        "connector.Connection", on_delete=models.PROTECT, related_name="workers", limit_choices_to={"system": "paychex"}
    )
    worker_id = models.CharField(max_length=64, help_text="Paychex workerId")
    company_id = models.CharField(max_length=64, blank=True)
    employee_cd = models.CharField(max_length=64, blank=True, db_index=True, help_text="Visma employeeCd")
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    hire_date = models.DateField(null=True, blank=True)
    status_type = models.CharField(max_length=32, blank=True, db_index=True, help_text="Paychex statusType in effect")
    status_effective_date = models.DateField(null=True, blank=True)
    pending_status = models.CharField(max_length=32, blank=True, help_text="Future Paychex statusType")
    pending_status_date = models.DateField(null=True, blank=True, db_index=True)
    organization_id = models.CharField(max_length=64, blank=True, db_index=True)
    job_title_id = models.CharField(max_length=64, blank=True, db_index=True)
    location_id = models.CharField(max_length=64, blank=True, db_index=True)
    paychex_profile = models.JSONField(default=dict, blank=True, help_text="Last worker read, personal data removed")

    last_fingerprint = models.CharField(max_length=64, blank=True, help_text="Hash of the employee last written")
    last_etag = models.CharField(max_length=100, blank=True)
    last_result = models.CharField(max_length=16, choices=Result.choices, blank=True, default=Result.NEVER)
    last_message = models.CharField(max_length=500, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_written_at = models.DateTimeField(null=True, blank=True)
    hold_reason = models.CharField(max_length=500, blank=True)
    # What the connector last wrote or confirmed in Visma, on the fields it manages (create-only fields
    # left out): a polled Visma record that differs from it was changed outside the connector (drift).
    last_desired = models.JSONField(default=dict, blank=True, help_text="Employee fields last written or confirmed")
    drift = models.JSONField(
        default=dict, blank=True, help_text="Drift reported, not corrected: {field: [found in Visma, connector's value]}"
    )
    drift_detected_at = models.DateTimeField(null=True, blank=True)

    # The lease: at most one sync per worker at a time, across processes.
    lease_until = models.DateTimeField(null=True, blank=True, db_index=True)
    lease_owner = models.CharField(max_length=64, blank=True)
    resync_requested = models.BooleanField(default=False, help_text="A notification arrived during a sync")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name", "worker_id"]
        constraints = [models.UniqueConstraint(fields=["connection", "worker_id"], name="worker_unique_per_connection")]
        permissions = [("resync_worker", "Can resync workers")]

    def __str__(self) -> str:
        name = " ".join(part for part in (self.given_name, self.family_name) if part)
        return f"{name or self.worker_id} ({self.employee_cd or '—'})"


class SyncRun(models.Model):
    """One batch of syncs (a notification, a resync, a poll, a backfill) with its counts.

    Lifecycle: `queued` → `start()` → `running` → `finish()` → a final status computed from the counts, so a
    run that failed is never shown as succeeded and a run that wrote nothing says so.
    """

    class Trigger(models.TextChoices):
        WEBHOOK = "webhook", "Webhook"
        RESYNC = "resync", "Resync"
        POLL = "poll", "Poll"
        BACKFILL = "backfill", "Backfill"
        SCHEDULE = "schedule", "Scheduled status change"
        RETRY = "retry", "Retry"
        MAPPING = "mapping", "Mapping changed"
        COMMAND = "command", "Command"
        RECONCILE = "reconcile", "Paychex reconciliation"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        NO_CHANGES = "no_changes", "Succeeded, nothing to write"
        PARTIAL = "partial", "Partly failed"
        FAILED = "failed", "Failed"

    FINAL = (Status.SUCCEEDED, Status.NO_CHANGES, Status.PARTIAL, Status.FAILED)
    COUNTERS = ("seen", "created", "updated", "unchanged", "held", "skipped", "failed")

    trigger = models.CharField(max_length=16, choices=Trigger.choices, db_index=True)
    started_by = models.CharField(max_length=200, blank=True, help_text="User name, or what started it")
    connection = models.ForeignKey(
        "connector.Connection", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    params = models.JSONField(default=dict, blank=True, help_text="What to redo if the run is interrupted")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    seen = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    held = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # Progress of page-by-page runs (backfill, reconciliation, poll): what the source reported, how much
    # is done (including earlier runs this one resumes), and where to resume ({"offset", "pages", …}).
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    checkpoint = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("view_reconciliation", "Can view the reconciliation"), ("start_backfill", "Can start a backfill")]

    def __str__(self) -> str:
        return f"Run {self.pk} ({self.get_trigger_display()}, {self.get_status_display()})"

    @property
    def percent_done(self) -> int | None:
        """Whole percent of the source handled, for the admin's live progress; None when unknown."""
        if not self.progress_total:
            return 100 if self.status in self.FINAL and self.progress_total == 0 else None
        return min(100, self.progress_done * 100 // self.progress_total)

    def start(self, lease_seconds: float) -> None:
        """Mark the run running; its lease is renewed by each recorded item."""
        now = timezone.now()
        self.status, self.started_at = self.Status.RUNNING, now
        self.lease_until = now + timedelta(seconds=lease_seconds)
        self.save(update_fields=["status", "started_at", "lease_until"])

    def count(self, outcome: str, lease_seconds: float) -> None:
        """Add one worker outcome to the counters (atomically, so parallel items do not lose counts)."""
        changes = {"seen": F("seen") + 1, "lease_until": timezone.now() + timedelta(seconds=lease_seconds)}
        if outcome in self.COUNTERS:
            changes[outcome] = F(outcome) + 1
        type(self).objects.filter(pk=self.pk).update(**changes)

    def finish(self, *, error: str = "", incomplete: str = "") -> None:
        """Close the run with a status that follows from its counts; `error` forces FAILED, `incomplete`
        (the source was not read in full) makes a run that would otherwise succeed PARTIAL.

        Does nothing if the run is already final (the reaper may have closed it as interrupted).
        """
        self.refresh_from_db()
        if self.status in self.FINAL:
            return
        self.status = self.Status.FAILED if error else self.final_status()
        if incomplete and self.status in (self.Status.SUCCEEDED, self.Status.NO_CHANGES):
            self.status = self.Status.PARTIAL
        self.note = (error or incomplete or self.note or self.describe())[:500]
        self.finished_at, self.lease_until = timezone.now(), None
        self.save(update_fields=["status", "note", "finished_at", "lease_until"])

    def final_status(self) -> str:
        ok = self.created + self.updated + self.unchanged + self.held + self.skipped
        if self.failed and ok:
            return self.Status.PARTIAL
        if self.failed:
            return self.Status.FAILED
        if self.created + self.updated:
            return self.Status.SUCCEEDED
        return self.Status.NO_CHANGES

    def describe(self) -> str:
        if not self.seen:
            return "Nothing to sync."
        parts = [f"{getattr(self, name)} {name}" for name in self.COUNTERS[1:] if getattr(self, name)]
        return f"{self.seen} seen: " + (", ".join(parts) or "nothing written")


class RunItem(models.Model):
    """One worker's outcome within a run (the drill-down of a run)."""

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="items")
    worker = models.ForeignKey(Worker, null=True, blank=True, on_delete=models.SET_NULL, related_name="run_items")
    paychex_worker_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=16)
    message = models.CharField(max_length=500, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "id"]

    def __str__(self) -> str:
        return f"{self.paychex_worker_id}: {self.outcome}"


class ErrorItem(models.Model):
    """A sync that did not complete: held (unmapped), failed for good, or waiting for its next retry.

    At most one unresolved item per worker: a new failure of the same worker updates it.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open (needs a person)"
        RETRYING = "retrying", "Retry scheduled"
        RESOLVED = "resolved", "Resolved"

    class Category(models.TextChoices):
        HELD = "held", "Held: mapping missing"
        PERMANENT = "permanent", "Permanent error"
        TRANSIENT = "transient", "Temporary error"

    worker = models.ForeignKey(Worker, null=True, blank=True, on_delete=models.CASCADE, related_name="errors")
    connection = models.ForeignKey("connector.Connection", null=True, blank=True, on_delete=models.SET_NULL)
    notification = models.ForeignKey(Notification, null=True, blank=True, on_delete=models.SET_NULL)
    run = models.ForeignKey(SyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="errors")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    category = models.CharField(max_length=16, choices=Category.choices)
    reason = models.CharField(max_length=500, help_text="What went wrong and what to do about it")
    code = models.CharField(max_length=64, blank=True)
    request_excerpt = models.TextField(blank=True, help_text="Redacted, truncated")
    response_excerpt = models.TextField(blank=True, help_text="Redacted, truncated")
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=150, blank=True)
    resolution_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"], condition=~Q(status="resolved"), name="one_unresolved_error_per_worker"
            )
        ]
        permissions = [("retry_error", "Can retry error items"), ("resolve_error", "Can mark error items resolved")]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.reason[:60]}"


class BackoffStep(models.Model):
    """The retry schedule for temporary errors, as data: attempt n waits `delay_seconds` of step n."""

    attempt = models.PositiveIntegerField(unique=True)
    delay_seconds = models.PositiveIntegerField()

    class Meta:
        ordering = ["attempt"]

    def __str__(self) -> str:
        return f"attempt {self.attempt}: wait {self.delay_seconds} s"


class WebhookRejection(models.Model):
    """A counter of rejected webhook calls per reason per day (nothing else of a rejected call is kept)."""

    day = models.DateField()
    reason = models.CharField(max_length=64)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "reason"]
        constraints = [models.UniqueConstraint(fields=["day", "reason"], name="rejection_unique_per_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.reason}: {self.count}"


class EmployeeSnapshot(models.Model):
    """One Visma employee as last read (page by page) or written by the connector, per Visma connection.

    Lets a backfill compare without a GET per employee, a poll skip what it has already seen (same
    timeStamp), and the headcount report count Visma's active employees without calling Visma.
    """

    visma_connection = models.ForeignKey(
        "connector.Connection", on_delete=models.CASCADE, related_name="employee_snapshots",
        limit_choices_to={"system": "visma"},
    )
    employee_cd = models.CharField(max_length=64)
    fields = models.JSONField(default=dict, help_text="The neutral employee fields (connector.clients.visma)")
    status = models.CharField(max_length=16, blank=True, help_text="Visma status (write vocabulary)")
    department = models.CharField(max_length=64, blank=True)
    etag = models.CharField(max_length=100, blank=True, help_text="timeStamp / ETag")
    last_modified = models.DateTimeField(null=True, blank=True)
    seen_at = models.DateTimeField(default=timezone.now, help_text="When it was last read or written")

    class Meta:
        ordering = ["visma_connection", "employee_cd"]
        constraints = [
            models.UniqueConstraint(fields=["visma_connection", "employee_cd"], name="snapshot_unique_per_connection")
        ]
        indexes = [models.Index(fields=["visma_connection", "status"])]

    def __str__(self) -> str:
        return f"{self.employee_cd} ({self.status or '?'})"


class PollCursor(models.Model):
    """Where incremental polling of one Visma connection stands, per kind, with its last outcome.

    `cursor` is the start time of the last complete poll; the next one asks for changes since
    cursor − POLL_OVERLAP_SECONDS so a change at the boundary is not missed. The lease keeps two polls
    of the same kind from running at once.
    """

    class Kind(models.TextChoices):
        EMPLOYEES = "employees", "Employees"
        CATALOG = "catalog", "Dimension catalog"

    visma_connection = models.ForeignKey(
        "connector.Connection", on_delete=models.CASCADE, related_name="poll_cursors",
        limit_choices_to={"system": "visma"},
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    cursor = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(max_length=16, blank=True, help_text="A SyncRun status")
    last_read = models.PositiveIntegerField(default=0)
    last_message = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["visma_connection", "kind"]
        constraints = [models.UniqueConstraint(fields=["visma_connection", "kind"], name="cursor_unique_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} poll: {self.cursor or 'never'}"


class HeadcountReport(models.Model):
    """A stored headcount reconciliation (Paychex active vs Visma active), shown on the admin page."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    requested_by = models.CharField(max_length=150, blank=True)
    refreshed = models.BooleanField(default=False, help_text="Both sides were read from the APIs first")
    ok = models.BooleanField(default=False, help_text="True only when every count and every worker matches")
    mismatches = models.PositiveIntegerField(default=0)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Headcount {self.created_at:%Y-%m-%d %H:%M} ({'matches' if self.ok else 'MISMATCH'})"


class AlertState(models.Model):
    """What the alert digest has already told people (one row, key "digest"): only news is sent."""

    key = models.CharField(max_length=32, unique=True, default="digest")
    checked_until = models.DateTimeField(null=True, blank=True, help_text="Events up to here have been considered")
    last_sent_at = models.DateTimeField(null=True, blank=True)
    silence_reported_for = models.DateTimeField(
        null=True, blank=True, help_text="The last notification time a silence alert was sent for (once per silence)"
    )

    def __str__(self) -> str:
        return f"Alerts checked until {self.checked_until or 'never'}"
