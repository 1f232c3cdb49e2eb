"""The one HTTP choke point for Paychex and Visma.

Every call goes through `ApiSession.request`: a pooled `requests.Session` per connection and process,
a timeout on every call, a correlation id header, one structured log line per call (logger
"connector.http": method, path, status, duration, never a secret or a query string), a cached token
renewed before it expires, one renewal + one retry on 401, inline waits for short 429s, pacing by
Visma's X-RateLimit-* headers, and every failure turned into `connector.errors.ApiError`. Vendor
clients only supply a `VendorRules` subclass that knows their headers and which codes are permanent.
"""
from __future__ import annotations

import json
import logging
import threading
import uuid
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.db import DatabaseError, transaction

from connector.clock import Clock, system_clock
from connector.errors import ApiError, NotFound, PreconditionFailed
from connector.redaction import excerpt

if TYPE_CHECKING:
    from connector.models import Connection

logger = logging.getLogger("connector.http")

# Default meaning of each status when the vendor rules say nothing more specific.
PERMANENT_STATUSES = {400: "validation", 401: "auth", 403: "forbidden", 404: "not_found", 405: "validation",
                      406: "validation", 409: "conflict", 412: "precondition_failed", 413: "validation",
                      415: "validation", 422: "validation"}


def setting(name: str) -> Any:
    return settings.CONNECTOR[name]


class VendorRules:
    """What differs between vendors at the HTTP level. Subclassed by each vendor client."""

    correlation_header = "X-Correlation-Id"

    def extra_headers(self, connection: Connection) -> dict[str, str]:
        return {}

    def describe(self, body: Any) -> tuple[str, str]:
        """Return (vendor code, vendor message) from a parsed error body; ("", "") when unknown."""
        return "", ""

    def is_transient(self, status: int, code: str) -> bool | None:
        """Override the default classification for a vendor code: True/False, or None for the default."""
        return None

    def paces_by_rate_limit_headers(self) -> bool:
        return False


@dataclass
class _ProcessState:
    """Per-connection state shared by every ApiSession of this process."""

    session: requests.Session
    pace_until: float = 0.0
    health_written_at: float | None = None
    health_ok: bool | None = None
    # Rate-limit budget of this process (vendors with X-RateLimit-* headers): calls it may still send in
    # the current window, i.e. the last Remaining minus the calls other threads had in flight then.
    budget: float | None = None
    budget_reset_at: float = 0.0
    in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


_states: dict[int, _ProcessState] = {}
_states_lock = threading.Lock()


def _state(connection_id: int) -> _ProcessState:
    with _states_lock:
        if connection_id not in _states:
            _states[connection_id] = _ProcessState(session=requests.Session())
        return _states[connection_id]


def reset_process_state() -> None:
    """Forget pooled sessions, pacing and health throttling (tests; after a fork)."""
    with _states_lock:
        for state in _states.values():
            state.session.close()
        _states.clear()


