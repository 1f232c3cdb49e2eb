"""Access to the vendors' sample payloads in ../shared/specs (ML_SPECS_DIR overrides the location)."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

SPECS_DIR = Path(os.environ.get("ML_SPECS_DIR", Path(__file__).resolve().parents[2] / "shared" / "specs"))


def load(vendor: str, name: str) -> Any:
    """Return the parsed JSON sample `name` of `vendor` ("paychex" or "visma")."""
    return json.loads((SPECS_DIR / vendor / name).read_text(encoding="utf-8"))
