"""One handler that fails in whichever way the event asks, or echoes it back.

Every failure mode a Lambda function has, so that a test can make it fail and then check that
the very next request to the same function still succeeds.
"""

import ctypes
import decimal
import os
import sys
import time


def handler(event, context):
    action = event.get("do", "echo")
    if action == "raise":
        raise ValueError("something broke")
    if action == "exit":
        sys.exit(3)
    if action == "os_exit":
        os._exit(7)
    if action == "segfault":
        ctypes.string_at(0)
    if action == "abort":
        os.abort()
    if action == "not_json":
        return {"values": {1, 2}}
    if action == "decimal":
        return {"price": decimal.Decimal("12.5"), "count": decimal.Decimal("3")}
    if action == "print":  # more output than a pipe holds
        for number in range(event["lines"]):
            print(f"output line {number} " + "x" * 60)
    if action == "sleep":
        print("going to sleep", flush=True)
        time.sleep(60)
    return {"echo": event, "pid": os.getpid()}


def exit_when_released(event, context):
    """Returns at once, but a background thread ends the process when the test's gate opens."""
    import socket
    import threading

    gate = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    gate.connect(event["gate"])
    gate.sendall(str(os.getpid()).encode() + b"\n")

    def exit_later():
        gate.recv(1)
        os._exit(0)

    threading.Thread(target=exit_later, daemon=True).start()
    return {"pid": os.getpid()}
