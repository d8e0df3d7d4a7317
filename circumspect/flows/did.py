"""Difference-in-differences estimate of trade diversion, in the style of the EBRD
"Eurasian roundabout" paper (Chupilkin, Javorcik, Plekhanov 2023).

Model, for product p, destination d, month t::

    y_pdt = beta * (Sanctioned_p x Neighbour_d x Post_t) + a_pd + b_pt + c_dt + e_pdt

with ``y = asinh(value)`` (defined at zero, ~log for large values), product-destination,
product-month and destination-month fixed effects (which absorb every lower-order
interaction). ``beta`` is the extra growth of sanctioned goods to Russia's neighbours after
February 2022, relative to other goods and other destinations. The fixed effects are
removed by alternating projections (iterated demeaning), then ``beta`` is the OLS slope on
the demeaned regressor; standard errors are clustered by product (default) or
heteroskedasticity-robust (HC1). Written with numpy only; small enough to check against a
dense dummy-variable regression (see the tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from circumspect.flows.queries import SqlSource, lit

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class DidResult:
    beta: float
    se: float
    t: float
    p_value: float
    n_obs: int
    n_clusters: int
    se_kind: str
    iterations: int

    def as_dict(self) -> dict[str, object]:
        return {
            "beta": self.beta,
            "se": self.se,
            "t": self.t,
            "p_value": self.p_value,
            "n_obs": self.n_obs,
            "n_clusters": self.n_clusters,
            "se_kind": self.se_kind,
            "iterations": self.iterations,
        }


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-14:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b)."""
    import math

    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_two_sided_p(t: float, df: float) -> float:
    """Two-sided p-value of Student's t (no scipy: importing it costs seconds)."""
    import math

    if math.isinf(t):
        return 0.0
    return _betainc(df / 2.0, 0.5, df / (df + t * t))


def _demean(
    values: FloatArray, groups: list[IntArray], tol: float = 1e-10, max_iter: int = 1000
) -> tuple[FloatArray, int]:
    import numpy as np

    out = values.astype(np.float64).copy()
    counts = [np.bincount(g).astype(np.float64) for g in groups]
    for it in range(1, max_iter + 1):
        before = out.copy()
        for g, n in zip(groups, counts, strict=True):
            means = np.bincount(g, weights=out) / np.where(n == 0, 1.0, n)
            out -= means[g]
        if float(np.max(np.abs(out - before))) < tol:
            return out, it
    return out, max_iter


def estimate(
    product: IntArray,
    destination: IntArray,
    month: IntArray,
    value: FloatArray,
    sanctioned: npt.NDArray[np.bool_],
    neighbour: npt.NDArray[np.bool_],
    post: npt.NDArray[np.bool_],
    *,
    cluster: str = "product",
) -> DidResult:
    """Triple-difference ``beta`` with fixed effects (pd, pt, dt) and its standard error.

    Arrays are per observation; ``product``/``destination``/``month`` are integer ids
    (0..n-1). ``cluster`` is ``product``, ``pair`` (product x destination) or ``robust``.
    """
    import numpy as np

    n = len(value)
    if n == 0:
        raise ValueError("no observations")
    y = np.arcsinh(np.asarray(value, dtype=np.float64))
    x = (sanctioned & neighbour & post).astype(np.float64)
    n_d = int(destination.max()) + 1
    n_t = int(month.max()) + 1
    pd_id = product * n_d + destination
    pt_id = product * n_t + month
    dt_id = destination * n_t + month
    groups = [np.unique(g, return_inverse=True)[1] for g in (pd_id, pt_id, dt_id)]
    xt, it1 = _demean(x, groups)
    yt, it2 = _demean(y, groups)
    sxx = float(xt @ xt)
    if sxx <= 1e-12:
        raise ValueError("the treatment is collinear with the fixed effects (no variation)")
    beta = float(xt @ yt) / sxx
    resid = yt - beta * xt
    n_fe = sum(len(np.unique(g)) for g in groups) - 2  # two normalisations between FE sets
    dof = max(n - n_fe - 1, 1)
    if cluster == "robust":
        meat = float(np.sum((xt * resid) ** 2))
        var = meat / sxx**2 * n / dof
        n_clusters = n
    else:
        cl = product if cluster == "product" else pd_id
        ids = np.unique(cl, return_inverse=True)[1]
        scores = np.bincount(ids, weights=xt * resid)
        g = len(scores)
        if g < 2:
            raise ValueError("need at least two clusters")
        correction = g / (g - 1) * (n - 1) / dof
        var = float(scores @ scores) / sxx**2 * correction
        n_clusters = g
    se = var**0.5
    t = beta / se if se > 0 else float("inf")
    df = n_clusters - 1 if cluster != "robust" else dof
    p = t_two_sided_p(t, df)
    return DidResult(beta, se, t, p, n, n_clusters, cluster, max(it1, it2))


