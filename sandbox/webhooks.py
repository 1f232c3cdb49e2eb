"""Background webhook senders: Paychex's retry-until-2xx queue and Visma's batched, signed notifier."""

from __future__ import annotations

import base64
import hashlib
import hmac
import heapq
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any

from sandbox.faults import PaychexFaults, VismaFaults

POST_TIMEOUT = 5.0


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float = POST_TIMEOUT) -> tuple[int | None, str | None]:
    """POST and return (status, error); never raises, a connection failure is an error string."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, None
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except (urllib.error.URLError, OSError) as exc:
        return None, str(getattr(exc, "reason", exc))


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class BackgroundSender:
    """A daemon thread that runs `_run` until `stop()`; subclasses wait on `_cond` and check `_stopping`."""

    thread_name = "sandbox-sender"

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=POST_TIMEOUT + 1)
        self._thread = None

    def _run(self) -> None:
        raise NotImplementedError


class PaychexDispatcher(BackgroundSender):
    """Delivers thin notifications to registered hooks; anything but 2xx is retried every
    `retry_seconds` until it succeeds (NOTES §5: "re-try every 5 minutes, until success")."""

    thread_name = "paychex-webhooks"

    def __init__(self, faults: PaychexFaults, retry_seconds: float = 300.0) -> None:
        super().__init__()
        self.faults = faults
        self.retry_seconds = retry_seconds
        self._heap: list[tuple[float, int, dict[str, Any], dict[str, Any], int]] = []
        self._seq = itertools.count()
        self._in_flight = 0
        self._batch_deadline = 0.0
        self._deliveries: list[dict[str, Any]] = []
        self._dropped: list[dict[str, Any]] = []

    # -- queue ----------------------------------------------------------------------------------------
    def submit(self, hook: dict[str, Any], payload: dict[str, Any]) -> None:
        """Queue one notification for one hook; returns at once (the caller is a scripted change)."""
        if self.faults.webhook_chance(self.faults.drop_webhooks):
            with self._cond:
                self._dropped.append({"hook_id": hook["hookId"], "payload": payload})
            return
        copies = 2 if self.faults.webhook_chance(self.faults.duplicate_webhooks) else 1
        with self._cond:
            for _ in range(copies):
                self._push(hook, payload)
            self._cond.notify_all()

    def _push(self, hook: dict[str, Any], payload: dict[str, Any]) -> None:
        now = time.monotonic()
        seq = next(self._seq)
        if self.faults.reorder_webhooks:
            # Hold a batch for reorder_window, then send it newest first.
            if self._batch_deadline <= now:
                self._batch_deadline = now + self.faults.reorder_window
            heapq.heappush(self._heap, (self._batch_deadline, -seq, hook, payload, 1))
        else:
            heapq.heappush(self._heap, (now, seq, hook, payload, 1))

    @property
    def deliveries(self) -> list[dict[str, Any]]:
        with self._cond:
            return list(self._deliveries)

    @property
    def dropped(self) -> list[dict[str, Any]]:
        with self._cond:
            return list(self._dropped)

    def pending(self) -> int:
        with self._cond:
            return len(self._heap) + self._in_flight

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until nothing is queued or in flight; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._heap or self._in_flight:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
        return True

    # -- thread ---------------------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            item = self._next_due()
            if item is None:
                return
            _, _, hook, payload, attempt = item
            status, error = self._deliver(hook, payload)
            with self._cond:
                self._in_flight -= 1
                self._deliveries.append({
                    "hook_id": hook["hookId"], "url": hook["uri"], "payload": payload, "attempt": attempt,
                    "status": status, "error": error, "time": time.time(),
                })
                if status is None or not 200 <= status < 300:
                    due = time.monotonic() + self.retry_seconds
                    heapq.heappush(self._heap, (due, next(self._seq), hook, payload, attempt + 1))
                self._cond.notify_all()

    def _next_due(self) -> tuple[float, int, dict[str, Any], dict[str, Any], int] | None:
        with self._cond:
            while not self._stopping:
                now = time.monotonic()
                if self._heap and self._heap[0][0] <= now:
                    self._in_flight += 1
                    return heapq.heappop(self._heap)
                wait = self._heap[0][0] - now if self._heap else 1.0
                self._cond.wait(min(wait, 1.0))
            return None

    def _deliver(self, hook: dict[str, Any], payload: dict[str, Any]) -> tuple[int | None, str | None]:
        headers = {"Content-Type": "application/json"}
        try:
            headers.update(self._auth_headers(hook.get("authentication") or {}))
        except Exception as exc:  # a failing OAuth2 token call is a failed delivery, retried
            return None, f"authentication failed: {exc}"
        return http_post(hook["uri"], json.dumps(payload).encode(), headers)

    def _auth_headers(self, auth: dict[str, Any]) -> dict[str, str]:
        kind = auth.get("authType", "NO_AUTH")
        if kind == "BASIC_AUTH":
            return {"Authorization": _basic(auth.get("username", ""), auth.get("password", ""))}
        if kind in ("APIKEY", "API_KEY"):
            return {self.faults.apikey_header: auth.get("apiKey", "")}
        if kind in ("OAUTH2", "OAUTH2_BASIC"):
            return {"Authorization": "Bearer " + _oauth_token(auth, basic=kind == "OAUTH2_BASIC")}
        return {}


def _oauth_token(auth: dict[str, Any], basic: bool) -> str:
    """Client-credentials token from the receiver's tokenUrl (OAUTH2_BASIC sends the client as Basic)."""
    form = {"grant_type": auth.get("grantType", "client_credentials")}
    headers = {"Content-Type": auth.get("contentType", "application/x-www-form-urlencoded")}
    if basic:
        headers["Authorization"] = _basic(auth.get("clientId", ""), auth.get("clientSecret", ""))
    else:
        form.update(client_id=auth.get("clientId", ""), client_secret=auth.get("clientSecret", ""))
    request = urllib.request.Request(auth["tokenUrl"], data=urllib.parse.urlencode(form).encode(),
                                     headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=POST_TIMEOUT) as response:
        return json.loads(response.read())["access_token"]


