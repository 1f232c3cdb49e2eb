"""The queries behind the console's front page: a handful of aggregates, never one query per row or per day.

Each function returns plain data (no HTML); `syncjobs.console` renders it. Query counts are asserted in
tests/console/test_admin_performance.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from connector.models import Connection
from mappings.models import MAPPING_MODELS
from syncjobs.models import ErrorItem, HeadcountReport, Notification, PollCursor, SyncRun, Worker

CHART_DAYS = 30
# The "Start backfill" page (issue 6); until it exists the step links the connections.
BACKFILL_PAGE = "admin:syncjobs_start_backfill"


def first_url(name: str, fallback: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return fallback


@dataclass(frozen=True)
class Health:
    """One connection's state in words: ok | warning | error | unchecked."""

    connection: Connection
    state: str
    message: str


@dataclass(frozen=True)
class DayCount:
    day: date
    syncs: int
    failures: int


@dataclass(frozen=True)
class Step:
    """One set-up step of a fresh install."""

    text: str
    done: bool
    url: str
    hint: str = ""


@dataclass
class Inbox:
    received_today: int = 0
    waiting: int = 0
    failed: int = 0


@dataclass
class ErrorQueue:
    open: int = 0
    retrying: int = 0
    oldest: datetime | None = None
    total: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.total = self.open + self.retrying


def health_of(connection: Connection) -> Health:
    """What a person needs to know about a connection, newest fact first."""
    if connection.secret_is_undecryptable:
        return Health(connection, "error", "The stored secret cannot be decrypted: re-enter it.")
    if connection.last_check_ok is False and _newer(connection.last_check_at, connection.last_success_at):
        return Health(connection, "error", connection.last_check_message or "The last check failed.")
    if connection.last_error and _newer(connection.last_error_at, connection.last_success_at):
        return Health(connection, "warning", connection.last_error)
    if connection.last_success_at or connection.last_check_ok:
        return Health(connection, "ok", "Working.")
    return Health(connection, "unchecked", "Not checked yet: run “Test connection”.")


def _newer(when: datetime | None, than: datetime | None) -> bool:
    return when is not None and (than is None or when >= than)


def connection_health() -> list[Health]:
    """Every active connection with its health (one query)."""
    return [health_of(c) for c in Connection.objects.filter(is_active=True).order_by("system", "name")]


def inbox_summary() -> Inbox:
    """Notifications received today (TIME_ZONE), waiting to be processed, failed (one query)."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    waiting = [Notification.Status.RECEIVED, Notification.Status.PROCESSING]
    counts = Notification.objects.aggregate(
        received_today=Count("pk", filter=Q(received_at__gte=start)),
        waiting=Count("pk", filter=Q(status__in=waiting)),
        failed=Count("pk", filter=Q(status=Notification.Status.FAILED)),
    )
    return Inbox(**counts)


def error_queue_summary() -> ErrorQueue:
    """Unresolved error items: open (needs a person), retrying, and the oldest one's first sighting."""
    counts = ErrorItem.objects.exclude(status=ErrorItem.Status.RESOLVED).aggregate(
        open=Count("pk", filter=Q(status=ErrorItem.Status.OPEN)),
        retrying=Count("pk", filter=Q(status=ErrorItem.Status.RETRYING)),
        oldest=Min("first_seen_at"),
    )
    return ErrorQueue(**counts)


def held_worker_count() -> int:
    return Worker.objects.filter(last_result=Worker.Result.HELD).count()


UNMAPPED_LABELS = {"organization": "organization", "job_title": "job title", "location": "location"}


def unmapped_counts() -> list[tuple[str, str, int]]:
    """(what, model name, rows needing a mapping) per mapping table: still listed by Paychex, no target."""
    return [(UNMAPPED_LABELS.get(kind, kind), model._meta.model_name,
             model.objects.filter(target="", source_active=True).count()) for kind, model in MAPPING_MODELS.items()]


def last_poll() -> PollCursor | None:
    return PollCursor.objects.exclude(last_finished_at=None).select_related("visma_connection").order_by(
        "-last_finished_at").first()


def last_reconciliation() -> HeadcountReport | None:
    return HeadcountReport.objects.order_by("-created_at", "-id").first()


def active_runs(limit: int = 5) -> list[SyncRun]:
    """Runs queued or running, newest first (backfills show their progress)."""
    return list(SyncRun.objects.filter(status__in=[SyncRun.Status.QUEUED, SyncRun.Status.RUNNING])
                .order_by("-created_at", "-id")[:limit])


def daily_activity(days: int = CHART_DAYS, today: date | None = None) -> list[DayCount]:
    """Worker syncs and failures per day (TIME_ZONE) for the last `days` days, zeros included.

    One grouped query over the runs' counters (indexed on created_at), not one per day.
    """
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    rows = (SyncRun.objects.filter(created_at__gte=start)
            .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
            .values("day").order_by("day")
            .annotate(syncs=Coalesce(Sum("seen"), 0), failures=Coalesce(Sum("failed"), 0)))
    by_day = {row["day"]: row for row in rows}
    result = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        row = by_day.get(day, {})
        result.append(DayCount(day, row.get("syncs", 0), row.get("failures", 0)))
    return result


def setup_steps() -> list[Step]:
    """What a fresh install still needs, in order; all done once the first load has run."""
    connections = list(Connection.objects.filter(is_active=True).only(
        "system", "last_check_ok", "last_success_at", "registered_hook_ids"))
    systems = {c.system for c in connections}
    paychex = [c for c in connections if c.system == Connection.System.PAYCHEX]
    loaded = Worker.objects.exists()
    connections_url = reverse("admin:connector_connection_changelist")
    return [
        Step("Add a Paychex connection and a Visma connection", {"paychex", "visma"} <= systems,
             reverse("admin:connector_connection_add"), "Client id and secret from each vendor's developer portal."),
        Step("Test them", bool(connections) and all(c.last_check_ok or c.last_success_at for c in connections),
             connections_url, "Select the connections, action “Test connection”."),
        Step("Register the Paychex webhooks", bool(paychex) and all(c.registered_hook_ids for c in paychex),
             connections_url, "Select the Paychex connection, action “Register webhooks”."),
        Step("Run the initial load", loaded, first_url(BACKFILL_PAGE, connections_url),
             "Loads every Paychex worker into Visma once; afterwards changes arrive by themselves."),
    ]
