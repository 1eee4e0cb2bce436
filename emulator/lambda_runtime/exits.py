"""How a worker process ended, in Lambda's words, and how much memory it used."""

from __future__ import annotations

import signal


def exit_reason(code: int) -> str:
    """Lambda's wording (Go's os.ProcessState): "exit status 1", "signal: segmentation fault"."""
    if code == 0:
        return "Runtime exited without providing a reason"
    if code < 0:
        return f"Runtime exited with error: signal: {_signal_name(-code)}"
    return f"Runtime exited with error: exit status {code}"


# Go's names for signals, which Lambda's messages use (the same on every OS, unlike strsignal).
_SIGNAL_NAMES = {
    signal.SIGSEGV: "segmentation fault",
    signal.SIGABRT: "aborted",
    signal.SIGKILL: "killed",
    signal.SIGTERM: "terminated",
    signal.SIGBUS: "bus error",
    signal.SIGILL: "illegal instruction",
    signal.SIGFPE: "floating point exception",
    signal.SIGINT: "interrupt",
    signal.SIGHUP: "hangup",
    signal.SIGPIPE: "broken pipe",
    signal.SIGQUIT: "quit",
    signal.SIGTRAP: "trace/breakpoint trap",
}


def _signal_name(number: int) -> str:
    if number in _SIGNAL_NAMES:
        return _SIGNAL_NAMES[number]
    try:
        return (signal.strsignal(number) or f"signal {number}").lower()
    except ValueError:
        return f"signal {number}"


def peak_memory_mb(pid: int) -> int:
    """The process's peak resident set (VmHWM) on Linux; 0 where /proc is not there."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024 + 1
    except (OSError, ValueError):
        pass
    return 0
