"""The one exception type every remote call raises (contract: docs/ARCHITECTURE.md, "connector")."""
from __future__ import annotations


class ApiError(Exception):
    """A failed call to Paychex or Visma, classified so callers know whether a retry can help.

    `message` is a sentence a person can act on and never contains a secret; `permanent` is True when
    retrying will not help (400/403/404/406/409/422, auth or configuration problems) and False for
    429/5xx/timeouts/connection errors; `code` is the vendor's code ("API-7", "12027") or ours
    (timeout, connection, rate_limited, not_found, validation, auth, precondition_failed,
    server_error, configuration, undecryptable_secret, paging); `retry_after` is the server's
    requested wait in seconds when known; the excerpts are redacted and truncated.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        status: int | None = None,
        code: str = "",
        retry_after: float | None = None,
        request_excerpt: str = "",
        response_excerpt: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.status = status
        self.code = code
        self.retry_after = retry_after
        self.request_excerpt = request_excerpt
        self.response_excerpt = response_excerpt

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        kind = "permanent" if self.permanent else "transient"
        return f"{type(self).__name__}({self.message!r}, {kind}, status={self.status}, code={self.code!r})"


class NotFound(ApiError):
    """404: the resource does not exist (or is not visible to these credentials)."""


class PreconditionFailed(ApiError):
    """412: the If-Match ETag is stale; re-read the record and try again."""
