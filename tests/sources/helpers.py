"""Helpers for the source tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "circumspect" / "data" / "demo" / "lists"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def demo_files(source: str) -> list[Path]:
    return sorted(p for p in (DEMO / source).iterdir() if p.is_file())
