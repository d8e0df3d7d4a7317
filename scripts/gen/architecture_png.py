"""Draw docs/architecture.png: the layers, and how a screening request and a declarations
batch flow through them. Run: ``.venv/bin/python scripts/gen/architecture_png.py``."""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

OUT = Path(__file__).resolve().parents[2] / "docs" / "architecture.png"

#: (layer, packages), top to bottom, as in pyproject.toml [tool.importlinter]
LAYERS = [
    ("entry points", "cli"),
    ("demo", "demo"),
    ("composition root", "server: create_app()"),
    ("delivery", "api (routers/)  |  web (pages)"),
    ("batch execution", "engines: local, spark (map_batches, query)"),
    ("application", "services: screening, payments, declarations, rescreen"),
    ("case store", "cases: CaseService, audit chain"),
    ("capabilities", "goods : risk (pipeline, rules/) : payments : flows : routes"),
    ("matching", "matching: index, scorers, Screener"),
    ("ownership", "ownership"),
    ("lists", "store, notify, sources"),
    ("names", "names"),
    ("model", "model: Query, Candidate, PartyScreener"),
    ("base", "db : settings : fsutil : errors"),
]

#: a screening request: (layer index, label) in call order
SCREEN = [
    (3, "POST /v1/screen\napi.routers.screening"),
    (5, "services.screening\n.screen_parties()"),
    (8, "Screener.screen()"),
    (10, "store: active\nsnapshots"),
    (6, "record_screening()\nopen cases, audit"),
    (3, "JSON response"),
]
#: a declarations batch
BATCH = [
    (0, "declarations score\n--engine local|spark"),
    (4, "engine runs the\npartition steps"),
    (7, "risk.pipeline: validate\n-> history -> score"),
    (8, "distinct parties\n(party_key) screened"),
    (7, "rules registry:\none @rule per rule"),
    (4, "output + errors\nwritten atomically"),
]


def main() -> int:
    height = len(LAYERS)
    fig, ax = plt.subplots(figsize=(19, 10.5))
    ax.set_xlim(0, 20)
    ax.set_ylim(-0.6, height + 0.4)
    ax.axis("off")

    def y(layer: int) -> float:
        return height - 1 - layer + 0.5

    for i, (name, packages) in enumerate(LAYERS):
        shade = "#eef3f8" if i % 2 else "#f8f9fb"
        ax.add_patch(
            FancyBboxPatch(
                (0.1, y(i) - 0.42),
                19.8,
                0.84,
                boxstyle="round,pad=0.02",
                facecolor=shade,
                edgecolor="#b7c3d0",
            )
        )
        ax.text(0.3, y(i), name, va="center", fontsize=10, fontweight="bold", color="#33475b")
        ax.text(2.4, y(i), packages, va="center", fontsize=9.5, color="#33475b")

    def path(steps: list[tuple[int, str]], x0: float, color: str, title: str) -> None:
        xs = [x0 + 1.05 * k for k in range(len(steps))]
        ys = [y(layer) for layer, _ in steps]
        ax.plot(xs, ys, color=color, lw=2.2, zorder=3)
        for k, ((_, label), x, yy) in enumerate(zip(steps, xs, ys, strict=True)):
            if k:
                ax.annotate(
                    "",
                    xy=(x, yy),
                    xytext=(xs[k - 1], ys[k - 1]),
                    arrowprops={"arrowstyle": "-|>", "color": color, "lw": 2.2},
                    zorder=4,
                )
            ax.scatter([x], [yy], s=160, color=color, zorder=5)
            ax.text(
                x, yy, str(k + 1), ha="center", va="center", color="white", fontsize=8, zorder=6
            )
            ax.text(
                x,
                yy - 0.3,
                label,
                ha="center",
                va="top",
                fontsize=7,
                color=color,
                zorder=6,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 0.5},
            )
        ax.text(x0 - 0.2, height + 0.1, title, color=color, fontsize=11, fontweight="bold")

    path(BATCH, 7.4, "#1f6fb2", "declarations batch (CLI, local or Spark engine)")
    path(SCREEN, 13.8, "#c0392b", "screening request (HTTP)")
    ax.text(
        0.3,
        -0.45,
        "Imports point down only (make check runs lint-imports on the layers contract).",
        color="#33475b",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(OUT, dpi=110)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
