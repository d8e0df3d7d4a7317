"""The decision policy for payment screening, read from YAML (``data/policy.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from circumspect.errors import ConfigError

SEVERITIES = ("reject", "hold", "info")


@dataclass(frozen=True, slots=True)
class Policy:
    name_threshold: float | None = None
    name_match: str = "hold"
    name_limit: int = 3
    agent_name_with_bic: str = "info"
    listed_bic: str = "reject"
    listed_bic_branch: str = "reject"
    listed_identifier: str = "hold"
    territory_in_remittance: str = "hold"
    remittance_name: str = "hold"
    remittance_imo: str = "hold"
    remittance_min_tokens: int = 2
    remittance_min_chars: int = 10
    info_countries: tuple[str, ...] = ("ru", "by")

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "policy.yaml") -> Policy:
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ConfigError(f"unknown policy keys: {', '.join(unknown)}", file=source)
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key == "name_threshold":
                if value is not None and (
                    not isinstance(value, int | float) or not 0 <= float(value) <= 1
                ):
                    raise ConfigError(
                        "name_threshold must be null or a number in [0, 1]", file=source, field=key
                    )
                values[key] = None if value is None else float(value)
            elif key == "info_countries":
                values[key] = tuple(str(v).lower() for v in (value or []))
            elif key in ("name_limit", "remittance_min_tokens", "remittance_min_chars"):
                if not isinstance(value, int) or value < 1:
                    raise ConfigError(f"{key} must be a positive integer", file=source, field=key)
                values[key] = value
            else:
                if value not in SEVERITIES:
                    raise ConfigError(
                        f"{key} must be one of {', '.join(SEVERITIES)}", file=source, field=key
                    )
                values[key] = value
        return cls(**values)

    @classmethod
    def load(cls, path: Path | None = None) -> Policy:
        if path is None:
            return default_policy()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read policy: {exc.strerror or exc}", file=str(path)) from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"policy is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} "
                f"at offset {exc.start})",
                file=str(path),
            ) from exc
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or type(exc).__name__
            raise ConfigError(
                f"invalid YAML in policy: {problem}",
                file=str(path),
                line=mark.line + 1 if mark is not None else None,
            ) from exc
        if not isinstance(data, dict):
            raise ConfigError("policy must be a mapping", file=str(path))
        return cls.from_dict(data, str(path))


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    text = (
        resources.files("circumspect.payments")
        .joinpath("data/policy.yaml")
        .read_text(encoding="utf-8")
    )
    return Policy.from_dict(yaml.safe_load(text) or {})
