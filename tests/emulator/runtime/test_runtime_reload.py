"""Hot reload: an edit under CodeUri replaces the function's workers; no restart."""

from __future__ import annotations

import re

from emulator.lambda_runtime.reload import reload_line, snapshot

from .conftest import function

HANDLER = """import os

VALUE = {value!r}


def handler(event, context):
    return {{"value": VALUE, "pid": os.getpid()}}
"""


def write_handler(code_dir, value: str) -> None:
    (code_dir / "app.py").write_text(HANDLER.format(value=value))


def test_an_edit_is_picked_up_by_the_next_request(start_runtime, tmp_path):
    write_handler(tmp_path, "v1")
    runtime = start_runtime(
        function("App", "app.handler", code_dir=tmp_path), hot_reload=True, reload_interval_s=0.05
    )
    first = runtime.invoke("App", {}).payload
    generation = runtime.code_generation("App")

    write_handler(tmp_path, "version two")

    assert runtime.wait_for_reload("App", generation, timeout=30)
    second = runtime.invoke("App", {}).payload
    assert first["value"] == "v1"
    assert second["value"] == "version two"
    assert second["pid"] != first["pid"]


def test_a_new_module_in_a_subpackage_counts_as_a_change(start_runtime, tmp_path):
    write_handler(tmp_path, "v1")
    (tmp_path / "lib").mkdir()
    runtime = start_runtime(
        function("App", "app.handler", code_dir=tmp_path), hot_reload=True, reload_interval_s=0.05
    )
    generation = runtime.code_generation("App")

    (tmp_path / "lib" / "helpers.py").write_text("X = 1\n")

    assert runtime.wait_for_reload("App", generation, timeout=30)


def test_only_functions_of_the_changed_directory_reload(start_runtime, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_handler(tmp_path / "a", "a1")
    write_handler(tmp_path / "b", "b1")
    runtime = start_runtime(
        function("A", "app.handler", code_dir=tmp_path / "a"),
        function("B", "app.handler", code_dir=tmp_path / "b"),
        hot_reload=True,
        reload_interval_s=0.05,
    )
    b_pid = runtime.invoke("B", {}).payload["pid"]
    generation = runtime.code_generation("A")

    write_handler(tmp_path / "a", "a2-new")

    assert runtime.wait_for_reload("A", generation, timeout=30)
    assert runtime.invoke("A", {}).payload["value"] == "a2-new"
    assert runtime.code_generation("B") == 0
    assert runtime.invoke("B", {}).payload["pid"] == b_pid


def test_explicit_reload_runs_a_same_size_edit(start_runtime, tmp_path):
    # A same-size rewrite within the same second defeats CPython's __pycache__ check; the
    # worker compiles just-edited modules from source, so the new code runs anyway.
    write_handler(tmp_path, "v1")
    runtime = start_runtime(function("App", "app.handler", code_dir=tmp_path))
    assert runtime.invoke("App", {}).payload["value"] == "v1"

    write_handler(tmp_path, "v2")
    runtime.reload("App")

    assert runtime.invoke("App", {}).payload["value"] == "v2"
    assert not (tmp_path / "__pycache__").exists()


def test_a_busy_worker_finishes_on_old_code_then_retires(start_runtime, gate, submit):
    runtime = start_runtime(function("Gated", "gated.handler", timeout_s=30))

    running = submit(runtime, "Gated", {"gate": gate.path})
    old_pid = gate.wait_for_handler()
    runtime.reload("Gated")
    gate.release_one()

    assert running.result(timeout=30).payload["pid"] == old_pid  # not cut short
    follow_up = submit(runtime, "Gated", {"gate": gate.path})
    new_pid = gate.wait_for_handler()
    gate.release_one()
    assert follow_up.result(timeout=30).payload["pid"] == new_pid != old_pid


def test_snapshot_ignores_bytecode_caches_and_virtualenvs(tmp_path):
    (tmp_path / "app.py").write_text("x = 1\n")
    for skipped in ("__pycache__", ".venv", ".git"):
        (tmp_path / skipped).mkdir()
        (tmp_path / skipped / "mod.py").write_text("y = 2\n")

    assert list(snapshot(tmp_path)) == [str(tmp_path / "app.py")]


def test_a_reload_is_one_log_line_naming_the_file_the_functions_and_the_time(start_runtime, tmp_path, caplog):
    (tmp_path / "a").mkdir()
    write_handler(tmp_path / "a", "v1")
    runtime = start_runtime(
        function("A", "app.handler", code_dir=tmp_path / "a"),
        function("A2", "app.handler", code_dir=tmp_path / "a"),
        hot_reload=True,
        reload_interval_s=0.05,
    )
    generation = runtime.code_generation("A")
    with caplog.at_level("INFO", logger="emulator.reload"):
        write_handler(tmp_path / "a", "v2-longer")
        assert runtime.wait_for_reload("A", generation, timeout=30)
    lines = [r.getMessage() for r in caplog.records if r.name == "emulator.reload"]
    assert lines, "no reload line"
    for line in lines:  # one per reload (a write the poll saw half done may make two)
        assert re.fullmatch(
            r"hot reload: app\.py changed; reloaded A, A2 in \d+\.\d ms "
            r"\(the next request imports the new code\)",
            line,
        ), line


def test_the_reload_line_counts_what_it_does_not_name(tmp_path):
    changed = [str(tmp_path / f"m{i}.py") for i in range(5)]
    line = reload_line(tmp_path, changed, ["Fn"], 0.0012)
    assert line.startswith("hot reload: m0.py, m1.py, m2.py, 2 more changed; reloaded Fn in 1.2 ms")
