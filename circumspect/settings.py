"""Configuration from ``CIRCUMSPECT_*`` environment variables, declared in one table.

Each setting has a name, a default and help text; ``circumspect settings`` prints the table
and ``docs/settings.md`` documents it (a test fails when a setting is undocumented).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "CIRCUMSPECT_HOME",
        "~/.circumspect",
        "Folder for the embedded store (SQLite), DuckDB tables, indexes and caches.",
    ),
    Setting(
        "CIRCUMSPECT_DB",
        "",
        "Database URL for the list store and cases; empty means SQLite at "
        "$CIRCUMSPECT_HOME/circumspect.sqlite. PostgreSQL: postgresql://user:pw@host/db.",
    ),
    Setting(
        "CIRCUMSPECT_ALERT_THRESHOLD",
        "0.70",
        "Default screening score at or above which a candidate raises an alert.",
    ),
    Setting(
        "CIRCUMSPECT_SECRET_KEY",
        "",
        "Secret for signing web session cookies; generated and kept in $CIRCUMSPECT_HOME "
        "when empty.",
    ),
    Setting(
        "CIRCUMSPECT_MAX_REQUEST_BYTES",
        "10485760",
        "Largest request body the API accepts, in bytes.",
    ),
    Setting(
        "CIRCUMSPECT_FETCH_TIMEOUT",
        "60",
        "Timeout in seconds for each download by `lists fetch`.",
    ),
    Setting(
        "CIRCUMSPECT_OWNERSHIP_RULES",
        "",
        "TOML file of ownership/control rules per authority (thresholds, lists, control); "
        "empty means the packaged OFAC >= 50 %, EU/UK > 50 % or control rules.",
    ),
    Setting(
        "CIRCUMSPECT_EU_FSF_TOKEN",
        "",
        "Token of the EU Financial Sanctions Files download URL (`lists fetch eu_fsf`); "
        "empty means the EU list is not fetched.",
    ),
    Setting(
        "CIRCUMSPECT_UPLOAD_MAX_ROWS",
        "10000",
        "Most data rows an uploaded or posted table (declarations) may hold; more is 413.",
    ),
    Setting(
        "CIRCUMSPECT_UPLOAD_MAX_BYTES",
        "20971520",
        "Largest decompressed size of an uploaded file in bytes (the sum of an XLSX's "
        "uncompressed parts; the size of a CSV); more is 413.",
    ),
    Setting(
        "CIRCUMSPECT_BATCH_MAX_CASES",
        "1000",
        "Most cases one API request may open (alerting items, all opened in one "
        "transaction); a request that would open more opens none and is refused with 413.",
    ),
    Setting(
        "CIRCUMSPECT_LOGIN_MAX_FAILURES",
        "5",
        "Failed web sign-ins allowed per client address and per user name within "
        "CIRCUMSPECT_LOGIN_WINDOW; further attempts get 429 (0 disables the limit).",
    ),
    Setting(
        "CIRCUMSPECT_LOGIN_WINDOW",
        "300",
        "Sliding window, in seconds, of the sign-in rate limit.",
    ),
    Setting(
        "CIRCUMSPECT_SQLITE_SYNCHRONOUS",
        "FULL",
        "SQLite `synchronous` of the case store's writer: FULL (a commit, and so an "
        "acknowledged request's audit record, survives a power loss) or NORMAL (survives a "
        "crash of the process only; faster without group commit).",
    ),
    Setting(
        "CIRCUMSPECT_ARRAY_INDEX_MIN",
        "250000",
        "Active listed entities from which the screening index is kept in memory-mapped "
        "arrays under $CIRCUMSPECT_HOME/index/ (shared by every process; records and "
        "cross-list grouping are then not shown); 0 always, a huge number never.",
    ),
    Setting(
        "CIRCUMSPECT_LIST_MAX_SHRINK",
        "0.10",
        "Largest share of the active list a new snapshot may remove and still become active; "
        "a snapshot removing more is staged until `lists activate` (or `--accept-shrink`).",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> str:
    """The value of a declared setting: the environment, else its default."""
    setting = _BY_NAME[name]
    return os.environ.get(name, setting.default)


def home() -> Path:
    """``$CIRCUMSPECT_HOME``, created if missing."""
    path = Path(get("CIRCUMSPECT_HOME")).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from circumspect.errors import ConfigError

        why = "a file is in the way" if path.exists() else (exc.strerror or str(exc))
        raise ConfigError(
            f"CIRCUMSPECT_HOME cannot be used as a folder ({why})",
            file=str(path),
            field="CIRCUMSPECT_HOME",
        ) from exc
    return path


def db_url(override: str | None = None) -> str:
    """The database URL: an explicit override, ``$CIRCUMSPECT_DB``, else embedded SQLite."""
    if override:
        return override
    url = get("CIRCUMSPECT_DB")
    if url:
        return url
    return f"sqlite:///{home() / 'circumspect.sqlite'}"


def alert_threshold() -> float:
    return float(get("CIRCUMSPECT_ALERT_THRESHOLD"))


def get_int(name: str) -> int:
    """A declared integer setting; ``ConfigError`` naming it when it is not a whole number."""
    value = get(name)
    try:
        return int(value)
    except ValueError:
        from circumspect.errors import ConfigError

        raise ConfigError(f"{name} must be a whole number, got {value!r}", field=name) from None


def get_float(name: str) -> float:
    """A declared number setting; ``ConfigError`` naming it when it is not a number."""
    value = get(name)
    try:
        return float(value)
    except ValueError:
        from circumspect.errors import ConfigError

        raise ConfigError(f"{name} must be a number, got {value!r}", field=name) from None
