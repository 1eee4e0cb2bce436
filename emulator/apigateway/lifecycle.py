"""The server's connections from accept to shutdown: accepting within the descriptor limit, and
a graceful end as uvicorn and gunicorn do it.

**Accepting.** The listening socket is read by :class:`Acceptor` on the loop, not by the loop's
own server: libuv (uvloop) meets "too many open files" by accepting and closing the connection at
once -- the client is reset and nothing is said. Here a failed ``accept()`` for lack of
descriptors is logged (once per :data:`ACCEPT_LOG_EVERY_S`, with how many more failed), accepting
pauses for :data:`ACCEPT_RETRY_S`, and new clients wait in the listen queue until a descriptor is
free. :func:`raise_open_files_limit` lifts the soft limit to the hard one at start, as nginx
(``worker_rlimit_nofile``) and many servers do: macOS's default soft limit is 256.

**Shutdown** (:func:`drain`, on SIGINT/SIGTERM): stop accepting; close idle keep-alive connections
at once; let the requests in flight finish, their answers closing their connections, for at most
the graceful timeout; past it, or at a second Ctrl-C, each one still waiting gets 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import resource
import socket
import sys
import time
from collections.abc import Callable
from typing import Any, Protocol

from emulator import log

ACCEPT_RETRY_S = 0.5
ACCEPT_LOG_EVERY_S = 10.0
# After the 503s: how long the clients get to read them before the loop ends.
ABANDON_LINGER_S = 1.0
# What a request still running past the graceful timeout is answered (both fronts).
SHUTTING_DOWN_MESSAGE = "Service Unavailable: the server is shutting down"
_NO_DESCRIPTORS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
_LOG = logging.getLogger(log.GATEWAY)


def raise_open_files_limit() -> tuple[int, int]:
    """Soft RLIMIT_NOFILE up to the hard limit; (before, after)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard
    if hard == resource.RLIM_INFINITY or (sys.platform == "darwin" and hard > 10240):
        target = 10240  # macOS refuses more than OPEN_MAX for the soft limit
    if soft != resource.RLIM_INFINITY and soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            return soft, target
    return soft, soft


class Drainable(Protocol):
    def shutdown(self) -> None:
        """Close now if idle, else after the answers in flight."""
        ...

    def abandon(self) -> None:
        """Answer what is in flight with 503 and close."""
        ...


class OpenConnections(set[Any]):
    """The server's open connections; :attr:`emptied` is set whenever there is none."""

    def __init__(self) -> None:
        super().__init__()
        self.emptied = asyncio.Event()
        self.emptied.set()

    def add(self, connection: Any) -> None:
        super().add(connection)
        self.emptied.clear()

    def discard(self, connection: Any) -> None:
        super().discard(connection)
        if not self:
            self.emptied.set()


class Acceptor:
    """Accepts connections on ``sock`` (listening, non-blocking) for ``protocol_factory``."""

    def __init__(self, sock: socket.socket, protocol_factory: Callable[[], asyncio.Protocol]) -> None:
        self._sock = sock
        self._factory = protocol_factory
        self._loop = asyncio.get_running_loop()
        self._accepting = False
        self._closed = False
        self._failures = 0
        self._logged_at = -ACCEPT_LOG_EVERY_S
        sock.setblocking(False)

    def start(self) -> None:
        if not self._accepting and not self._closed:
            self._accepting = True
            self._loop.add_reader(self._sock.fileno(), self._accept)

    def close(self) -> None:
        """Stop accepting; new clients are refused from now on."""
        self._pause()
        self._closed = True
        self._sock.close()

    def _pause(self) -> None:
        if self._accepting:
            self._accepting = False
            self._loop.remove_reader(self._sock.fileno())

    def _accept(self) -> None:
        for _ in range(64):  # a burst, then let the loop serve the others
            try:
                conn, _ = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                if exc.errno in _NO_DESCRIPTORS:
                    self._out_of_descriptors(exc)
                    return
                _LOG.warning("accept() failed: %s", exc)
                return
            conn.setblocking(False)
            self._loop.create_task(self._connect(conn))

    async def _connect(self, conn: socket.socket) -> None:
        try:
            await self._loop.connect_accepted_socket(self._factory, sock=conn)
        except OSError:  # the client went away meanwhile
            conn.close()

    def _out_of_descriptors(self, exc: OSError) -> None:
        self._failures += 1
        now = time.monotonic()
        if now - self._logged_at >= ACCEPT_LOG_EVERY_S:
            soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
            more = f" ({self._failures - 1} more since the last line)" if self._failures > 1 else ""
            _LOG.error(
                "cannot accept a connection: %s (this process may open %d files); new clients wait "
                "until connections close%s. Close idle clients, or raise the limit (ulimit -n)",
                exc.strerror or exc,
                soft,
                more,
            )
            self._logged_at = now
            self._failures = 0
        self._pause()
        self._loop.call_later(ACCEPT_RETRY_S, self.start)


async def drain(
    connections: OpenConnections, graceful_timeout_s: float, now_please: asyncio.Event
) -> tuple[int, int]:
    """Shut the connections down gracefully: (in flight at the start, answered 503)."""
    for connection in list(connections):
        connection.shutdown()
    await asyncio.sleep(0)  # the idle ones' connection_lost runs
    in_flight = len(connections)
    if in_flight:
        say_waiting(in_flight, graceful_timeout_s)
        emptied = asyncio.ensure_future(connections.emptied.wait())
        forced = asyncio.ensure_future(now_please.wait())
        await asyncio.wait({emptied, forced}, timeout=graceful_timeout_s, return_when=asyncio.FIRST_COMPLETED)
        emptied.cancel()
        forced.cancel()
    left = list(connections)
    for connection in left:
        connection.abandon()
    if left:
        say_abandoned(len(left))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(connections.emptied.wait(), ABANDON_LINGER_S)
    return in_flight, len(left)


def say_waiting(in_flight: int, graceful_timeout_s: float) -> None:
    _LOG.info(
        "Shutting down: waiting for %d request%s in flight (at most %g s; Ctrl-C again to stop now)",
        in_flight,
        "" if in_flight == 1 else "s",
        graceful_timeout_s,
    )


def say_abandoned(left: int) -> None:
    _LOG.warning("%d request%s still in flight answered 503", left, "" if left == 1 else "s")
