"""The ownership rules per authority, read from configuration.

The packaged ``data/rules.toml`` holds OFAC (>= 50 %), EU and UK (> 50 % or control);
``$CIRCUMSPECT_OWNERSHIP_RULES`` may name another TOML file of the same shape. Anything the
file says that cannot be read one way only is a ``ConfigError`` naming the rule and key.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from circumspect.errors import ConfigError
from circumspect.ownership.graph import Rule

DEFAULT_PATH = Path(__file__).parent / "data" / "rules.toml"
_KEYS = {"authority", "sources", "threshold", "inclusive", "control", "look_through"}


def load_rules(path: Path | None = None) -> tuple[Rule, ...]:
    """The rules of ``path``, else of ``$CIRCUMSPECT_OWNERSHIP_RULES``, else the defaults."""
    from circumspect import settings

    if path is None:
        configured = settings.get("CIRCUMSPECT_OWNERSHIP_RULES").strip()
        path = Path(configured).expanduser() if configured else DEFAULT_PATH
    label = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("ownership rules file not found", file=label) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"unreadable ownership rules: {exc}", file=label) from exc
    table = data.get("rules")
    if not isinstance(table, dict) or not table:
        raise ConfigError("no [rules.NAME] table", file=label)
    return tuple(_rule(label, name, body) for name, body in sorted(table.items()))


def _rule(label: str, name: str, body: Any) -> Rule:
    if not isinstance(body, dict):
        raise ConfigError("not a table", file=label, record=f"rules.{name}")
    unknown = set(body) - _KEYS
    missing = {"sources", "threshold", "inclusive", "control"} - set(body)
    if unknown or missing:
        what = f"unknown key(s) {sorted(unknown)}" if unknown else f"missing {sorted(missing)}"
        raise ConfigError(what, file=label, record=f"rules.{name}")
    threshold = body["threshold"]
    if not isinstance(threshold, int | float) or isinstance(threshold, bool):
        raise ConfigError("threshold must be a number", file=label, record=f"rules.{name}")
    if not 0.0 < float(threshold) <= 1.0:
        raise ConfigError(
            f"threshold {threshold} must be a fraction in (0, 1] (0.5 for 50 %)",
            file=label,
            record=f"rules.{name}",
        )
    sources = body["sources"]
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise ConfigError("sources must be a list of names", file=label, record=f"rules.{name}")
    flags: dict[str, bool] = {}
    for key, default in (("inclusive", None), ("control", None), ("look_through", True)):
        value = body.get(key, default)
        if not isinstance(value, bool):
            raise ConfigError(f"{key} must be true or false", file=label, record=f"rules.{name}")
        flags[key] = value
    return Rule(
        name=name,
        authority=str(body.get("authority", name)),
        sources=tuple(sources),
        threshold=float(threshold),
        inclusive=flags["inclusive"],
        control=flags["control"],
        look_through=flags["look_through"],
    )
