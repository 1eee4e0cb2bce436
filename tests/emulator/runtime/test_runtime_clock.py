"""The emulator clock reaches the functions: warm workers, new workers' INIT, PyJWT's checks.

Real worker processes; the shift is compared with the real time read around the invocation, so
no assertion depends on how long anything takes.
"""

from __future__ import annotations

import time

import jwt

from emulator.clock import EmulatorClock

from .conftest import function

HOUR_S = 3600.0


def _seen(runtime, name="Clock"):
    before = time.time()
    seen = runtime.invoke(name, {}).payload
    return before, seen, time.time()


def test_a_warm_worker_follows_each_advance_and_the_reset(start_runtime):
    clock = EmulatorClock()
    runtime = start_runtime(function("Clock", "clocks.now"), clock=clock)
    before, seen, after = _seen(runtime)
    assert before <= seen["time"] <= after  # real time while the offset is zero
    pid = runtime.worker_pids("Clock")

    clock.advance(HOUR_S)
    before, seen, after = _seen(runtime)
    assert runtime.worker_pids("Clock") == pid  # the same warm worker, shifted
    for reading in ("time", "imported_time", "datetime_now", "datetime_utcnow"):
        assert before + HOUR_S <= seen[reading] <= after + HOUR_S, reading

    clock.advance(30 * 60)
    before, seen, after = _seen(runtime)
    assert before + 1.5 * HOUR_S <= seen["time"] <= after + 1.5 * HOUR_S

    clock.reset()
    before, seen, after = _seen(runtime)
    assert before <= seen["time"] <= after


def test_time_keeps_running_after_an_advance(start_runtime):
    clock = EmulatorClock()
    runtime = start_runtime(function("Clock", "clocks.now"), clock=clock)
    clock.advance(HOUR_S)
    first = runtime.invoke("Clock", {}).payload
    second = runtime.invoke("Clock", {}).payload
    assert second["time"] > first["time"]  # an offset, not a frozen instant


def test_a_worker_started_after_an_advance_sees_it_at_init(start_runtime):
    clock = EmulatorClock()
    clock.advance(2 * HOUR_S)
    runtime = start_runtime(function("Clock", "clocks.now"), clock=clock)
    before = time.time()
    seen = runtime.invoke("Clock", {}).payload
    assert seen["imported_at"] >= before + 2 * HOUR_S


def test_the_context_deadline_and_monotonic_time_are_not_shifted(start_runtime):
    clock = EmulatorClock()
    runtime = start_runtime(function("Clock", "clocks.now", timeout_s=30), clock=clock)
    clock.advance(HOUR_S)
    seen = runtime.invoke("Clock", {}).payload
    assert 0 < seen["remaining_ms"] <= 30_000  # not 0: the deadline moved with the clock
    assert seen["monotonic"] < time.monotonic() + 1  # not an hour ahead


def test_pyjwt_sees_a_token_expire_when_the_clock_moves_past_its_exp(start_runtime):
    clock = EmulatorClock()
    runtime = start_runtime(function("Jwt", "clocks.jwt_check"), clock=clock)
    token = jwt.encode({"exp": int(time.time()) + 15 * 60}, "k" * 32, algorithm="HS256")
    event = {"token": token, "key": "k" * 32}
    assert runtime.invoke("Jwt", event).payload == "valid"
    clock.advance(16 * 60)
    assert runtime.invoke("Jwt", event).payload == "expired"


def test_an_interpreter_without_time_machine_keeps_real_time_and_says_so(start_runtime, log, tmp_path):
    import subprocess
    import venv

    venv.EnvBuilder(with_pip=False).create(tmp_path / "bare")  # no time-machine in it
    bare_python = tmp_path / "bare" / "bin" / "python"
    assert subprocess.run([bare_python, "-c", "import time_machine"], capture_output=True).returncode != 0
    clock = EmulatorClock()
    runtime = start_runtime(function("Clock", "clocks.now"), clock=clock, python=str(bare_python))
    clock.advance(HOUR_S)
    before, seen, after = _seen(runtime)
    assert before <= seen["time"] <= after
    runtime.invoke("Clock", {})
    assert log.getvalue().count("emulator clock: time-machine is not installed") == 1
    assert str(bare_python) in log.getvalue()
