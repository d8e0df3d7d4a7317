"""Party-screening benchmarks: accuracy and speed of circumspect-v1 beside nomenklatura logic-v2.

Run all sections:   .venv/bin/python benchmarks/bench_matching.py
Run some sections:  .venv/bin/python benchmarks/bench_matching.py names watchman yente ...

Sections
  names     name_bench_cases.csv (826 pairs): F1 at the default threshold, ours and logic-v2
            (live run of nomenklatura 4.17, and its frozen reference run) in one table;
            also ours on the even/odd halves (parameters were tuned on the whole set).
  watchman  the cross-script query/expected pairs: how many match at the threshold.
  yente     683 treated UN positives against the UN list (right entity alerts) and the
            50,000 synthetic negatives (any alert); index recall.
  speed     name pairs/s and multi-alias entity comparisons/s, ours vs logic-v2.
  e2e       screen-file against OFAC SDN + UN + non-SDN: queries/s and latency percentiles.
  scale     index build time/memory and query latency on 100k and 300k synthetic entities.
Needs ../shared (or $CIRCUMSPECT_SHARED). Not a unit test: nothing here asserts.
"""

from __future__ import annotations

import csv
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("CIRCUMSPECT_SHARED", ROOT.parent / "shared"))
FIX = SHARED / "fixtures"
os.environ.setdefault("CIRCUMSPECT_HOME", tempfile.mkdtemp(prefix="bench-matching-"))

from circumspect import settings  # noqa: E402
from circumspect.matching import Screener, compare_names  # noqa: E402
from circumspect.matching.compare import compile_name  # noqa: E402
from circumspect.matching.prepare import _checked_name  # noqa: E402
from circumspect.model.entities import ListedEntity, make_entity_id, new_proxy  # noqa: E402
from circumspect.model.screening import Query  # noqa: E402

THRESHOLD = settings.alert_threshold()


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 1e6


def table(title: str, header: list[str], rows: Iterable[list[object]]) -> None:
    rows = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print(f"\n## {title}\n")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
    sys.stdout.flush()


def f1(preds: list[tuple[bool, bool]]) -> tuple[float, float, float]:
    tp = sum(1 for p, t in preds if p and t)
    fp = sum(1 for p, t in preds if p and not t)
    fn = sum(1 for p, t in preds if not p and t)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    return (2 * prec * rec / (prec + rec) if prec + rec else 0.0), prec, rec


