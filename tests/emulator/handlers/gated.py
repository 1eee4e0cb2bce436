"""Blocks until the test lets it go: connects to the test's Unix socket and waits for a byte.

The test knows the handler is running when it accepts the connection, and ends it by sending
a byte, so concurrency tests synchronise on real events, never on sleeps.
"""

import os
import socket


def handler(event, context):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as gate:
        gate.connect(event["gate"])
        gate.sendall(str(os.getpid()).encode() + b"\n")
        released = gate.recv(1)
    return {"pid": os.getpid(), "released": released.decode()}
