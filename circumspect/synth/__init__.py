"""Synthetic data generators (test sets, demo data, benchmark inputs), kept out of the
runtime packages: :mod:`.declarations` (customs declarations with planted circumvention
patterns), :mod:`.payments` (labelled payment messages; ``circumspect payments generate``),
:mod:`.flows` (the demo trade-flow files). Generation scripts for shipped reference tables
are in ``scripts/gen/``.
"""
