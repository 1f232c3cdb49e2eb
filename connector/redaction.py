"""Redaction and truncation for anything that leaves the connector as text (logs, error excerpts)."""
from __future__ import annotations

import re
from collections.abc import Iterable

from config.logging import redact

MAX_EXCERPT_CHARS = 500

# Secret-bearing JSON keys beyond the ones config.logging already knows (webhook registration bodies).
_EXTRA_PATTERNS = [
    re.compile(r"(?i)((?:apiKey|clientSecret|secret|token)['\"]?\s*[:=]\s*['\"]?)[^\s'\",&]+"),
]


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Return `text` with credentials removed: known patterns, plus every literal value in `secrets`."""
    for value in secrets:
        if value and len(value) >= 4:
            text = text.replace(value, "[REDACTED]")
    text = redact(text)
    for pattern in _EXTRA_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + "[REDACTED]", text)
    return text


def excerpt(text: str | bytes | None, secrets: Iterable[str] = (), limit: int = MAX_EXCERPT_CHARS) -> str:
    """Redacted, truncated text for an error message or log line."""
    if not text:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    cleaned = redact_text(text, secrets)
    return cleaned if len(cleaned) <= limit else cleaned[:limit] + "…"
