"""Comprehensively sanctioned territories found in addresses, countries, BICs and IBANs.

The place names and the policy for each (``reject`` or ``hold``) are data:
``circumspect/payments/data/territories.yaml``; docs/payments.md explains the choices.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from circumspect.errors import ConfigError
from circumspect.payments.text import PhraseIndex


@dataclass(frozen=True, slots=True)
class Territory:
    id: str
    label: str
    severity: str
    basis: str


@dataclass(frozen=True, slots=True)
class TerritoryHit:
    territory: Territory
    matched: str


class Territories:
    """Place-name phrases and country codes of sanctioned territories."""

    def __init__(self, data: dict[str, Any], source: str = "territories.yaml") -> None:
        self.index: PhraseIndex[Territory] = PhraseIndex()
        self.countries: dict[str, Territory] = {}
        try:
            for code, item in (data.get("countries") or {}).items():
                self.countries[str(code).lower()] = Territory(
                    id=f"country:{str(code).lower()}",
                    label=str(item["label"]),
                    severity=_severity(item["severity"], source),
                    basis=str(item["basis"]),
                )
            for item in data["territories"]:
                territory = Territory(
                    id=str(item["id"]),
                    label=str(item["label"]),
                    severity=_severity(item["severity"], source),
                    basis=str(item.get("basis", "")),
                )
                for name in item["names"]:
                    self.index.add_text(str(name), territory)
        except (KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(f"malformed territories data: {exc}", file=source) from exc

    @classmethod
    def load(cls, path: Path | None = None) -> Territories:
        if path is None:
            return _default()
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))

    def scan(self, text: str) -> list[TerritoryHit]:
        out: list[TerritoryHit] = []
        for hit in self.index.scan_text(text):
            for territory in hit.values:
                out.append(TerritoryHit(territory, " ".join(hit.phrase)))
        return out

    def country(self, code: str | None) -> Territory | None:
        if not code:
            return None
        return self.countries.get(code.lower())


def _severity(value: object, source: str) -> str:
    text = str(value)
    if text not in ("reject", "hold"):
        raise ConfigError(f"severity must be reject or hold, not {text!r}", file=source)
    return text


@lru_cache(maxsize=1)
def _default() -> Territories:
    path = resources.files("circumspect.payments").joinpath("data/territories.yaml")
    return Territories(yaml.safe_load(path.read_text(encoding="utf-8")), "territories.yaml")
