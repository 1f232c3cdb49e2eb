"""What both simulators share: the server lifecycle, the request log and JSON helpers."""

from __future__ import annotations

import collections
import json
import threading
import time
from typing import Any, Callable
from urllib.parse import parse_qsl

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from sandbox.server import BackgroundServer

CONTROL_PREFIX = "/_sandbox/"
SECRET_FORM_FIELDS = {"client_secret", "password"}


def json_response(body: Any, status: int = 200, content_type: str = "application/json",
                  headers: dict[str, str] | None = None) -> Response:
    text = "" if body is None else json.dumps(body, ensure_ascii=False)
    return Response(text, status=status, content_type=content_type, headers=headers or {})


def read_json(request: Request) -> Any:
    """The request body as JSON; ValueError when it is not valid JSON."""
    raw = request.get_data(cache=True, as_text=True)
    if not raw.strip():
        raise ValueError("empty body")
    return json.loads(raw)


def redact_headers(headers: Any) -> dict[str, str]:
    """Keep the scheme of Authorization ("Bearer", "Basic") and drop the credential itself."""
    out = {}
    for name, value in headers.items():
        if name.lower() in ("authorization", "proxy-authorization"):
            value = value.split(" ", 1)[0] if value else ""
        out[name] = value
    return out


def redact_body(request: Request) -> str:
    if request.mimetype != "application/x-www-form-urlencoded":
        return request.get_data(cache=True, as_text=True)
    # The handler may already have parsed the form, which consumes the raw body.
    pairs = request.form.items(multi=True) if request.form else parse_qsl(request.get_data(as_text=True))
    return _redact_pairs(pairs)


def _redact_pairs(pairs: Any) -> str:
    return "&".join(f"{k}={'***' if k in SECRET_FORM_FIELDS else v}" for k, v in pairs)


class RequestLog:
    """Thread-safe, bounded log of API calls (the control API is never logged)."""

    def __init__(self, maxlen: int = 100_000) -> None:
        self._entries: collections.deque[dict[str, Any]] = collections.deque(maxlen=maxlen)
        self._lock = threading.Lock()

    def add(self, request: Request, status: int) -> None:
        entry = {
            "time": time.time(),
            "method": request.method,
            "path": request.path,
            "query": _redact_pairs(parse_qsl(request.query_string.decode("latin-1"), keep_blank_values=True)),
            "headers": redact_headers(request.headers),
            "body": redact_body(request),
            "status": status,
        }
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


Handler = Callable[..., Response]


class SandboxBase:
    """Lifecycle and WSGI plumbing; subclasses supply `api_map`, `control_map` and the handlers."""

    api_map: Map
    control_map: Map

    def __init__(self) -> None:
        self._server = BackgroundServer(self.wsgi_app)
        self._log = RequestLog()
        self.lock = threading.RLock()  # one lock around all simulated state

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, port: int = 0) -> str:
        self._server.port = port
        url = self._server.start()
        self._on_start()
        return url

    def stop(self) -> None:
        self._on_stop()
        self._server.stop()

    def _on_start(self) -> None:
        """Hook for background threads (webhook dispatchers)."""

    def _on_stop(self) -> None:
        """Hook for background threads (webhook dispatchers)."""

    def __enter__(self):  # type: ignore[no-untyped-def]
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return self._server.url

    # -- request log -------------------------------------------------------------------------
    @property
    def requests(self) -> list[dict[str, Any]]:
        return self._log.entries()

    def clear_requests(self) -> None:
        self._log.clear()

    # -- WSGI -------------------------------------------------------------------------------
    def wsgi_app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        if request.path.startswith(CONTROL_PREFIX):
            response = self._dispatch(self.control_map, request, self.control_error)
        else:
            response = self.api_call(request)
            self._log.add(request, response.status_code)
        return response(environ, start_response)

    def api_call(self, request: Request) -> Response:
        return self._dispatch(self.api_map, request, self.api_error)

    def _dispatch(self, url_map: Map, request: Request,
                  on_error: Callable[[HTTPException], Response]) -> Response:
        adapter = url_map.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except HTTPException as exc:
            return on_error(exc)
        handler: Handler = getattr(self, endpoint)
        return handler(request, **args)

    def api_error(self, exc: HTTPException) -> Response:
        raise NotImplementedError

    def control_error(self, exc: HTTPException) -> Response:
        return json_response({"error": exc.name}, status=exc.code or 500)

    def control_body(self, request: Request) -> dict[str, Any]:
        try:
            body = read_json(request)
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}
