"""Run a WSGI app on a free loopback port in a background thread."""

from __future__ import annotations

import threading
from typing import Any, Callable

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

WSGIApp = Callable[..., Any]


class QuietHandler(WSGIRequestHandler):
    """No access log on stderr: the sandbox keeps its own request log."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class BackgroundServer:
    """A threaded werkzeug server on 127.0.0.1 that can be started and stopped from a test."""

    def __init__(self, app: WSGIApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("server is not running; call start() first")
        return f"http://{self.host}:{self._server.server_port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> str:
        """Bind (port 0 picks a free one), serve in a daemon thread, return the base URL."""
        if self._server is not None:
            return self.url
        self._server = make_server(self.host, self.port, self.app, threaded=True, request_handler=QuietHandler)
        # Daemon: a test that forgets stop() must not hang the interpreter at exit.
        self._thread = threading.Thread(
            # A short poll interval so stop() returns quickly (shutdown waits for the next poll).
            target=self._server.serve_forever, args=(0.05,), name=f"sandbox-{self._server.server_port}", daemon=True
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> "BackgroundServer":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