def bench_cases() -> list[dict[str, str]]:
    with (FIX / "matching" / "name_bench_cases.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


_NK_IDS = iter(range(10**9))


def nk_pair(schema: str, name1: str, name2: str):  # type: ignore[no-untyped-def]
    """Two FtM entities for logic-v2 (unique ids: logic-v2 caches name analysis by id)."""
    from followthemoney import model

    n = next(_NK_IDS)
    left = model.make_entity(schema)
    left.id = f"left-{n}"
    left.add("name", name1)
    right = model.make_entity(schema)
    right.id = f"right-{n}"
    right.add("name", name2)
    return left, right


def section_names() -> None:
    from nomenklatura.matching import get_algorithm
    from nomenklatura.matching.types import ScoringConfig

    rows = bench_cases()
    ours: list[tuple[bool, bool]] = []
    per_group: dict[str, list[tuple[bool, bool]]] = {}
    halves: dict[str, list[tuple[bool, bool]]] = {"even rows": [], "odd rows": []}
    t = time.perf_counter()
    for i, r in enumerate(rows):
        truth = r["is_match"] == "true"
        score = compare_names(r["name1"], r["name2"], r["schema"]).score
        pred = (score >= THRESHOLD, truth)
        ours.append(pred)
        group = "Person" if r["schema"] == "Person" else "Company/Org/Vessel"
        per_group.setdefault(group, []).append(pred)
        halves["even rows" if i % 2 == 0 else "odd rows"].append(pred)
    ours_s = time.perf_counter() - t

    algo = get_algorithm("logic-v2")
    assert algo is not None
    config = ScoringConfig.defaults()
    theirs: list[tuple[bool, bool]] = []
    t = time.perf_counter()
    for r in rows:
        left, right = nk_pair(r["schema"], r["name1"], r["name2"])
        res = algo.compare(left, right, config)
        theirs.append((res.score >= 0.7, r["is_match"] == "true"))
    theirs_s = time.perf_counter() - t

    with (FIX / "matching" / "name_bench_logicv2_frozen.csv").open(encoding="utf-8") as fh:
        frozen = [
            (r["predicted_match"] == "true", r["is_match"] == "true") for r in csv.DictReader(fh)
        ]
    out = []
    for label, preds, secs in (
        (f"circumspect-v1 (threshold {THRESHOLD:.2f})", ours, ours_s),
        ("nomenklatura logic-v2 4.17, live (threshold 0.70)", theirs, theirs_s),
        ("nomenklatura logic-v2, frozen reference run", frozen, None),
    ):
        f, p, r = f1(preds)
        out.append(
            [
                label,
                len(preds),
                f"{f:.3f}",
                f"{p:.3f}",
                f"{r:.3f}",
                f"{len(preds) / secs:,.0f}" if secs else "-",
            ]
        )
    for label, preds in [*per_group.items(), *halves.items()]:
        f, p, r = f1(preds)
        out.append(
            [f"circumspect-v1, {label}", len(preds), f"{f:.3f}", f"{p:.3f}", f"{r:.3f}", "-"]
        )
    table(
        "name_bench_cases.csv: F1 at the default threshold",
        ["matcher", "pairs", "F1", "precision", "recall", "pairs/s (cold, incl. parsing)"],
        out,
    )


def watchman_pairs() -> list[tuple[str, str, float]]:
    out = []
    path = FIX / "matching" / "watchman_cross_script_pairs.csv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        q, e, mn, _ = next(csv.reader([line]))
        out.append((q, e, float(mn)))
    return out


def section_watchman() -> None:
    from nomenklatura.matching import get_algorithm
    from nomenklatura.matching.types import ScoringConfig

    algo = get_algorithm("logic-v2")
    assert algo is not None
    rows = []
    ours_ok = theirs_ok = 0
    pairs = watchman_pairs()
    for q, e, _ in pairs:
        s = compare_names(q, e, "Person").score
        left, right = nk_pair("Person", q, e)
        t = algo.compare(left, right, ScoringConfig.defaults()).score
        ours_ok += s >= THRESHOLD
        theirs_ok += t >= 0.7
        rows.append([q, e, f"{s:.2f}", "yes" if s >= THRESHOLD else "NO", f"{t:.2f}"])
    rows.append(["total", "", f"{ours_ok}/{len(pairs)}", "", f"{theirs_ok}/{len(pairs)}"])
    table(
        "watchman cross-script pairs (Person)",
        ["query", "expected", "ours", "match", "logic-v2"],
        rows,
    )


def un_entities() -> list[ListedEntity]:
    from circumspect.sources import parse_source

    parsed = parse_source("un_sc", [FIX / "lists" / "un" / "UN_consolidated.xml"])
    return list(parsed.entities())


def section_yente() -> None:
    from circumspect.matching.prepare import prepare_query
    from circumspect.names.normalize import normalize

    entities = un_entities()
    t = time.perf_counter()
    screener = Screener(entities)
    build = time.perf_counter() - t
    by_name: dict[str, set[str]] = {}
    for e in entities:
        for n in e.names():
            by_name.setdefault(normalize(n), set()).add(e.id)
    base = FIX / "matching"
    with (base / "yente_positives_un_untreated.csv").open(encoding="utf-8") as fh:
        untreated = list(csv.DictReader(fh))
    with (base / "yente_positives_un_treated.csv").open(encoding="utf-8") as fh:
        treated = list(csv.DictReader(fh))
    resolved = alerted = top1 = in_index = 0
    unresolved = 0
    misses: list[str] = []
    for u, tr in zip(untreated, treated, strict=True):
        truth = by_name.get(normalize(u["full_name"]), set())
        if not truth:
            unresolved += 1
            continue
        resolved += 1
        query = Query(
            tr["full_name"],
            "Person",
            country=tr["nationality"] or None,
            birth_date=(tr["date_of_birth"] or None),
        )
        try:
            cands = screener.screen(query, limit=10)
        except Exception as exc:
            misses.append(f"error {exc}")
            continue
        prepared = prepare_query(query)
        positions = screener.index.candidates(prepared.name, screener.candidates)
        if any(screener.index.entities[p].id in truth for p in positions):
            in_index += 1
        if cands and cands[0].entity_id in truth:
            top1 += 1
        if any(c.entity_id in truth and c.alert for c in cands):
            alerted += 1
        elif len(misses) < 15:
            best = cands[0] if cands else None
            misses.append(
                f"{tr['full_name']!r} (UN {u['full_name']!r}) -> "
                + (f"{best.caption!r} {best.score:.2f}" if best else "none")
            )
    with (base / "yente_negatives_global.csv").open(encoding="utf-8") as fh:
        negatives = list(csv.DictReader(fh))
    neg_alerts = 0
    neg_errors = 0
    examples: list[str] = []
    t = time.perf_counter()
    cpu0 = time.process_time()
    for r in negatives:
        try:
            query = Query(
                r["full_name"],
                "Person",
                country=r["nationality"] or None,
                birth_date=r["date_of_birth"] or None,
            )
            cands = screener.screen(query, limit=1)
        except Exception:
            neg_errors += 1
            continue
        if cands and cands[0].alert:
            neg_alerts += 1
            if len(examples) < 10:
                examples.append(f"{r['full_name']!r} -> {cands[0].caption!r} {cands[0].score:.2f}")
    neg_s = time.perf_counter() - t
    neg_cpu = time.process_time() - cpu0
    n_neg = len(negatives) - neg_errors
    table(
        "yente UN benchmark (UN list, Person queries with birth date and nationality)",
        ["measure", "value"],
        [
            ["UN entities indexed / build s", f"{len(entities):,} / {build:.1f}"],
            [
                "positives resolved to a UN entity by exact name",
                f"{resolved} (unresolved {unresolved})",
            ],
            ["right entity among index candidates (index recall)", f"{in_index / resolved:.1%}"],
            [
                "right entity alerts (target >= 98%)",
                f"{alerted}/{resolved} = {alerted / resolved:.1%}",
            ],
            ["right entity ranked first", f"{top1 / resolved:.1%}"],
            [
                "negatives raising any alert (target <= 0.5%)",
                f"{neg_alerts}/{n_neg} = {neg_alerts / max(1, n_neg):.2%}",
            ],
            ["negatives rejected as bad input", str(neg_errors)],
            [
                "negatives screened per second (wall / per CPU-second)",
                f"{n_neg / neg_s:,.0f} / {n_neg / neg_cpu:,.0f}",
            ],
        ],
    )
    if misses:
        print("\nPositives not alerting (first 15):")
        for m in misses:
            print("  ", m)
    if examples:
        print("\nNegatives alerting (first 10):")
        for m in examples:
            print("  ", m)


def section_speed() -> None:
    from nomenklatura.matching import get_algorithm
    from nomenklatura.matching.types import ScoringConfig

    algo = get_algorithm("logic-v2")
    assert algo is not None
    config = ScoringConfig.defaults()
    rows = bench_cases()
    pairs = [(r["schema"], r["name1"], r["name2"]) for r in rows]
    nk_pairs = [nk_pair(*p) for p in pairs]
    # logic-v2, entities pre-built (its name parsing caches warm after the first round)
    for left, right in nk_pairs:
        algo.compare(left, right, config)
    reps = 3
    t = time.perf_counter()
    for _ in range(reps):
        for left, right in nk_pairs:
            algo.compare(left, right, config)
    nk_rate = reps * len(nk_pairs) / (time.perf_counter() - t)
    # ours cold: compile caches cleared before each round
    t = time.perf_counter()
    for _ in range(reps):
        compile_name.cache_clear()
        _checked_name.cache_clear()
        for p in pairs:
            compare_names(p[1], p[2], p[0])
    cold = reps * len(pairs) / (time.perf_counter() - t)
    # ours warm: names compiled once (as listed names are in the index)
    for p in pairs:
        compare_names(p[1], p[2], p[0])
    t = time.perf_counter()
    for _ in range(reps * 5):
        for p in pairs:
            compare_names(p[1], p[2], p[0])
    warm = reps * 5 * len(pairs) / (time.perf_counter() - t)

    # multi-alias entity comparisons: an OFAC SDN person with aliases vs a query
    from circumspect.matching.prepare import index_entity, prepare_query
    from circumspect.matching.scoring import get_scorer
    from circumspect.sources import parse_source

    sdn = list(
        parse_source("ofac_sdn", sorted((FIX / "lists" / "ofac_sdn_2021").glob("*.csv"))).entities()
    )
    multi = [e for e in sdn if len(e.names()) >= 3][:300]
    queries = [Query(e.names()[0], e.schema) for e in random.Random(1).sample(sdn, 300)]
    indexed = [index_entity(e) for e in multi]
    prepared = [prepare_query(q) for q in queries]
    scorer = get_scorer()
    t = time.perf_counter()
    n = 0
    for q in prepared:
        for ent in indexed[:60]:
            scorer.score(q, ent)
            n += 1
    ours_ent = n / (time.perf_counter() - t)
    from followthemoney import model

    nk_q = []
    for i, q in enumerate(queries[:60]):
        p = model.make_entity(q.schema)
        p.id = f"q-{i}"
        p.add("name", q.name)
        nk_q.append(p)
    nk_e = [e.proxy for e in multi[:30]]
    t = time.perf_counter()
    m = 0
    for q in nk_q:
        for e in nk_e:
            algo.compare(q, e, config)
            m += 1
    nk_ent = m / (time.perf_counter() - t)
    avg_names = statistics.mean(len(e.names()) for e in multi)
    table(
        "speed on one core (shared machine: other jobs were running)",
        ["measure", "circumspect-v1", "logic-v2", "ratio"],
        [
            [
                "name pairs/s, cold (ours: every name compiled per pair)",
                f"{cold:,.0f}",
                f"{nk_rate:,.0f}",
                f"{cold / nk_rate:.1f}x",
            ],
            [
                "name pairs/s, listed names pre-compiled (screening mode)",
                f"{warm:,.0f}",
                f"{nk_rate:,.0f}",
                f"{warm / nk_rate:.1f}x",
            ],
            [
                f"query vs multi-alias entity comparisons/s (avg {avg_names:.1f} names)",
                f"{ours_ent:,.0f}",
                f"{nk_ent:,.0f}",
                f"{ours_ent / nk_ent:.1f}x",
            ],
        ],
    )


def lists_entities() -> list[ListedEntity]:
    from circumspect.sources import parse_source

    out: list[ListedEntity] = []
    out += parse_source(
        "ofac_sdn", sorted((FIX / "lists" / "ofac_sdn_2021").glob("*.csv"))
    ).entities()
    out += parse_source(
        "ofac_cons", sorted((FIX / "lists" / "ofac_consolidated").glob("*.csv"))
    ).entities()
    out += un_entities()
    return out


def section_e2e() -> None:
    from circumspect.matching.batch import screen_file

    gc.collect()
    mem0 = rss_mb()
    t = time.perf_counter()
    entities = lists_entities()
    parse_s = time.perf_counter() - t
    t = time.perf_counter()
    screener = Screener(entities)
    build_s = time.perf_counter() - t
    mem1 = rss_mb()
    # queries: half listed names (perturbed), half negatives
    rng = random.Random(7)
    with (FIX / "matching" / "yente_negatives_global.csv").open(encoding="utf-8") as fh:
        negs = [r["full_name"] for r in csv.DictReader(fh)][:5000]
    listed = [(e.names()[0], e.schema) for e in rng.sample(entities, 5000)]
    queries: list[tuple[str, str]] = []
    for name, schema in listed:
        if rng.random() < 0.5 and len(name) > 5:
            i = rng.randrange(len(name))
            name = name[:i] + name[i + 1 :]
        queries.append(
            (name, schema if schema in ("Person", "Company", "Vessel") else "LegalEntity")
        )
    queries += [(n, "Person") for n in negs]
    rng.shuffle(queries)
    with tempfile.TemporaryDirectory() as tmp:
        inp = Path(tmp) / "in.csv"
        with inp.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["query_id", "name", "schema"])
            for i, (n, s) in enumerate(queries):
                w.writerow([i, n, s])
        t = time.perf_counter()
        cpu = time.process_time()
        stats = screen_file(screener, inp, Path(tmp) / "out.csv", limit=5)
        batch_s = time.perf_counter() - t
        batch_cpu = time.process_time() - cpu
    lat = []
    cpu_lat = []
    for n, s in queries[:3000]:
        t = time.perf_counter()
        c = time.process_time()
        try:
            screener.screen(Query(n, s))
        except Exception:
            continue
        lat.append((time.perf_counter() - t) * 1000)
        cpu_lat.append((time.process_time() - c) * 1000)
    cpu_lat.sort()
    lat.sort()
    pct = lambda p: lat[min(len(lat) - 1, int(p / 100 * len(lat)))]  # noqa: E731
    cpu_pct = lambda p: cpu_lat[min(len(cpu_lat) - 1, int(p / 100 * len(cpu_lat)))]  # noqa: E731
    index_path = Path(tempfile.mkdtemp()) / "index.pickle"
    import pickle

    t = time.perf_counter()
    index_path.write_bytes(pickle.dumps(screener.index))
    save_s = time.perf_counter() - t
    t = time.perf_counter()
    pickle.loads(index_path.read_bytes())
    load_s = time.perf_counter() - t
    table(
        "end-to-end: screen-file against OFAC SDN 2021 + OFAC non-SDN + UN",
        ["measure", "value"],
        [
            ["listed entities", f"{len(entities):,}"],
            ["parse lists s / index build s", f"{parse_s:.1f} / {build_s:.1f}"],
            ["index memory (RSS growth, MB)", f"{mem1 - mem0:,.0f}"],
            [
                "index cache file MB / save s / load s",
                f"{index_path.stat().st_size / 1e6:.1f} / {save_s:.2f} / {load_s:.2f}",
            ],
            ["screen-file queries", f"{stats.read:,} ({stats.rejected} rejected)"],
            ["screen-file queries/s, wall clock (incl. CSV I/O)", f"{stats.read / batch_s:,.0f}"],
            ["screen-file queries per CPU-second", f"{stats.read / batch_cpu:,.0f}"],
            [
                "single query latency p50 / p95 / p99 ms (wall)",
                f"{pct(50):.2f} / {pct(95):.2f} / {pct(99):.2f}",
            ],
            [
                "single query CPU ms p50 / p95 / p99",
                f"{cpu_pct(50):.2f} / {cpu_pct(95):.2f} / {cpu_pct(99):.2f}",
            ],
        ],
    )


