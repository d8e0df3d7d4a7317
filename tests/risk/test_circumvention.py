"""Issue 15 rules: coalition_origin_to_russia, parallel_import_brand, reexport_chain,
no_russia_clause_missing; the transfers input and its bad rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from circumspect.errors import InputError
from circumspect.risk.score import read_table, score_declarations, score_frame
from circumspect.synth.declarations import evaluate, generate, generate_transfers, make_bin
from tests.risk.helpers import row

NEW_RULES = (
    "coalition_origin_to_russia",
    "parallel_import_brand",
    "reexport_chain",
    "no_russia_clause_missing",
)
BIN = make_bin(2012, 5, 4242)


def bmw(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "exporter_name": "Autohaus Muenchen GmbH",
        "consignee_name": "Astana Auto Trade LLP",
        "consignee_id": BIN,
        "end_user_name": "OOO Avtodom Moskva",
        "end_user_country": "RU",
        "hs_code": "8703.23.194.0",
        "goods_description": "Passenger car BMW X5 xDrive40i, new",
        "quantity": "1",
        "unit": "pcs",
        "net_weight_kg": "2200",
        "value": "78000",
        "currency": "EUR",
    }
    return row(**{**base, **changes})


def _score(rows: list[dict[str, Any]], **kw: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    scored, errors = score_frame(pd.DataFrame(rows).astype(str), **kw)
    return scored.set_index("declaration_id"), errors


def test_bmw_for_moscow_reaches_review_and_kazakh_end_user_stays_clear() -> None:
    scored, errors = _score(
        [
            bmw(declaration_id="MOSCOW"),
            bmw(
                declaration_id="ALMATY",
                end_user_name="Astana Auto Trade LLP",
                end_user_country="KZ",
            ),
        ]
    )
    assert errors.empty
    moscow = scored.loc["MOSCOW"]
    assert moscow["decision"] in ("review", "block")
    flags = moscow["flags"].split(";")
    assert "coalition_origin_to_russia" in flags and "parallel_import_brand" in flags
    assert "Art. 3h" in moscow["explanation"] and "BMW" in moscow["explanation"]
    assert "stopped supplying Russia" in moscow["explanation"]
    almaty = scored.loc["ALMATY"]
    assert almaty["decision"] == "clear" and almaty["flags"] == ""


def test_coalition_rule_needs_ban_coalition_and_russian_link() -> None:
    scored, _ = _score(
        [
            bmw(declaration_id="CHEAP", value="30000"),  # Annex XVIII threshold EUR 50 000
            bmw(declaration_id="CN", origin_country="CN", exporter_country="CN"),
            bmw(declaration_id="EV", hs_code="8703800000", value="30000"),  # Annex XXIII
            bmw(
                declaration_id="TRANSIT",
                end_user_country="KZ",
                transit_countries="PL;BY",
                goods_description="passenger car",
            ),
        ]
    )
    assert "coalition_origin_to_russia" not in scored.loc["CN", "flags"]
    assert "Annex XXIII" in scored.loc["CHEAP", "explanation"]  # XXIII has no threshold
    assert "Annex XVIII" not in scored.loc["CHEAP", "explanation"]
    assert "coalition_origin_to_russia" in scored.loc["EV", "flags"]
    assert "coalition_origin_to_russia" in scored.loc["TRANSIT", "flags"]


def test_parallel_import_brand_links() -> None:
    phone = {
        "hs_code": "8517130000",
        "goods_description": "Смартфоны Эппл iPhone 15",
        "origin_country": "CN",
        "exporter_country": "CN",
        "end_user_country": "KZ",
    }
    scored, _ = _score(
        [
            row(declaration_id="PAYER", payment_country="RU", payment_bank_bic="TICSRUMM", **phone),
            row(declaration_id="NOLINK", **phone),
            row(
                declaration_id="NOBRAND",
                payment_country="RU",
                payment_bank_bic="TICSRUMM",
                **{**phone, "goods_description": "smartphones, assorted"},
            ),
        ]
    )
    assert "parallel_import_brand" in scored.loc["PAYER", "flags"]
    assert "Apple" in scored.loc["PAYER", "explanation"]
    assert scored.loc["NOLINK", "flags"] == ""
    assert "parallel_import_brand" not in scored.loc["NOBRAND", "flags"]


def test_no_russia_clause() -> None:
    base = {"hs_code": "8542310000", "goods_description": "microcontrollers"}
    scored, errors = _score(
        [
            row(declaration_id="MISSING", no_russia_clause="", **base),
            row(declaration_id="NO", no_russia_clause="нет", **base),
            row(declaration_id="YES", no_russia_clause="yes", **base),
            row(
                declaration_id="US",
                no_russia_clause="",
                exporter_country="US",
                origin_country="US",
                **base,
            ),
            row(declaration_id="COFFEE", no_russia_clause=""),
            row(declaration_id="BAD", no_russia_clause="maybe", **base),
        ]
    )
    assert "no_russia_clause_missing" in scored.loc["MISSING", "flags"]
    assert "no_russia_clause_missing" in scored.loc["NO", "flags"]
    for ok in ("YES", "US", "COFFEE"):
        assert "no_russia_clause_missing" not in scored.loc[ok, "flags"], ok
    assert list(errors["column"]) == ["no_russia_clause"]
    assert "BAD" not in scored.index


def test_without_clause_column_rule_is_silent() -> None:
    scored, _ = _score([row(hs_code="8542310000")])
    assert "no_russia_clause_missing" not in scored.iloc[0]["flags"]


def _transfer(**changes: Any) -> dict[str, str]:
    out = {
        "bin": BIN,
        "date": "2024-03-20",
        "hs_code": "8542.31",
        "buyer_name": "OOO Tekhnosnab",
        "buyer_country": "RU",
        "buyer_id": "7701234567",
        "quantity": "10",
        "value": "5000",
        "document": "ESF-1",
    }
    out.update(changes)
    return out


def test_reexport_chain_window_and_bad_transfers() -> None:
    decl = [
        row(declaration_id="CHIP", consignee_id=BIN, hs_code="8542310000", date="2024-03-05"),
        row(declaration_id="COFFEE", consignee_id=BIN, date="2024-03-05"),
        row(declaration_id="OLD", consignee_id=BIN, hs_code="8542320000", date="2023-01-05"),
    ]
    transfers = pd.DataFrame(
        [
            _transfer(),  # 15 days after CHIP: flagged
            _transfer(document="ESF-2", hs_code="0901.21"),  # coffee is not listed
            _transfer(document="ESF-3", hs_code="854232", date="2023-06-01"),  # 147 days
            _transfer(document="ESF-4", buyer_country="KZ"),
            _transfer(document="BAD-1", bin=make_bin(2011, 7, 99)),  # unknown BIN
            _transfer(document="BAD-2", bin="123"),
            _transfer(document="BAD-3", date="2024-03-01"),  # before the import
            _transfer(document="BAD-4", hs_code="0109.99"),  # no such code
            _transfer(document="BAD-5", buyer_country="XX"),
            _transfer(document="BAD-6", date="31/02/2024"),
        ]
    )
    scored, _ = _score(decl, transfers=transfers)
    assert scored.loc["CHIP", "flags"].split(";")[0] == "reexport_chain"
    assert (
        "ESF-1" in scored.loc["CHIP", "explanation"]
        and "15 days" in scored.loc["CHIP", "explanation"]
    )
    assert "reexport_chain" not in scored.loc["COFFEE", "flags"]
    assert "reexport_chain" not in scored.loc["OLD", "flags"]


def test_transfer_errors_are_per_row_and_accounted(tmp_path: Path) -> None:
    decl = tmp_path / "d.csv"
    pd.DataFrame(
        [row(declaration_id="CHIP", consignee_id=BIN, hs_code="8542310000", date="2024-03-05")]
    ).to_csv(decl, index=False)
    tr = tmp_path / "t.xlsx"
    pd.DataFrame(
        [
            _transfer(),
            _transfer(document="BAD-1", bin=make_bin(2011, 7, 99)),
            _transfer(document="BAD-2", bin="123"),
            _transfer(document="BAD-3", date="2024-03-01"),
            _transfer(document="BAD-4", hs_code="0109.99"),
        ]
    ).to_excel(tr, index=False)
    out = tmp_path / "o.csv"
    report = score_declarations(decl, out, transfers_path=tr)
    assert (report.transfers_read, report.transfers_used, report.transfers_rejected) == (5, 1, 4)
    errors = read_table(Path(report.transfer_errors)).set_index("document")
    assert "unknown BIN" in errors.loc["BAD-1", "reason"]
    assert "not a valid Kazakh BIN" in errors.loc["BAD-2", "reason"]
    assert "before the importer's first import of HS-6 854231" in errors.loc["BAD-3", "reason"]
    assert errors.loc["BAD-4", "column"] == "hs_code"
    assert "reexport_chain" in read_table(out)["flags"][0]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_transfers_formats_and_missing_columns(tmp_path: Path, suffix: str) -> None:
    decl = tmp_path / "d.csv"
    pd.DataFrame([row(consignee_id=BIN, hs_code="8542310000")]).to_csv(decl, index=False)
    tr = tmp_path / f"t{suffix}"
    frame = pd.DataFrame([_transfer()])
    frame.to_csv(tr, index=False) if suffix == ".csv" else frame.to_parquet(tr, index=False)
    report = score_declarations(decl, tmp_path / "o.csv", transfers_path=tr)
    assert report.flags.get("reexport_chain") == 1
    broken = tmp_path / "b.csv"
    frame.drop(columns=["document"]).to_csv(broken, index=False)
    with pytest.raises(InputError, match="missing columns: document"):
        score_declarations(decl, tmp_path / "o2.csv", transfers_path=broken)


@pytest.mark.slow
def test_planted_recall_and_clean_rate_for_new_rules() -> None:
    data = generate(8000, parties=900, seed=23, planted_share=0.08, bad_rows=4)
    transfers = generate_transfers(data, seed=23, bad_rows=8)
    scored, errors = score_frame(data, transfers=transfers.drop(columns=["planted"]))
    assert errors["row"].nunique() == 4
    ev = evaluate(scored)
    for rule in NEW_RULES:
        assert ev.per_rule[rule]["planted"] >= 20, rule
        assert ev.per_rule[rule]["recall"] >= 0.95, (rule, ev.table())
    assert ev.clean_raised_share <= 0.01, ev.table()
    # clean rows never carry one of the new flags
    clean = scored[scored["planted"] == "clean"]["flags"].str.split(";")
    assert not clean.map(lambda fs: bool(set(fs) & set(NEW_RULES))).any()


def test_cli_brands_file_with_duplicates_and_transfers(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from circumspect.cli.main import app

    brands = tmp_path / "brands.csv"
    brands.write_text(
        "brand,aliases,owner,owner_country,stopped_supplying_russia,stopped_source,source\n"
        "BMW,BMW;БМВ,Bayerische Motoren Werke AG,DE,yes,statement 2022,annual report\n"
        "bmw,BMW,BMW again,DE,yes,statement 2022,annual report\n",
        encoding="utf-8",
    )
    decl = tmp_path / "d.csv"
    pd.DataFrame(
        [
            bmw(declaration_id="MOSCOW", goods_description="автомобиль БМВ X5"),
            row(declaration_id="CHIP", consignee_id=BIN, hs_code="8542310000"),
        ]
    ).to_csv(decl, index=False)
    tr = tmp_path / "t.csv"
    pd.DataFrame([_transfer(), _transfer(document="BAD", hs_code="0109.99")]).to_csv(
        tr, index=False
    )
    out = tmp_path / "o.csv"
    res = CliRunner().invoke(
        app,
        [
            "declarations",
            "score",
            str(decl),
            "-o",
            str(out),
            "--no-screening",
            "--brands",
            str(brands),
            "--transfers",
            str(tr),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "brands: 1 loaded, 1 rows rejected" in res.output
    assert "duplicate brand 'bmw', first at line 2" in res.output
    assert "transfers read 2 = used 1 + rejected 1" in res.output
    scored = read_table(out).set_index("declaration_id")
    assert "parallel_import_brand" in scored.loc["MOSCOW", "flags"]
    assert "reexport_chain" in scored.loc["CHIP", "flags"]
    assert (tmp_path / "o.transfer_errors.csv").exists()


def test_parallel_import_consignee_owned_or_linked_to_a_russian_party() -> None:
    """A Kazakh consignee with a Kazakh end user has no Russian country link, but the
    screener finds it owned by a Russia-program SDN person, or its listed entry linked to
    one: that is the Russian link ``parallel_import_brand`` needs. A consignee owned by a
    listed person of another programme is not."""
    from circumspect.matching import Screener
    from circumspect.model.entities import ListedEntity, make_entity_id, new_proxy
    from circumspect.ownership.graph import Edge
    from circumspect.ownership.rules import load_rules
    from circumspect.ownership.service import OwnershipView, list_context
    from circumspect.ownership.store import StoredEdge

    def listed(source_id: str, name: str, program: str, schema: str = "Person") -> ListedEntity:
        entity_id = make_entity_id("ofac_sdn", source_id)
        sanction = new_proxy(
            "Sanction", f"{entity_id}-s", [("entity", entity_id), ("program", program)]
        )
        notes = "Linked To: Arkady Volkov." if schema == "Company" else ""
        proxy = new_proxy(schema, entity_id, [("name", name), ("notes", notes)])
        return ListedEntity(
            proxy=proxy, source="ofac_sdn", source_id=source_id, sanctions=[sanction]
        )

    russian_bin, other_bin = make_bin(2015, 3, 1111), make_bin(2016, 4, 2222)
    entities = [
        listed("2001", "Arkady Volkov", "RUSSIA-EO14024"),
        listed("2002", "Carlos Mendez Ruiz", "SDNTK"),
        listed("2003", "Steppe Motors Holding", "SDGT", "Company"),
    ]
    edges = [
        StoredEdge(
            Edge("ofac-sdn-2001", russian_bin, 0.6, False, "r", ""),
            "",
            "Nomad Cars LLP",
            1,
            "d",
            "1",
        ),
        StoredEdge(
            Edge("ofac-sdn-2002", other_bin, 0.6, False, "r", ""),
            "",
            "Caspian Cars LLP",
            2,
            "d",
            "1",
        ),
    ]
    screener = Screener(entities)
    screener.ownership = OwnershipView(list_context(entities), edges, load_rules())
    kz = {"end_user_name": "Astana Auto Trade LLP", "end_user_country": "KZ"}
    rows = [
        bmw(
            declaration_id="OWNED", consignee_name="Nomad Cars LLP", consignee_id=russian_bin, **kz
        ),
        bmw(declaration_id="LINKED", consignee_name="Steppe Motors Holding", consignee_id="", **kz),
        bmw(
            declaration_id="OTHER", consignee_name="Caspian Cars LLP", consignee_id=other_bin, **kz
        ),
        bmw(declaration_id="CLEAN", **kz),
    ]
    scored, errors = _score(rows, screener=screener)
    assert errors.empty
    for decl, why in (
        ("OWNED", "owned or controlled by Arkady Volkov"),
        ("LINKED", "linked to Russian listed party Arkady Volkov"),
    ):
        assert "parallel_import_brand" in scored.loc[decl, "flags"], scored.loc[decl, "explanation"]
        assert why in scored.loc[decl, "explanation"], scored.loc[decl, "explanation"]
        assert "RUSSIA-EO14024" in scored.loc[decl, "explanation"]
    for decl in ("OTHER", "CLEAN"):
        assert "parallel_import_brand" not in scored.loc[decl, "flags"], scored.loc[
            decl, "explanation"
        ]
    assert "party_listed" in scored.loc["OTHER", "flags"]
