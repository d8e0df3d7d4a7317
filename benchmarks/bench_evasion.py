"""Evasion benchmark: Russia-program names from the real OFAC SDN list (2021), disguised the
way a party that wants to slip through would write them, screened against the whole list.

Run:  .venv/bin/python benchmarks/bench_evasion.py [--seed 12] [--per-disguise 80]
                                                   [--negatives 300] [--write queries.csv]

How the queries are made (deterministic: ``random.Random(seed)``, entities in list order):

* positives: entities of the Russia programs (UKRAINE-EO13660/13661/13662/13685,
  RUSSIA-EO14024, CAATSA - RUSSIA) of ``shared/fixtures/lists/ofac_sdn_2021``; for each
  disguise a seeded sample of ``--per-disguise`` entities (at least 60) that the disguise
  applies to, the listed primary name (caption) disguised once:

  - ``legal_form``: the listed legal form replaced by a form of another kind (JSC family ->
    ООО / ТОО / LLC / LLP / ЖШС / Ltd; LLC family -> АО / ПАО / JSC / АҚ / OAO / PJSC), put
    before or after the name (companies with a recognised form);
  - ``invisible``: 1-3 invisible characters (ZWSP, ZWNJ, ZWJ, word joiner, soft hyphen, BOM,
    LRM/RLM, variation selector) inside words;
  - ``confusable_to_cyrillic``: each Latin letter with a Cyrillic look-alike replaced with
    probability 1/2 (at least one);
  - ``confusable_to_latin``: the name written in Cyrillic (``to_cyrillic`` of the name without
    its legal form, with АО or ООО for a form of the joint-stock or limited kind), then each
    Cyrillic letter with a Latin look-alike replaced with probability 1/2 (at least one);
  - ``joined_split``: two neighbouring words run together, or (one-word names) a word of six
    or more letters split in two;
  - ``initials``: persons as surname plus initials, in a random one of ``Surname I.P.``,
    ``I.P. Surname``, ``Surname I. P.``, ``I. P. Surname``, ``SurnameI.P.``, in Latin or
    Cyrillic (persons whose listed name has a given name).

* negatives: names that are *not* on the SDN list, disguised the same way: companies and
  organisations of the OFAC non-SDN consolidated list (real, mostly Russian firms under the
  sectoral sanctions) and the first persons of the yente negatives file; a name that already
  alerts undisguised is left out (and counted), so the rate measures what the disguise adds.

Measured: recall of the right entity (it is among the returned candidates and alerts) per
disguise, and the share of disguised negatives raising any alert, for circumspect-v1 and for
nomenklatura logic-v2 (4.17, threshold 0.70) on the same queries: logic-v2 compares each
positive with its right entity, and each negative with the top 3 candidates of our index (it
has no index of its own). Needs ../shared (or $CIRCUMSPECT_SHARED). Nothing here asserts.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("CIRCUMSPECT_SHARED", ROOT.parent / "shared"))
FIX = SHARED / "fixtures"
os.environ.setdefault("CIRCUMSPECT_HOME", tempfile.mkdtemp(prefix="bench-evasion-"))

from circumspect import settings  # noqa: E402
from circumspect.errors import InputError  # noqa: E402
from circumspect.matching import Screener  # noqa: E402
from circumspect.matching.compare import ORG_SCHEMATA  # noqa: E402
from circumspect.model.entities import ListedEntity  # noqa: E402
from circumspect.model.screening import Query  # noqa: E402
from circumspect.names.confusables import tables  # noqa: E402
from circumspect.names.legal_forms import legal_forms, strip_legal_form  # noqa: E402
from circumspect.names.translit import to_cyrillic  # noqa: E402

THRESHOLD = settings.alert_threshold()
RUSSIA_PROGRAMS = ("UKRAINE-EO13660", "UKRAINE-EO13661", "UKRAINE-EO13662", "UKRAINE-EO13685")
RUSSIA_PREFIXES = ("RUSSIA-EO", "CAATSA - RUSSIA")
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff", "\u200e", "\u200f"]
INVISIBLE += ["\ufe0f"]
TO_LIMITED = ["ООО", "ТОО", "LLC", "LLP", "ЖШС", "Ltd", "OOO", "TOO"]
TO_JOINT_STOCK = ["АО", "ПАО", "JSC", "АҚ", "OAO", "PJSC", "ЗАО", "AO"]
DISGUISES = (
    "legal_form",
    "invisible",
    "confusable_to_cyrillic",
    "confusable_to_latin",
    "joined_split",
    "initials",
)


@dataclass
class Case:
    disguise: str
    query: str
    schema: str
    expected: str  # entity id, "" for a negative
    original: str


# --- disguises ----------------------------------------------------------------------------


def family(canonical: str) -> str:
    for form in legal_forms().values():
        if form.canonical == canonical:
            return form.family
    return ""


def legal_form_swap(name: str, schema: str, rng: random.Random) -> str | None:
    if schema not in ORG_SCHEMATA:
        return None
    core, forms = strip_legal_form(name)
    if forms:
        pool = TO_JOINT_STOCK if family(forms[0]) != "joint_stock" else TO_LIMITED
    else:
        return None
    form = rng.choice(pool)
    return f"{form} «{core.upper()}»" if rng.random() < 0.5 else f"{core.upper()} {form}"


def legal_form_any(name: str, schema: str, rng: random.Random) -> str | None:
    """For negatives: swap a form, or add one when the name has none."""
    swapped = legal_form_swap(name, schema, rng)
    if swapped is not None or schema not in ORG_SCHEMATA:
        return swapped
    form = rng.choice(TO_LIMITED + TO_JOINT_STOCK)
    return f"{form} «{name}»"


def invisible(name: str, schema: str, rng: random.Random) -> str | None:
    inside = [i for i in range(1, len(name)) if name[i - 1].isalpha() and name[i].isalpha()]
    if not inside:
        return None
    chars = list(name)
    for pos in sorted(rng.sample(inside, min(len(inside), rng.randint(1, 3))), reverse=True):
        chars.insert(pos, rng.choice(INVISIBLE))
    return "".join(chars)


def _swap_letters(name: str, table: dict[str, str], rng: random.Random) -> str | None:
    eligible = [i for i, ch in enumerate(name) if ch in table]
    if not eligible:
        return None
    chosen = {i for i in eligible if rng.random() < 0.5} or {rng.choice(eligible)}
    return "".join(table[ch] if i in chosen else ch for i, ch in enumerate(name))


def confusable_to_cyrillic(name: str, schema: str, rng: random.Random) -> str | None:
    _, to_cyr = tables()
    basic = {k: v for k, v in to_cyr.items() if "\u0400" <= v <= "\u044f"}
    return _swap_letters(name, basic, rng)


def confusable_to_latin(name: str, schema: str, rng: random.Random) -> str | None:
    to_lat, _ = tables()
    basic = {k: v for k, v in to_lat.items() if "\u0400" <= k <= "\u044f"}
    core, forms = strip_legal_form(name) if schema in ORG_SCHEMATA else (name, ())
    cyr = to_cyrillic(core)
    if cyr == core:
        return None
    if forms:  # a Russian firm writes its own form: АО / ООО
        cyr = ("АО " if family(forms[0]) == "joint_stock" else "ООО ") + cyr
    return _swap_letters(cyr, basic, rng)


def joined_split(name: str, schema: str, rng: random.Random) -> str | None:
    words = name.split(" ")
    if len(words) >= 2 and rng.random() < 0.5:
        i = rng.randrange(len(words) - 1)
        return " ".join([*words[:i], words[i] + words[i + 1], *words[i + 2 :]])
    long = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not long:
        if len(words) >= 2:
            i = rng.randrange(len(words) - 1)
            return " ".join([*words[:i], words[i] + words[i + 1], *words[i + 2 :]])
        return None
    i = rng.choice(long)
    cut = rng.randint(3, len(words[i]) - 3)
    words[i] = words[i][:cut] + " " + words[i][cut:]
    return " ".join(words)


def initials(name: str, schema: str, rng: random.Random) -> str | None:
    if schema != "Person" or "," not in name:
        return None
    surname, given = (p.strip() for p in name.split(",", 1))
    parts = [p for p in given.replace("-", " ").split() if p[:1].isalpha()]
    if not parts or not surname:
        return None
    if rng.random() < 0.5:
        surname = to_cyrillic(surname).title()
        letters = [to_cyrillic(p)[:1].upper() for p in parts[:2]]
    else:
        surname = surname.title()
        letters = [p[:1].upper() for p in parts[:2]]
    dotted = ".".join(letters) + "."
    spaced = " ".join(f"{x}." for x in letters)
    form = rng.choice(
        [
            f"{surname} {dotted}",
            f"{dotted} {surname}",
            f"{surname} {spaced}",
            f"{spaced} {surname}",
            f"{surname}{dotted}",
        ]
    )
    return form


MAKERS: dict[str, Callable[[str, str, random.Random], str | None]] = {
    "legal_form": legal_form_swap,
    "invisible": invisible,
    "confusable_to_cyrillic": confusable_to_cyrillic,
    "confusable_to_latin": confusable_to_latin,
    "joined_split": joined_split,
    "initials": initials,
}
NEGATIVE_MAKERS = {**MAKERS, "legal_form": legal_form_any}


# --- data ---------------------------------------------------------------------------------


def sdn_entities() -> list[ListedEntity]:
    from circumspect.sources import parse_source

    files = sorted((FIX / "lists" / "ofac_sdn_2021").glob("*.csv"))
    return list(parse_source("ofac_sdn", files).entities())


def is_russia(entity: ListedEntity) -> bool:
    programs = entity.get("program")
    return any(p in RUSSIA_PROGRAMS or p.startswith(RUSSIA_PREFIXES) for p in programs)


def positives(entities: list[ListedEntity], per: int, seed: int) -> list[Case]:
    russia = [e for e in entities if is_russia(e)]
    out: list[Case] = []
    for k, disguise in enumerate(DISGUISES):
        rng = random.Random(seed * 1000 + k)
        order = list(russia)
        rng.shuffle(order)
        made = 0
        for entity in order:
            if made >= per:
                break
            query = MAKERS[disguise](entity.caption, entity.schema, rng)
            if query is None or query == entity.caption:
                continue
            out.append(Case(disguise, query, entity.schema, entity.id, entity.caption))
            made += 1
    return out


def negative_names(limit: int) -> list[tuple[str, str]]:
    from circumspect.sources import parse_source

    files = sorted((FIX / "lists" / "ofac_consolidated").glob("*.csv"))
    cons = [
        (e.caption, e.schema)
        for e in parse_source("ofac_cons", files).entities()
        if e.schema in ORG_SCHEMATA
    ]
    people: list[tuple[str, str]] = []
    with (FIX / "matching" / "yente_negatives_global.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = row["full_name"].strip()
            if name and name.isascii() and len(name.split()) >= 2:
                parts = name.split()
                people.append((f"{parts[-1]}, {' '.join(parts[:-1])}", "Person"))
            if len(people) >= limit:
                break
    return cons[:limit] + people


def negatives(names: list[tuple[str, str]], per: int, seed: int) -> list[Case]:
    out: list[Case] = []
    for k, disguise in enumerate(DISGUISES):
        rng = random.Random(seed * 1000 + 500 + k)
        order = list(names)
        rng.shuffle(order)
        made = 0
        for name, schema in order:
            if made >= per:
                break
            if disguise == "initials" and schema != "Person":
                continue
            query = NEGATIVE_MAKERS[disguise](name, schema, rng)
            if query is None:
                continue
            out.append(Case(disguise, query, schema, "", name))
            made += 1
    return out


# --- run ----------------------------------------------------------------------------------


def table(title: str, header: list[str], rows: list[list[object]]) -> None:
    cells = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(header)]
    print(f"\n## {title}\n")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in cells:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
    sys.stdout.flush()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--per-disguise", type=int, default=80)
    parser.add_argument("--negatives", type=int, default=300)
    parser.add_argument("--write", type=Path, default=None, help="write the queries as CSV")
    parser.add_argument("--no-logic-v2", action="store_true")
    args = parser.parse_args(argv)
    if not (FIX / "lists" / "ofac_sdn_2021").exists():
        print(f"skipped: {FIX} not found (set CIRCUMSPECT_SHARED)")
        return
    load = os.getloadavg()[0]
    print(f"# bench_evasion (seed {args.seed}; threshold {THRESHOLD:.2f}; load average {load:.1f})")
    t = time.perf_counter()
    entities = sdn_entities()
    screener = Screener(entities)
    by_id = {e.id: e for e in entities}
    print(f"OFAC SDN 2021: {len(entities):,} entities indexed in {time.perf_counter() - t:.1f} s")
    pos = positives(entities, args.per_disguise, args.seed)
    neg_all = negatives(negative_names(args.negatives * 2), args.negatives, args.seed)
    # Negatives that alert undisguised are left out: the rate measures the disguise.
    neg: list[Case] = []
    dropped = 0
    clean_cache: dict[tuple[str, str], bool] = {}
    for case in neg_all:
        key = (case.original, case.schema)
        if key not in clean_cache:
            cands = screener.screen(Query(case.original, case.schema), limit=1)
            clean_cache[key] = bool(cands and cands[0].alert)
        if clean_cache[key]:
            dropped += 1
        else:
            neg.append(case)
    if args.write:
        with args.write.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["disguise", "schema", "query", "expected_entity", "original"])
            for c in [*pos, *neg]:
                writer.writerow([c.disguise, c.schema, c.query, c.expected, c.original])
    ours: dict[str, list[bool]] = {d: [] for d in DISGUISES}
    ours_neg: dict[str, list[bool]] = {d: [] for d in DISGUISES}
    top3: dict[int, list[str]] = {}
    misses: list[str] = []
    errors = 0
    t = time.perf_counter()
    for n, case in enumerate([*pos, *neg]):
        try:
            cands = screener.screen(Query(case.query, case.schema), limit=5)
        except InputError:
            errors += 1
            cands = []
        top3[n] = [c.entity_id for c in cands[:3]]
        if case.expected:
            hit = any(c.entity_id == case.expected and c.alert for c in cands)
            ours[case.disguise].append(hit)
            if not hit and len(misses) < 25:
                best = f"{cands[0].caption!r} {cands[0].score:.2f}" if cands else "nothing"
                misses.append(f"{case.disguise}: {case.query!r} ({case.original!r}) -> {best}")
        else:
            alert = any(c.alert for c in cands)
            ours_neg[case.disguise].append(alert)
            if alert and len(misses) < 40:
                misses.append(
                    f"NEG {case.disguise}: {case.query!r} -> {cands[0].caption!r} "
                    f"{cands[0].score:.2f}"
                )
        if n % 200 == 0:
            print(f"  screened {n}/{len(pos) + len(neg)}", file=sys.stderr, flush=True)
    ours_s = time.perf_counter() - t
    theirs: dict[str, list[bool]] = {d: [] for d in DISGUISES}
    theirs_neg: dict[str, list[bool]] = {d: [] for d in DISGUISES}
    if not args.no_logic_v2:
        from followthemoney import model
        from nomenklatura.matching import get_algorithm
        from nomenklatura.matching.types import ScoringConfig

        algo = get_algorithm("logic-v2")
        assert algo is not None
        config = ScoringConfig.defaults()
        for n, case in enumerate([*pos, *neg]):
            q = model.make_entity(case.schema)
            q.id = f"q-{n}"
            q.add("name", case.query)
            if case.expected:
                res = algo.compare(q, by_id[case.expected].proxy, config)
                theirs[case.disguise].append(res.score >= 0.7)
            else:
                hit = any(
                    algo.compare(q, by_id[eid].proxy, config).score >= 0.7
                    for eid in top3[n]
                    if eid in by_id
                )
                theirs_neg[case.disguise].append(hit)
            if n % 200 == 0:
                print(f"  logic-v2 {n}/{len(pos) + len(neg)}", file=sys.stderr, flush=True)
    rows: list[list[object]] = []
    for d in DISGUISES:
        p, q = ours[d], ours_neg[d]
        tp, tq = theirs[d], theirs_neg[d]
        rows.append(
            [
                d,
                len(p),
                f"{sum(p) / max(1, len(p)):.3f}",
                f"{sum(tp) / max(1, len(tp)):.3f}" if tp else "-",
                len(q),
                f"{sum(q) / max(1, len(q)):.2%}",
                f"{sum(tq) / max(1, len(tq)):.2%}" if tq else "-",
            ]
        )
    table(
        "disguised Russia-program names vs OFAC SDN 2021 (targets: recall >= 0.97, "
        "negatives alerting <= 1 %)",
        [
            "disguise",
            "positives",
            "recall ours",
            "recall logic-v2",
            "negatives",
            "neg. alerting ours",
            "neg. alerting logic-v2",
        ],
        rows,
    )
    print(
        f"\nnegatives left out because their undisguised name already alerts: {dropped}; "
        f"queries refused as bad input: {errors}; "
        f"ours {len(pos) + len(neg)} queries in {ours_s:.1f} s"
    )
    if misses:
        print("\nMisses and negative alerts (first 40):")
        for m in misses:
            print("  ", m)


if __name__ == "__main__":
    main(sys.argv[1:])
