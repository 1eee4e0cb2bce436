"""make bench's recording suite: it reads callgrind's totals, and says so when valgrind is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import recording

# The head of a dump `callgrind_control --dump` writes after `--instr=off`: "summary" is what was
# counted since instrumentation last changed (nothing), "totals" what the dump holds.
DUMP = """version: 1
creator: callgrind-3.19.0
desc: Trigger: dump
events: Ir
summary: 0
totals: 839012041
"""


def test_the_count_is_the_dumps_totals_not_its_summary(tmp_path: Path) -> None:
    dump = tmp_path / "callgrind.out.1"
    dump.write_text(DUMP)
    assert recording._total(dump) == 839012041


def test_a_dump_without_totals_is_an_error_that_names_it(tmp_path: Path) -> None:
    dump = tmp_path / "callgrind.out.1"
    dump.write_text("events: Ir\n")
    with pytest.raises(RuntimeError, match=r"no totals in .*callgrind\.out\.1"):
        recording._total(dump)


def test_without_valgrind_nothing_is_counted_and_the_suite_says_why(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", "")  # no valgrind, no callgrind_control on it
    assert recording.run() == {"skipped": "valgrind not installed"}
    assert "apt install valgrind" in capsys.readouterr().out
