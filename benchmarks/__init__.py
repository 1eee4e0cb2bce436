"""Benchmarks run by ``make bench``.

Each module listed in :data:`benchmarks.__main__.SUITES` exposes ``run() -> dict``: it prints its own
table as it goes and returns its figures. A module may return a ``"budgets"`` list of
``{"name": str, "value": float, "limit": str, "ok": bool}``; budgets are ratios or limits measured
against a baseline taken in the same run, so they hold on any machine.
"""
