"""The trade-file layouts the loaders read, and layout detection from a header line.

A layout names, for each canonical field, the column (or columns, first present wins) that
holds it. Canonical fields: reporter, partner, product, flow, period, value, and optionally
freq, stat_procedure, quantity_kg, plus Comtrade's breakdown columns (partner2, mot,
customs) which must hold their "total" value for a cell to be a plain bilateral total.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from circumspect.errors import FormatMismatchError

COMTRADE_COLUMNS = (
    "typeCode",
    "freqCode",
    "refPeriodId",
    "refYear",
    "refMonth",
    "period",
    "reporterCode",
    "reporterISO",
    "reporterDesc",
    "flowCode",
    "flowDesc",
    "partnerCode",
    "partnerISO",
    "partnerDesc",
    "partner2Code",
    "partner2ISO",
    "partner2Desc",
    "classificationCode",
    "classificationSearchCode",
    "isOriginalClassification",
    "cmdCode",
    "cmdDesc",
    "aggrLevel",
    "isLeaf",
    "customsCode",
    "customsDesc",
    "mosCode",
    "motCode",
    "motDesc",
    "qtyUnitCode",
    "qtyUnitAbbr",
    "qty",
    "isQtyEstimated",
    "altQtyUnitCode",
    "altQtyUnitAbbr",
    "altQty",
    "isAltQtyEstimated",
    "netWgt",
    "isNetWgtEstimated",
    "grossWgt",
    "isGrossWgtEstimated",
    "cifvalue",
    "fobvalue",
    "primaryValue",
    "legacyEstimationFlag",
    "isReported",
    "isAggregate",
)

COMEXT_V2_COLUMNS = (
    "REPORTER",
    "PARTNER",
    "TRADE_TYPE",
    "PRODUCT_NC",
    "PRODUCT_SITC",
    "PRODUCT_CPA21",
    "PRODUCT_CPA22",
    "PRODUCT_BEC",
    "PRODUCT_BEC5",
    "PRODUCT_SECTION",
    "FLOW",
    "STAT_PROCEDURE",
    "SUPPL_UNIT",
    "PERIOD",
    "VALUE_EUR",
    "VALUE_NAC",
    "QUANTITY_KG",
    "QUANTITY_SUPPL_UNIT",
)

COMEXT_LEGACY_COLUMNS = (
    "DECLARANT",
    "DECLARANT_ISO",
    "PARTNER",
    "PARTNER_ISO",
    "TRADE_TYPE",
    "PRODUCT_NC",
    "PRODUCT_SITC",
    "PRODUCT_CPA2002",
    "PRODUCT_CPA2008",
    "PRODUCT_CPA2_1",
    "PRODUCT_BEC",
    "PRODUCT_SECTION",
    "FLOW",
    "STAT_REGIME",
    "SUPP_UNIT",
    "PERIOD",
    "VALUE_IN_EUROS",
    "QUANTITY_IN_KG",
    "SUP_QUANTITY",
)

RELATIONAL_COLUMNS = (
    "REPORTER",
    "PARTNER",
    "PRODUCT",
    "FLOW",
    "STAT_PROCEDURE",
    "PERIOD",
    "VALUE_IN_EUR",
)


@dataclass(frozen=True)
class Layout:
    """How one file format maps onto the canonical fields."""

    name: str
    source: str
    currency: str
    known: tuple[str, ...]
    fields: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    #: Breakdown columns whose value must be one of the listed "total" values.
    totals_only: dict[str, tuple[str, ...]] = field(default_factory=dict)
    description: str = ""


LAYOUTS: dict[str, Layout] = {
    "relational": Layout(
        name="relational",
        source="eurostat",
        currency="EUR",
        known=(*tuple(RELATIONAL_COLUMNS), "VALUE_EUR", "VALUE"),
        fields={
            "reporter": ("REPORTER",),
            "partner": ("PARTNER",),
            "product": ("PRODUCT",),
            "flow": ("FLOW",),
            "period": ("PERIOD",),
            "value": ("VALUE_IN_EUR", "VALUE_EUR", "VALUE"),
            "stat_procedure": ("STAT_PROCEDURE",),
        },
        required=("reporter", "partner", "product", "flow", "period", "value"),
        description="Eurostat Comext/DataBrowser 'relational view' CSV export (labels)",
    ),
    "comext": Layout(
        name="comext",
        source="eurostat",
        currency="EUR",
        known=tuple(COMEXT_V2_COLUMNS),
        fields={
            "reporter": ("REPORTER",),
            "partner": ("PARTNER",),
            "product": ("PRODUCT_NC",),
            "flow": ("FLOW",),
            "period": ("PERIOD",),
            "value": ("VALUE_EUR",),
            "stat_procedure": ("STAT_PROCEDURE",),
            "quantity_kg": ("QUANTITY_KG",),
        },
        required=("reporter", "partner", "product", "flow", "period", "value"),
        description="Eurostat Comext bulk file, current layout (full_v2 .dat)",
    ),
    "comext-legacy": Layout(
        name="comext-legacy",
        source="eurostat",
        currency="EUR",
        known=tuple(COMEXT_LEGACY_COLUMNS),
        fields={
            "reporter": ("DECLARANT_ISO", "DECLARANT"),
            "partner": ("PARTNER_ISO", "PARTNER"),
            "product": ("PRODUCT_NC",),
            "flow": ("FLOW",),
            "period": ("PERIOD",),
            "value": ("VALUE_IN_EUROS",),
            "stat_procedure": ("STAT_REGIME",),
            "quantity_kg": ("QUANTITY_IN_KG",),
        },
        required=("reporter", "partner", "product", "flow", "period", "value"),
        description="Eurostat Comext bulk file, legacy layout (full .dat, to 2023)",
    ),
    "comtrade": Layout(
        name="comtrade",
        source="comtrade",
        currency="USD",
        known=tuple(COMTRADE_COLUMNS),
        fields={
            "reporter": ("reporterCode", "reporterISO"),
            "partner": ("partnerCode", "partnerISO"),
            "product": ("cmdCode",),
            "flow": ("flowCode",),
            "period": ("period",),
            "freq": ("freqCode",),
            "value": ("primaryValue",),
            "quantity_kg": ("netWgt",),
            "partner2": ("partner2Code",),
            "mot": ("motCode",),
            "customs": ("customsCode",),
        },
        required=("reporter", "partner", "product", "flow", "period", "value"),
        totals_only={"partner2": ("0", ""), "mot": ("0", ""), "customs": ("C00", "")},
        description="UN Comtrade CSV (API v1 / bulk final data, 47 columns)",
    ),
}


def resolve_columns(layout: Layout, header: list[str]) -> dict[str, str]:
    """Map canonical fields to the columns present in ``header``; raises when one is missing."""
    present = set(header)
    chosen: dict[str, str] = {}
    for canonical, candidates in layout.fields.items():
        for column in candidates:
            if column in present:
                chosen[canonical] = column
                break
    missing = [f for f in layout.required if f not in chosen]
    if missing:
        wanted = ", ".join("/".join(layout.fields[f]) for f in missing)
        guess = detect(header)
        hint = f"; the header looks like --format {guess}" if guess else ""
        raise FormatMismatchError(
            f"not a {layout.name} file ({layout.description}): missing column(s) {wanted}{hint}",
            line=1,
        )
    return chosen


def detect(header: list[str]) -> str | None:
    """The layout whose required columns are all in ``header`` (best column overlap)."""
    best: tuple[int, str] | None = None
    present = set(header)
    for name, layout in LAYOUTS.items():
        ok = all(any(c in present for c in layout.fields[f]) for f in layout.required)
        if ok:
            overlap = len(present & set(layout.known))
            if best is None or overlap > best[0]:
                best = (overlap, name)
    return best[1] if best else None


def unknown_columns(layout: Layout, header: list[str]) -> list[str]:
    """Columns of the header this layout does not know (reported, then ignored)."""
    return [c for c in header if c not in layout.known]