class VismaNotifier(BackgroundSender):
    """Batches change events and POSTs each subscriber one JSON array, signed HMAC-SHA256/base64.

    The payload follows the legacy VNI shape (samples/legacy-webhook-notification.json), the only
    published one; the header name is unknown (NOTES §5), hence configurable. Sent once, no retry.
    """

    thread_name = "visma-webhooks"

    def __init__(self, faults: VismaFaults, signature_header: str, batch_seconds: float = 0.05) -> None:
        super().__init__()
        self.faults = faults
        self.signature_header = signature_header
        self.batch_seconds = batch_seconds
        self.subscribers: list[dict[str, str]] = []
        self._events: list[dict[str, Any]] = []
        self._deliveries: list[dict[str, Any]] = []
        self._sending = False

    def subscribe(self, url: str, key: str) -> None:
        self.subscribers.append({"url": url, "key": key})

    def event(self, event: str, resource_url: str, relative: str, context_id: str) -> None:
        if not self.subscribers or self.faults.webhook_chance(self.faults.drop_webhooks):
            return
        item = {
            "notificationId": str(uuid.uuid4()), "contextId": context_id, "event": event,
            "relativeResourceUri": relative, "resourceUri": resource_url, "status": "Completed",
            "timeStamp": int(time.time() * 10**7) + 621355968000000000,  # .NET ticks, as in the sample
        }
        with self._cond:
            self._events.append(item)
            self._cond.notify_all()

    @property
    def deliveries(self) -> list[dict[str, Any]]:
        with self._cond:
            return list(self._deliveries)

    def flush(self, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._events or self._sending:
                if time.monotonic() >= deadline:
                    return False
                self._cond.wait(0.05)
        return True

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._events and not self._stopping:
                    self._cond.wait(1.0)
                if self._stopping:
                    return
            time.sleep(self.batch_seconds)  # let a burst of changes gather into one POST
            with self._cond:
                batch, self._events = self._events, []
                self._sending = True
            for subscriber in list(self.subscribers):
                self._send(subscriber, batch)
            with self._cond:
                self._sending = False
                self._cond.notify_all()

    def _send(self, subscriber: dict[str, str], batch: list[dict[str, Any]]) -> None:
        body = json.dumps(batch).encode()
        signature = base64.b64encode(hmac.new(subscriber["key"].encode(), body, hashlib.sha256).digest()).decode()
        headers = {"Content-Type": "application/json", self.signature_header: signature}
        status, error = http_post(subscriber["url"], body, headers)
        with self._cond:
            self._deliveries.append({"url": subscriber["url"], "payload": batch, "status": status, "error": error})
