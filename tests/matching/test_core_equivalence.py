"""The compiled core (circumspect/names/_core.pyx) and the pure-Python reference agree.

Function by function on random strings (Latin, Cyrillic, mixed, invisible and control
characters, lone surrogates), and end to end: the scores of ``compare_names`` computed in a
process on the compiled path and in one with ``CIRCUMSPECT_PURE_PYTHON=1`` are the same to
1e-9 on random and real name pairs (docs/decisions/1800-compiled-core.md).
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from circumspect.matching.compare import token_similarity_py
from circumspect.names.confusables import remove_invisible_py
from circumspect.names.normalize import controls_to_spaces_py

ROOT = Path(__file__).resolve().parents[2]

#: Letters and characters a disguised or messy name is made of.
LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZäöüßçşıłøéñ"
CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЭЮЯәғқңөұүһі"
INVISIBLE = "\u200b\u200c\u200d\u2060\u00ad\ufeff\u202e\u034f\u3164\ufe0f\U000e0041\U000e0100"
OTHER = " -.,'\"«»0123456789\t\n\x00\x07\x7f\u0085\ue000\U0010fffd\u0378\ud800Σαβ李明ﬁ"
ALPHABET = LATIN + CYRILLIC + INVISIBLE + OTHER


def _core() -> ModuleType:
    try:
        from circumspect.names import _core  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - the failure is the message
        pytest.fail("compiled core not built: run `make bootstrap` (or pip install -e .)")
    return _core  # type: ignore[no-any-return]


texts = st.text(alphabet=st.sampled_from(ALPHABET), max_size=40)
tokens = st.text(alphabet=st.sampled_from(LATIN[:26] + CYRILLIC[:33]), min_size=1, max_size=14)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_remove_invisible_matches_reference(text: str) -> None:
    assert _core().remove_invisible(text) == remove_invisible_py(text)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_controls_to_spaces_matches_reference(text: str) -> None:
    assert _core().controls_to_spaces(text) == controls_to_spaces_py(text)


@settings(max_examples=600, deadline=None)
@given(tokens, tokens)
def test_token_similarity_matches_reference(a: str, b: str) -> None:
    core = _core()
    assert core.osa_distance(a, b, 3) == OSA.distance(a, b, score_cutoff=3)
    assert abs(core.token_similarity(a, b) - token_similarity_py(a, b)) <= 1e-9


@settings(max_examples=200, deadline=None)
@given(tokens)
def test_token_similarity_near_words(a: str) -> None:
    """Words one or two edits apart (the branches random pairs rarely reach)."""
    rng = random.Random(a)
    b = list(a)
    for _ in range(rng.randint(1, 2)):
        op = rng.randrange(3)
        pos = rng.randrange(len(b) + 1)
        if op == 0:
            b.insert(pos, rng.choice("aeiouкл"))
        elif op == 1 and b:
            del b[min(pos, len(b) - 1)]
        elif len(b) > 1:
            p = min(pos, len(b) - 2)
            b[p], b[p + 1] = b[p + 1], b[p]
    other = "".join(b) or "x"
    assert abs(_core().token_similarity(a, other) - token_similarity_py(a, other)) <= 1e-9


def test_token_similarity_empty_token_fails_like_reference() -> None:
    with pytest.raises(IndexError):
        token_similarity_py("", "a")
    with pytest.raises(IndexError):
        _core().token_similarity("", "a")


_SCORER = """
import json, sys
from circumspect.errors import CircumspectError
from circumspect.matching.screener import compare_names
from circumspect.names.core import implementation
def score(schema, a, b):
    try:
        return compare_names(a, b, schema).score
    except (CircumspectError, ValueError) as exc:  # rejected: both paths must reject alike
        return f"{type(exc).__name__}: {exc}"
pairs = json.load(sys.stdin)
print(json.dumps([implementation(), [score(s, a, b) for s, a, b in pairs]]))
"""


def _scores(pairs: list[tuple[str, str, str]], pure: bool) -> tuple[str, list[float | str]]:
    env = dict(os.environ)
    env.pop("CIRCUMSPECT_PURE_PYTHON", None)
    if pure:
        env["CIRCUMSPECT_PURE_PYTHON"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", _SCORER],
        input=json.dumps(pairs),
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    impl, scores = json.loads(done.stdout)
    return impl, scores


def _assert_same(pairs: list[tuple[str, str, str]]) -> None:
    impl_c, compiled = _scores(pairs, pure=False)
    impl_p, pure = _scores(pairs, pure=True)
    assert (impl_c, impl_p) == ("compiled", "python")
    assert len(compiled) == len(pure) == len(pairs)
    diffs = [
        (p, x, y)
        for p, x, y in zip(pairs, compiled, pure, strict=True)
        if (x != y if isinstance(x, str) or isinstance(y, str) else abs(x - y) > 1e-9)
    ]
    assert not diffs, diffs[:5]
    # The pairs must mostly be scored, not rejected, for the check to mean anything.
    assert sum(isinstance(x, float) for x in compiled) >= 0.8 * len(pairs)


def _random_name(rng: random.Random, letters: str) -> str:
    words = []
    for _ in range(rng.randint(1, 4)):
        word = "".join(rng.choice(letters) for _ in range(rng.randint(1, 9)))
        if rng.random() < 0.2:
            cut = rng.randrange(len(word) + 1)
            word = word[:cut] + rng.choice(INVISIBLE) + word[cut:]
        words.append(word)
    return " ".join(words)


def test_compiled_and_pure_paths_score_random_pairs_alike() -> None:
    _core()
    rng = random.Random(1800)
    pairs: list[tuple[str, str, str]] = []
    for letters in (LATIN, CYRILLIC, LATIN + CYRILLIC, ALPHABET):
        for _ in range(150):
            a = _random_name(rng, letters)
            # Half the pairs are near copies, so that alignments and edits are exercised.
            b = _random_name(rng, letters) if rng.random() < 0.5 else a[::-1] if a else "x"
            if rng.random() < 0.5:
                b = a.replace(a[:1], rng.choice(letters), 1) if a else b
            schema = rng.choice(("Person", "Company", "LegalEntity"))
            pairs.append((schema, a or "x", b or "y"))
    _assert_same(pairs)


def test_compiled_and_pure_paths_score_real_pairs_alike(shared: Callable[..., Path]) -> None:
    _core()
    matching = shared("fixtures", "matching")
    pairs: list[tuple[str, str, str]] = []
    with (matching / "name_bench_cases.csv").open(encoding="utf-8", newline="") as fh:
        pairs += [(r["schema"], r["name1"], r["name2"]) for r in csv.DictReader(fh)]
    with (matching / "yente_positives_un_treated.csv").open(encoding="utf-8") as fh:
        treated = [r["full_name"] for r in csv.DictReader(fh)]
    with (matching / "yente_positives_un_untreated.csv").open(encoding="utf-8") as fh:
        untreated = [r["full_name"] for r in csv.DictReader(fh)]
    pairs += [("Person", a, b) for a, b in zip(treated, untreated, strict=False)]
    with (matching / "yente_negatives_global.csv").open(encoding="utf-8") as fh:
        negatives = [r["full_name"] for _, r in zip(range(1500), csv.DictReader(fh), strict=False)]
    pairs += [("Person", a, b) for a, b in itertools.pairwise(negatives)]
    pairs = [p for p in pairs if p[1].strip() and p[2].strip() and p[0] != ""]
    _assert_same(pairs)
