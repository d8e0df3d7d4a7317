from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from circumspect.errors import ConfigError
from circumspect.risk.rules import DEFAULT_RULES, KNOWN_RULES, load_rules


def test_shipped_rules_cover_every_check() -> None:
    rules = load_rules()
    assert {r.id for r in rules.rules} == set(KNOWN_RULES)
    assert rules.review < rules.block
    for rule in rules.rules:
        assert rule.description and rule.evidence and rule.source
        assert 0 < rule.weight <= 100
    assert {"RU", "BY"} == rules.russia_belarus
    assert {"KZ", "KG", "AM", "GE", "TR", "AE", "UZ", "CN", "HK", "TJ"} <= rules.transshipment
    assert rules.decision(rules.block) == "block"
    assert rules.decision(rules.review) == "review"
    assert rules.decision(rules.review - 0.1) == "clear"


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_unknown_rule_is_an_error(tmp_path: Path) -> None:
    data = yaml.safe_load(DEFAULT_RULES.read_text(encoding="utf-8"))
    data["rules"][0]["id"] = "party_lsited"
    with pytest.raises(ConfigError, match="unknown rule id 'party_lsited'"):
        load_rules(_write(tmp_path, data))


def test_disable_rule_and_bad_thresholds(tmp_path: Path) -> None:
    data = yaml.safe_load(DEFAULT_RULES.read_text(encoding="utf-8"))
    data["rules"][1]["enabled"] = False
    rules = load_rules(_write(tmp_path, data))
    assert rules.get(data["rules"][1]["id"]) is None
    data["thresholds"] = {"review": 80, "block": 50}
    with pytest.raises(ConfigError, match="review"):
        load_rules(_write(tmp_path, data))
    data["thresholds"] = {"review": 40, "block": 75}
    data["rules"][2]["weight"] = "heavy"
    with pytest.raises(ConfigError, match="numeric weight"):
        load_rules(_write(tmp_path, data))


def test_invalid_yaml_names_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("thresholds:\n  review: [1,\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid YAML") as exc:
        load_rules(path)
    assert exc.value.line is not None