class ApiSession:
    """Authenticated calls to one connection. Cheap to create; the pooled session lives per process."""

    def __init__(self, connection: Connection, rules: VendorRules, *, clock: Clock | None = None) -> None:
        self.connection = connection
        self.rules = rules
        self.clock = clock or system_clock

    # --- public ---------------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """Send one call and return its 2xx response.

        Raises ApiError (NotFound for 404, PreconditionFailed for 412) for anything else, after at most
        one token renewal (401) and a bounded number of inline waits for 429 Retry-After.
        Changes: the connection's cached token (on renewal) and health fields (throttled).
        """
        from connector import tokens  # tokens imports this module for the token call

        url = self.url_for(path)
        token = tokens.access_token(self)
        renewed, waits = False, 0
        while True:
            self._wait_for_pace(method, url)
            self._take_budget(method, url)
            try:
                response = self._send(method, url, token, params=params, json_body=json_body, headers=headers)
            finally:
                self._end_flight()
            self._note_rate_limit(response)
            if response.status_code == 401 and not renewed:
                token = tokens.renew_token(self, stale_token=token)
                renewed = True
                continue
            if response.status_code == 429 and waits < setting("MAX_INLINE_RETRY_ATTEMPTS"):
                delay = retry_after_seconds(response, self.clock)
                if delay <= setting("MAX_INLINE_RETRY_AFTER_SECONDS"):
                    waits += 1
                    self.clock.sleep(delay)
                    continue
            if response.ok:
                self._record_health(ok=True)
                return response
            error = self.error_for(response, method, url, json_body)
            self._record_health(ok=False, message=error.message)
            raise error

    def url_for(self, path: str) -> str:
        """Absolute URL on this connection's host. A link pointing elsewhere is re-rooted on our base URL,
        so a bearer token is never sent to a host the connection does not name."""
        base = urlsplit(self.connection.base_url.rstrip("/"))
        if not path.startswith(("http://", "https://")):
            return self.connection.base_url.rstrip("/") + "/" + path.lstrip("/")
        link = urlsplit(path)
        if (link.scheme, link.netloc) == (base.scheme, base.netloc):
            return path
        link_path = link.path if link.path.startswith(base.path) else base.path + link.path
        return urlunsplit((base.scheme, base.netloc, link_path, link.query, ""))

    def post_form(self, url: str, form: dict[str, str]) -> requests.Response:
        """POST a form without a bearer token (the token endpoint). Network errors raise ApiError;
        HTTP errors are returned for the caller to interpret."""
        return self._send("POST", url, None, data=form)

    # --- sending --------------------------------------------------------------------------------
    def _send(self, method: str, url: str, token: str | None, **kwargs: Any) -> requests.Response:
        correlation_id = str(uuid.uuid4())
        headers = {
            "Accept": "application/json",
            self.rules.correlation_header: correlation_id,
            **self.rules.extra_headers(self.connection),
            **(kwargs.pop("headers", None) or {}),
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        json_body = kwargs.pop("json_body", None)
        if json_body is not None:
            kwargs["json"] = json_body
        timeout = (setting("HTTP_CONNECT_TIMEOUT"), setting("HTTP_READ_TIMEOUT"))
        session = _state(self.connection.pk).session
        started = self.clock.monotonic()
        try:
            response = session.request(method, url, headers=headers, timeout=timeout, **kwargs)
        except requests.Timeout as exc:
            self._log(method, url, None, started, correlation_id, type(exc).__name__)
            raise self._network_error("timeout", f"{self._where()} did not answer in time", method, url) from None
        except requests.RequestException as exc:
            self._log(method, url, None, started, correlation_id, type(exc).__name__)
            raise self._network_error("connection", f"{self._where()} is unreachable", method, url) from None
        self._log(method, url, response.status_code, started, correlation_id)
        return response

    def _log(self, method: str, url: str, status: int | None, started: float, correlation_id: str,
             failure: str = "") -> None:
        duration_ms = round((self.clock.monotonic() - started) * 1000)
        path = urlsplit(url).path
        # A 404 is how a lookup says "not there yet" (a new employee): callers report the ones that matter.
        level = logging.INFO if status is not None and (status < 400 or status == 404) else logging.WARNING
        logger.log(
            level,
            "method=%s path=%s status=%s duration_ms=%d connection=%s correlation_id=%s%s",
            method, path, status if status is not None else "-", duration_ms, self.connection.pk,
            correlation_id, f" failure={failure}" if failure else "",
            extra={"http_method": method, "http_path": path, "http_status": status, "duration_ms": duration_ms,
                   "connection_id": self.connection.pk, "correlation_id": correlation_id},
        )

    # --- errors ---------------------------------------------------------------------------------
    def _where(self) -> str:
        return f"{self.connection.get_system_display()} ({urlsplit(self.connection.base_url).netloc})"

    def _secrets(self) -> list[str]:
        values = [self.connection.client_secret, self.connection.access_token, self.connection.webhook_password]
        return [v for v in values if isinstance(v, str)]

    def _network_error(self, code: str, message: str, method: str, url: str) -> ApiError:
        self._record_health(ok=False, message=message)
        return ApiError(message, permanent=False, status=None, code=code,
                        request_excerpt=f"{method} {urlsplit(url).path}")

    def error_for(self, response: requests.Response, method: str, url: str, json_body: Any = None) -> ApiError:
        """Classify a non-2xx response into ApiError / NotFound / PreconditionFailed."""
        status = response.status_code
        body = parse_json(response)
        vendor_code, vendor_message = self.rules.describe(body)
        default_code = PERMANENT_STATUSES.get(status, "rate_limited" if status == 429 else "server_error")
        code = vendor_code or default_code
        transient = self.rules.is_transient(status, code)
        if transient is None:
            transient = status in (408, 425, 429) or status >= 500
        message = f"{self._where()} answered {status} to {method} {urlsplit(url).path}"
        if vendor_message:
            message += f": {vendor_message}"
        secrets = self._secrets()
        body_text = "" if json_body is None else json.dumps(json_body)
        kwargs = dict(
            permanent=not transient, status=status, code=code,
            retry_after=retry_after_seconds(response, self.clock) if status in (429, 503) else None,
            request_excerpt=excerpt(f"{method} {urlsplit(url).path} {body_text}".strip(), secrets),
            response_excerpt=excerpt(response.text, secrets),
        )
        error_class = {404: NotFound, 412: PreconditionFailed}.get(status, ApiError)
        return error_class(excerpt(message, secrets), **kwargs)

    # --- rate limits ----------------------------------------------------------------------------
    def _wait_for_pace(self, method: str, url: str) -> None:
        wait = _state(self.connection.pk).pace_until - self.clock.monotonic()
        if wait <= 0:
            return
        if wait > setting("MAX_INLINE_RETRY_AFTER_SECONDS"):
            raise ApiError(
                f"{self._where()} rate limit nearly used up: next call allowed in {wait:.0f} s",
                permanent=False, code="rate_limited", retry_after=wait,
                request_excerpt=f"{method} {urlsplit(url).path}",
            )
        self.clock.sleep(wait)

    def _take_budget(self, method: str, url: str) -> None:
        """Reserve one call of the window's budget, waiting for the reset when none is left.

        With several threads the Remaining of the last response does not count the calls other threads
        sent since; without this reservation parallel backfill threads overshoot the limit at the end of
        a window (429s). Across processes the headers remain the shared budget."""
        if not self.rules.paces_by_rate_limit_headers():
            return
        state = _state(self.connection.pk)
        while True:
            with state.lock:
                now = self.clock.monotonic()
                open_window = state.budget is None or now >= state.budget_reset_at
                if open_window or state.budget >= 1:
                    if not open_window:
                        state.budget -= 1
                    state.in_flight += 1
                    return
                wait = state.budget_reset_at - now
            if wait > setting("MAX_INLINE_RETRY_AFTER_SECONDS"):
                raise ApiError(f"{self._where()} rate limit used up: next call allowed in {wait:.0f} s",
                               permanent=False, code="rate_limited", retry_after=wait,
                               request_excerpt=f"{method} {urlsplit(url).path}")
            self.clock.sleep(wait)

    def _end_flight(self) -> None:
        if self.rules.paces_by_rate_limit_headers():
            state = _state(self.connection.pk)
            with state.lock:
                state.in_flight -= 1

    def _note_rate_limit(self, response: requests.Response) -> None:
        """Spread the calls left in the window over the time left once Remaining drops below the
        configured fraction of Limit. The headers count every process's calls, so this is the shared budget."""
        if not self.rules.paces_by_rate_limit_headers():
            return
        limit, remaining, reset = (_header_number(response, f"X-RateLimit-{n}") for n in ("Limit", "Remaining", "Reset"))
        if limit is None or remaining is None or reset is None or limit <= 0:
            return
        state = _state(self.connection.pk)
        with state.lock:
            state.budget = max(0.0, remaining - state.in_flight)
            state.budget_reset_at = self.clock.monotonic() + reset
        if remaining >= limit * setting("RATE_LIMIT_SLOWDOWN_FRACTION"):
            state.pace_until = 0.0
            return
        delay = reset if remaining <= 0 else reset / remaining
        state.pace_until = self.clock.monotonic() + delay

    # --- health ---------------------------------------------------------------------------------
    def _record_health(self, *, ok: bool, message: str = "") -> None:
        """Note success/failure on the connection: on every change of state, otherwise at most once per
        HEALTH_WRITE_INTERVAL_SECONDS per process, so a busy sync does not UPDATE the row on every call."""
        from connector.models import Connection

        state = _state(self.connection.pk)
        now = self.clock.monotonic()
        due = state.health_written_at is None or now - state.health_written_at >= setting("HEALTH_WRITE_INTERVAL_SECONDS")
        if state.health_ok == ok and not due:
            return
        values = {"last_success_at": self.clock.now()} if ok else {"last_error": message[:500], "last_error_at": self.clock.now()}
        try:
            # Bookkeeping must never fail the call it describes; the savepoint keeps a caller's
            # transaction usable if this UPDATE fails (e.g. SQLite busy beyond its timeout).
            with transaction.atomic():
                Connection.objects.filter(pk=self.connection.pk).update(**values)
        except DatabaseError as exc:
            logger.warning("could not record connection health: %s connection=%s", type(exc).__name__, self.connection.pk)
            return
        state.health_ok, state.health_written_at = ok, now


def parse_json(response: requests.Response) -> Any:
    """The response body as JSON, or None when it is empty or not JSON."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def retry_after_seconds(response: requests.Response, clock: Clock) -> float:
    """Seconds to wait from Retry-After (seconds or an HTTP date); a setting when absent or unreadable."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return float(setting("RETRY_AFTER_DEFAULT_SECONDS"))
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - clock.now()).total_seconds())
    except (TypeError, ValueError):
        return float(setting("RETRY_AFTER_DEFAULT_SECONDS"))


def _header_number(response: requests.Response, name: str) -> float | None:
    try:
        return float(response.headers[name])
    except (KeyError, ValueError):
        return None
