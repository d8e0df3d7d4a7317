"""Batch screening of message files: collect, screen, write one CSV row per file.

Every input file gets exactly one row (a file that cannot be read gets decision ``error``
with the reason); the CSV goes through the one output writer (``circumspect.tabular``):
atomic, no live formulas, one cell per field.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from circumspect import fsutil
from circumspect.errors import InputError
from circumspect.payments.model import PaymentDecision
from circumspect.payments.policy import Policy
from circumspect.payments.screening import PaymentScreening
from circumspect.tabular import write_dicts

COLUMNS = ("file", "message_id", "format", "decision", "flags", "explanation")
#: Largest file read as a message (larger files are an ``error`` row, not read).
MAX_FILE_BYTES = 5_000_000


def collect_files(paths: Sequence[Path]) -> list[Path]:
    """Files given, and every regular non-hidden file under directories given (sorted)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        out.append(Path(root) / name)
        elif path.exists():
            out.append(path)
        else:
            raise InputError("no such file or directory", file=str(path))
    return out


def screen_file(path: Path, engine: PaymentScreening) -> PaymentDecision:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return PaymentDecision(
                "error",
                None,
                None,
                [],
                f"error: file larger than {MAX_FILE_BYTES} bytes",
                error="file too large",
            )
        raw = path.read_bytes()
    except OSError as exc:
        reason = f"cannot read file: {exc.strerror or exc}"
        return PaymentDecision("error", None, None, [], f"error: {reason}", error=reason)
    return engine.screen_raw(raw, str(path))


def row(path: Path, decision: PaymentDecision) -> dict[str, str]:
    return {
        "file": str(path),
        "message_id": decision.message_id or "",
        "format": decision.format or "",
        "decision": decision.decision,
        "flags": decision.flag_codes(),
        "explanation": decision.explanation,
    }


#: Fewer files than this are screened in-process whatever ``workers`` says.
PARALLEL_MIN_FILES = 64
_WORKER: PaymentScreening | None = None


def _screen_in_worker(path: Path) -> PaymentDecision:
    assert _WORKER is not None
    return screen_file(path, _WORKER)


def screen_paths(
    files: Iterable[Path],
    engine: PaymentScreening,
    progress: Callable[[Path, PaymentDecision], None] | None = None,
    workers: int = 1,
) -> list[tuple[Path, PaymentDecision]]:
    """Each file's decision, in the order given; with ``workers`` > 1 the files are
    screened by that many forked processes (the same decisions, the same order)."""
    import multiprocessing as mp
    import sys

    global _WORKER
    paths = list(files)
    if workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}", field="workers")
    results: list[tuple[Path, PaymentDecision]] = []
    if workers == 1 or len(paths) < PARALLEL_MIN_FILES or not sys.platform.startswith("linux"):
        decisions: Iterable[PaymentDecision] = (screen_file(path, engine) for path in paths)
        for path, decision in zip(paths, decisions, strict=True):
            results.append((path, decision))
            if progress is not None:
                progress(path, decision)
        return results
    _WORKER = engine
    try:
        with mp.get_context("fork").Pool(workers) as pool:
            chunk = max(4, min(64, len(paths) // (workers * 8) or 1))
            for path, decision in zip(
                paths, pool.imap(_screen_in_worker, paths, chunksize=chunk), strict=True
            ):
                results.append((path, decision))
                if progress is not None:
                    progress(path, decision)
    finally:
        _WORKER = None
    return results


def check_writable(out: Path) -> None:
    """Fail before screening when OUT cannot be written (InputError naming it)."""
    if out.is_dir():
        raise InputError("the output is a directory; give a CSV file name", file=str(out))
    fsutil.check_writable(out, what="the output ")


def write_csv(results: Sequence[tuple[Path, PaymentDecision]], out: Path) -> None:
    """One row per file, written atomically (temp file + rename)."""
    write_dicts(out, [row(path, decision) for path, decision in results], list(COLUMNS))


def summary(results: Sequence[tuple[Path, PaymentDecision]]) -> Counter[str]:
    return Counter(d.decision for _, d in results)


def engine_from_store(db_url: str | None, policy: Policy | None = None) -> PaymentScreening:
    """A screening engine over the active lists in the store (InputError when empty)."""
    from circumspect.matching import Screener
    from circumspect.store import open_store

    store = open_store(db_url)
    try:
        if not store.active_snapshots():
            raise InputError(
                "no sanctions lists in the store: load them first with "
                "`circumspect lists load` (payments are never screened against "
                "empty lists)"
            )
        screener = Screener.from_store(store)
        entities = list(store.iter_entities())
    finally:
        store.close()
    return PaymentScreening(screener, entities=entities, policy=policy)
