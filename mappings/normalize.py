"""Name keys for matching: equal keys mean "the same name" to a person reading both lists."""
from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")


def name_key(text: str | None) -> str:
    """Return `text` in a form where case, spacing and Unicode composition no longer matter.

    NFC first so a decomposed "Ø"/"å" (as some spreadsheets and macOS produce) equals the composed one;
    casefold rather than lower so "ß"/"SS" and similar compare equal; every run of whitespace (including
    non-breaking spaces) becomes one space. Nordic letters are kept: "Økonomi" ≠ "Okonomi".
    """
    if not text:
        return ""
    composed = unicodedata.normalize("NFC", text)
    return _WHITESPACE.sub(" ", composed).strip().casefold()


def clean_text(text: str | None, max_length: int) -> str:
    """Return `text` NFC-composed, without control characters, trimmed and capped at `max_length`."""
    if not text:
        return ""
    composed = unicodedata.normalize("NFC", str(text))
    printable = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in composed)
    return _WHITESPACE.sub(" ", printable).strip()[:max_length].rstrip()