def synthetic_entities(n: int, seed: int = 3) -> list[ListedEntity]:
    """Synthetic persons and companies built from the negatives' name parts."""
    rng = random.Random(seed)
    with (FIX / "matching" / "yente_negatives_global.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    firsts = [r["first_name"] for r in rows if r["first_name"]]
    lasts = [r["last_name"] for r in rows if r["last_name"]]
    words = [w for r in rows for w in r["last_name"].split()][:20000]
    forms = ["LLC", "ТОО", "JSC", "Ltd", "ООО", "GmbH"]
    out = []
    for i in range(n):
        if i % 3:
            props = [
                ("name", f"{rng.choice(firsts)} {rng.choice(lasts)}"),
                ("alias", f"{rng.choice(lasts)} {rng.choice(firsts)}"),
            ]
            schema = "Person"
        else:
            props = [("name", f"{rng.choice(words)} {rng.choice(words)} {rng.choice(forms)}")]
            schema = "Company"
        out.append(
            ListedEntity(
                new_proxy(schema, make_entity_id("opensanctions", f"s{i}"), props),
                "opensanctions",
                f"s{i}",
            )
        )
    return out


def section_scale() -> None:
    rows = []
    for n in (100_000, 300_000):
        ents = synthetic_entities(n)
        gc.collect()
        mem0 = rss_mb()
        t = time.perf_counter()
        screener = Screener(ents)
        build = time.perf_counter() - t
        mem = rss_mb() - mem0
        del ents
        rng = random.Random(5)
        qs = [screener.index.entities[rng.randrange(n)].names[0].text for _ in range(1000)]
        lat = []
        for q in qs:
            t = time.perf_counter()
            screener.screen(Query(q, "LegalEntity"))
            lat.append((time.perf_counter() - t) * 1000)
        lat.sort()
        rows.append(
            [
                f"{n:,}",
                f"{build:.0f}",
                f"{mem:,.0f}",
                f"{statistics.median(lat):.2f}",
                f"{lat[int(0.99 * len(lat))]:.2f}",
                f"{1000 / (sum(lat) / 1000):,.0f}",
            ]
        )
        del screener
        gc.collect()
    table(
        "scaling with synthetic entities (2/3 persons with an alias, 1/3 companies)",
        ["entities", "build s", "memory MB", "p50 ms", "p99 ms", "queries/s"],
        rows,
    )


SECTIONS = {
    "names": section_names,
    "watchman": section_watchman,
    "yente": section_yente,
    "speed": section_speed,
    "e2e": section_e2e,
    "scale": section_scale,
}


def main(argv: list[str]) -> None:
    chosen = argv or list(SECTIONS)
    print(
        f"# bench_matching ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"threshold {THRESHOLD:.2f}; load average {os.getloadavg()[0]:.1f})"
    )
    for name in chosen:
        t = time.perf_counter()
        SECTIONS[name]()
        print(f"\n({name}: {time.perf_counter() - t:.0f} s)")


if __name__ == "__main__":
    main(sys.argv[1:])