def synthetic_panel(
    *,
    n_products: int = 60,
    n_destinations: int = 10,
    n_months: int = 48,
    post_from: int = 26,
    share_sanctioned: float = 0.3,
    neighbours: int = 3,
    effect: float = 0.5,
    seed: int = 7,
) -> dict[str, object]:
    """A generated product-level export panel with a known diversion effect (for tests,
    the demo and the report's method section: the real fixture has totals only)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    pg, dg, tg = np.meshgrid(
        np.arange(n_products), np.arange(n_destinations), np.arange(n_months), indexing="ij"
    )
    p, d, t = pg.ravel(), dg.ravel(), tg.ravel()
    sanctioned_p = rng.random(n_products) < share_sanctioned
    sanctioned_p[0], sanctioned_p[1] = True, False
    neighbour_d = np.arange(n_destinations) < neighbours
    post = t >= post_from
    a_pd = rng.normal(12, 1.5, (n_products, n_destinations))
    b_pt = rng.normal(0, 0.2, (n_products, n_months))
    c_dt = rng.normal(0, 0.2, (n_destinations, n_months))
    treat = sanctioned_p[p] & neighbour_d[d] & post
    log_v = a_pd[p, d] + b_pt[p, t] + c_dt[d, t] + effect * treat + rng.normal(0, 0.3, p.size)
    value = np.sinh(log_v)
    return {
        "product": p,
        "destination": d,
        "month": t,
        "value": value,
        "sanctioned": sanctioned_p[p],
        "neighbour": neighbour_d[d],
        "post": post,
    }


def from_store(
    engine: SqlSource,
    *,
    neighbours: tuple[str, ...],
    sanctioned_hs6: tuple[str, ...],
    post_from: str = "2022-03",
    source: str | None = None,
    cluster: str = "product",
) -> tuple[DidResult | None, str]:
    """Estimate on the loaded monthly HS-6 (or finer) exports of country reporters.

    Destinations are all country partners except Russia and Belarus; returns
    ``(None, reason)`` when the data has no product detail or no variation.
    """
    import numpy as np

    where = f"AND source = {lit(source)}" if source else ""
    rows = engine.query(
        f"""SELECT SUBSTR(product, 1, 6) AS hs6, partner, period, SUM(value) AS value
        FROM flows WHERE flow = 'export' AND freq = 'M' AND product_level >= 6
          AND reporter_kind = 'country' AND partner_kind = 'country'
          AND partner NOT IN ('RU', 'BY') {where}
          AND product_level = (SELECT MIN(product_level) FROM flows WHERE product_level >= 6)
        GROUP BY SUBSTR(product, 1, 6), partner, period"""
    )
    if not rows:
        return None, "no monthly product-level (HS-6 or finer) exports loaded: DiD not estimable"
    hs = sorted({str(r["hs6"]) for r in rows})
    dests = sorted({str(r["partner"]) for r in rows})
    months = sorted({str(r["period"]) for r in rows})
    hi = {h: i for i, h in enumerate(hs)}
    di = {d: i for i, d in enumerate(dests)}
    ti = {m: i for i, m in enumerate(months)}
    grid = np.zeros((len(hs), len(dests), len(months)))
    for r in rows:
        grid[hi[str(r["hs6"])], di[str(r["partner"])], ti[str(r["period"])]] += float(r["value"])
    pg, dg, tg = np.meshgrid(
        np.arange(len(hs)), np.arange(len(dests)), np.arange(len(months)), indexing="ij"
    )
    sanctioned = np.array([h in set(sanctioned_hs6) for h in hs])
    neighbour = np.array([x in set(neighbours) for x in dests])
    post = np.array([m >= post_from for m in months])
    if not sanctioned.any() or sanctioned.all():
        return None, "no variation in sanctioned vs other goods: DiD not estimable"
    if not neighbour.any() or neighbour.all():
        return None, "no variation in neighbour vs other destinations: DiD not estimable"
    if not post.any() or post.all():
        return None, f"no months on both sides of {post_from}: DiD not estimable"
    p, d, t = pg.ravel(), dg.ravel(), tg.ravel()
    try:
        result = estimate(
            p, d, t, grid.ravel(), sanctioned[p], neighbour[d], post[t], cluster=cluster
        )
    except ValueError as exc:
        return None, f"DiD not estimable: {exc}"
    return result, (
        f"{len(hs)} HS-6 products ({int(sanctioned.sum())} CHPL) x {len(dests)} destinations "
        f"({int(neighbour.sum())} neighbours) x {len(months)} months, post from {post_from}"
    )
