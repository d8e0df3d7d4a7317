"""Regenerate ``circumspect/names/data/han_hangul.csv`` from the Unicode Han Database.

Run ``.venv/bin/python scripts/gen/han_hangul.py [Unihan_Readings.txt(.bz2)]``; the default
path is Debian's ``unicode-data`` package (``apt-get install unicode-data``). The table keeps
each Han character's Sino-Korean readings (Unihan ``kHangul``) in Unihan's order, so a name
written in Hanja (``金正恩``) can be read as Korean (``김정은``, then Latin ``Kim Jong Un``).
Every row carries the source and its Unicode version.
"""

from __future__ import annotations

import bz2
import csv
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "circumspect" / "names" / "data" / "han_hangul.csv"
DEFAULT = Path("/usr/share/unicode/Unihan_Readings.txt.bz2")


def read_lines(path: Path) -> list[str]:
    if path.suffix == ".bz2":
        with bz2.open(path, "rt", encoding="utf-8") as fh:
            return fh.read().splitlines()
    return path.read_text(encoding="utf-8").splitlines()


def build_rows(lines: list[str]) -> tuple[str, list[tuple[str, str]]]:
    """The Unicode version and (character, readings separated by spaces) per character."""
    version = ""
    rows: list[tuple[str, str]] = []
    for number, line in enumerate(lines, start=1):
        if line.startswith("#"):
            found = re.search(r"Unicode (?:version|Version)[: ]+([\d.]+)", line)
            if found and not version:
                version = found.group(1)
            continue
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not parts[0].startswith("U+"):
            raise SystemExit(f"line {number}: not 'U+XXXX<TAB>field<TAB>value': {line!r}")
        code, field, value = parts
        if field != "kHangul":
            continue
        # "금:0E 김:0N": the reading, then its sources; keep the readings in order
        readings = [r.split(":", 1)[0] for r in value.split()]
        rows.append((chr(int(code[2:], 16)), " ".join(dict.fromkeys(readings))))
    if not rows:
        raise SystemExit("no kHangul readings found")
    return version, rows


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    version, rows = build_rows(read_lines(path))
    source = "Unihan_Readings.txt kHangul"
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["char", "hangul", "source", "version"])
        for char, readings in rows:
            writer.writerow([char, readings, source, version or "unknown"])
    print(f"{OUT}: {len(rows)} characters (Unicode {version or 'unknown'})")


if __name__ == "__main__":
    main()
