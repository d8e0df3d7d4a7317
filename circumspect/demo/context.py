"""What demo steps share (:class:`DemoContext`) and where the demo data is."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"


@dataclass
class DemoContext:
    """What demo steps share: where to write, where the demo data is, a scratch dict."""

    out: Path
    data: Path = DATA_DIR
    shared: dict[str, Any] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
