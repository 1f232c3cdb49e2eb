"""A logging filter that removes secrets from every log line, whatever logged them."""
from __future__ import annotations

import logging
import re

# Patterns of secrets that could reach a log line from a library or an exception message.
SECRET_PATTERNS = [
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(bearer|basic)\s+[^\s'\",]+"),
    re.compile(r"(?i)((?:access_token|client_secret|password|refresh_token)['\"]?\s*[:=]\s*['\"]?)[^\s'\",&]+"),
]


def redact(text: str) -> str:
    """Return `text` with bearer/basic credentials and secret form fields replaced by [REDACTED]."""
    for pattern in SECRET_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + "[REDACTED]", text)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
