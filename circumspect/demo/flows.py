"""Demo step ``flows``: load the synthetic demo trade files, print indicators, write a report."""

from __future__ import annotations

from circumspect.demo.context import DemoContext


def run(ctx: DemoContext) -> str:
    """Load ``data/demo/flows`` (synthetic) into a fresh store under ``ctx.out``; report."""
    import shutil

    from circumspect.flows import did, indicators, report
    from circumspect.flows import queries as q
    from circumspect.flows.store import FlowStore

    data = ctx.data / "flows"
    out = ctx.out / "flows"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    with FlowStore(out / "flows.duckdb") as store:
        rel = store.load([data / "synthetic_relational_view_eu_exports.csv"], "relational")
        ct = store.load([data / "synthetic_comtrade_hs6_exports.csv"], "comtrade")
        growth = q.growth(
            store, q.Selection(("KZ", "KG", "RU"), reporter_group="EU27", source="eurostat")
        )
        g = {(x.partner, x.period): x.growth_pct for x in growth}
        result, note = did.from_store(
            store,
            neighbours=indicators.NEIGHBOURS,
            sanctioned_hs6=indicators.chpl_hs6(),
            source="comtrade",
        )
        rep = report.build(store, out / "report")
    ctx.shared["flows_db"] = str(out / "flows.duckdb")

    def pct(key: tuple[str, str]) -> str:
        v = g.get(key)
        return "n/a" if v is None else f"{v:+.0f}%"

    did_text = (
        f"DiD (CHPL x neighbours x post-Feb-2022, Comtrade HS-6) beta = {result.beta:.2f} "
        f"(SE {result.se:.2f})"
        if result
        else f"DiD: {note}"
    )
    return (
        f"flows: SYNTHETIC demo data. Relational view: {rel.summary()}. Comtrade: "
        f"{ct.total('rows_loaded')} rows loaded. EU27 exports 2022 vs 2021: KZ "
        f"{pct(('KZ', '2022'))}, KG {pct(('KG', '2022'))}, RU {pct(('RU', '2022'))}. "
        f"{did_text}. Report: {out / 'report' / 'index.html'} ({len(rep.charts)} charts)."
    )
