from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from circumspect.errors import ConfigError
from circumspect.risk.rules import (
    DEFAULT_RULES,
    KNOWN_RULES,
    RULES,
    Rule,
    RuleInput,
    RuleResult,
    load_rules,
    rule,
)
from circumspect.risk.score import score_frame
from tests.risk.helpers import frame, row


def test_shipped_rules_cover_every_check() -> None:
    rules = load_rules()
    assert {r.id for r in rules.rules} == set(KNOWN_RULES)
    assert rules.review < rules.block
    for entry in rules.rules:
        assert entry.description and entry.evidence and entry.source
        assert 0 < entry.weight <= 100
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


def test_registry_and_shipped_yaml_agree() -> None:
    """Every registered rule function has a rules.yaml entry and every entry a function."""
    shipped = yaml.safe_load(DEFAULT_RULES.read_text(encoding="utf-8"))
    assert [r["id"] for r in shipped["rules"]] and {r["id"] for r in shipped["rules"]} == set(RULES)
    for rule_id, func in RULES.items():
        assert func.__doc__, f"rule {rule_id} needs a docstring"


def test_a_rule_id_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        rule("party_listed")(RULES["party_listed"])


def test_new_rule_is_one_function_and_one_yaml_entry(tmp_path: Path) -> None:
    """The extension point documented in docs/architecture.md, exercised end to end."""

    @rule("test_destination_watch")
    def destination_watch(inp: RuleInput, config: Rule) -> RuleResult:
        """Destination in the ``watch`` parameter."""
        dest = inp.country["destination_country"]
        mask = np.isin(dest, list(config.param("watch", [])))
        return RuleResult(mask, np.ones(len(inp)), lambda i: f"Goes to {dest[i]}.")

    try:
        data = yaml.safe_load(DEFAULT_RULES.read_text(encoding="utf-8"))
        data["rules"].append(
            {
                "id": "test_destination_watch",
                "description": "Destination on a watch list",
                "weight": 50,
                "evidence": "destination_country in params.watch",
                "source": "test",
                "params": {"watch": ["AM"]},
            }
        )
        rules = load_rules(_write(tmp_path, data))
        scored, errors = score_frame(
            frame([row(declaration_id="D1", destination_country="AM"), row(declaration_id="D2")]),
            rules=rules,
        )
        assert errors.empty
        out = scored.set_index("declaration_id")
        assert out.loc["D1", "flags"] == "test_destination_watch"
        assert out.loc["D1", "risk_score"] == 50.0
        assert out.loc["D1", "explanation"] == "Goes to AM."
        assert out.loc["D2", "flags"] == ""
    finally:
        del RULES["test_destination_watch"]
    with pytest.raises(ConfigError, match="unknown rule id 'test_destination_watch'"):
        load_rules(_write(tmp_path, data))
