"""`/healthz`: is the database reachable, is the queue reachable, how did each connection last check."""
from __future__ import annotations

import logging
from typing import Any

from django.db import connection as db_connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from connector.models import Connection

logger = logging.getLogger(__name__)


def check_database() -> dict[str, Any]:
    try:
        with db_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "vendor": db_connection.vendor}
    except Exception as exc:  # any failure means "not healthy"; the reason is logged, not exposed
        logger.warning("healthz: database check failed: %s", exc.__class__.__name__)
        return {"ok": False, "error": exc.__class__.__name__}


def check_queue() -> dict[str, Any]:
    from django_q.brokers import get_broker

    try:
        broker = get_broker()
        broker.ping()
        return {"ok": True, "broker": broker.info(), "waiting": broker.queue_size()}
    except Exception as exc:
        logger.warning("healthz: queue check failed: %s", exc.__class__.__name__)
        return {"ok": False, "error": exc.__class__.__name__}


def describe_connections() -> tuple[list[dict[str, Any]], bool]:
    """Each active connection's last check; healthy unless a connection's last check failed."""
    rows = []
    healthy = True
    for conn in Connection.objects.filter(is_active=True).order_by("system", "name"):
        rows.append(
            {
                "name": conn.name,
                "system": conn.system,
                "last_check_at": conn.last_check_at.isoformat() if conn.last_check_at else None,
                "last_check_ok": conn.last_check_ok,
                "last_check_message": conn.last_check_message,
                "last_success_at": conn.last_success_at.isoformat() if conn.last_success_at else None,
            }
        )
        healthy = healthy and conn.last_check_ok is not False
    return rows, healthy


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = check_database()
    queue = check_queue() if database["ok"] else {"ok": False, "error": "database unavailable"}
    connections, connections_ok = describe_connections() if database["ok"] else ([], False)
    healthy = database["ok"] and queue["ok"] and connections_ok
    body = {"status": "ok" if healthy else "unhealthy", "database": database, "queue": queue, "connections": connections}
    return JsonResponse(body, status=200 if healthy else 503)
