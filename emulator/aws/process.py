"""``EmbeddedAws``: the embedded AWS endpoint as a child process the shim starts and stops.

A child process rather than a thread: moto's request handling is pure Python, so in-process it
would compete with the gateway for one GIL; a child gets its own core, and a crash or a leak in
moto stays contained. ``start()`` waits for the child's ``Ready on URL`` line, never sleeps.

The listening socket is bound here, in the parent, and handed to the child (``--listen-fd``): a
port conflict is a clean error at once, and the URL is known from :meth:`launch` on, before moto
is even imported. A client may connect at once: its connection waits in the socket's backlog
until the child serves (after loading the data dir), so the shim's start-up work that needs the
URL (worker environments, boto3 clients, provisioning) runs in parallel with the child's.

With ``keep_listening`` (serve, whose watchdog restarts a child that died: :mod:`.watchdog`) the
parent keeps its copy of the socket, and :meth:`relaunch` hands the same one to the next child:
the port never changes, and a client that connects in the gap waits in the backlog for it.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO

from emulator import log
from emulator.aws.layout import READY_PREFIX
from emulator.errors import UserError

_REPO_ROOT = Path(__file__).resolve().parents[2]


class EmbeddedAws:
    def __init__(
        self,
        *,
        data_dir: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        ttl_sweep_interval_s: float = 60.0,
        region: str = "us-east-1",
        startup_timeout_s: float = 60.0,
        compact_every: int | None = None,
        keep_listening: bool = False,
    ) -> None:
        """The child logs at this process's level of ``emulator.aws``; its lines (start-up time,
        replay count, sweep errors) are logged here as they come."""
        self.data_dir = data_dir
        self.host = host
        self.port = port
        self.ttl_sweep_interval_s = ttl_sweep_interval_s
        self.region = region
        self.startup_timeout_s = startup_timeout_s
        self.compact_every = compact_every  # item writes between snapshots (None: the endpoint's default)
        self.keep_listening = keep_listening
        self.clock_offset_s = 0.0  # the emulator clock's (emulator.clock), given to every child
        self._listener: socket.socket | None = None  # kept for relaunch() (keep_listening)
        self._process: subprocess.Popen[str] | None = None
        self._error_pump: threading.Thread | None = None
        self._endpoint_url: str | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._errors: list[str] = []
        self._ready = False

    @property
    def endpoint_url(self) -> str:
        if self._endpoint_url is None:
            raise RuntimeError("EmbeddedAws is not started")
        return self._endpoint_url

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def process(self) -> subprocess.Popen[str]:
        if self._process is None:
            raise RuntimeError("EmbeddedAws is not started")
        return self._process

    def start(self) -> EmbeddedAws:
        """Launch the child and return once it answers."""
        self.launch()
        return self.wait_until_ready()

    def launch(self) -> EmbeddedAws:
        """Bind the socket and start the child; :attr:`endpoint_url` is usable from now on."""
        listener = _listen(self.host, self.port)
        port = listener.getsockname()[1]
        try:
            self._spawn(listener)
        finally:
            # Only the child keeps the socket, unless a watchdog restarts it: if it dies, clients
            # get "connection refused" at once instead of waiting in a backlog nobody accepts from.
            if self.keep_listening:
                self._listener = listener
            else:
                listener.close()
        # A wildcard bind is reachable on loopback; "0.0.0.0" itself is not an address to connect to.
        connect_host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        if ":" in connect_host:
            connect_host = "[::1]" if connect_host == "::" else f"[{connect_host}]"
        self._endpoint_url = f"http://{connect_host}:{port}"
        return self

    def relaunch(self) -> EmbeddedAws:
        """Start a new child on the same socket (``keep_listening``) after the last one exited."""
        if self._listener is None:
            raise RuntimeError("relaunch() needs keep_listening=True and a launch() first")
        if self._process is not None and self._process.stdin is not None:
            self._process.stdin.close()
        self._lines = queue.Queue()
        self._errors = []
        self._ready = False
        self._spawn(self._listener)
        return self

    def _spawn(self, listener: socket.socket) -> None:
        command = [
            sys.executable,
            "-m",
            "emulator.aws.server",
            "--host",
            self.host,
            "--port",
            str(listener.getsockname()[1]),
            "--listen-fd",
            str(listener.fileno()),
            "--ttl-sweep-interval",
            str(self.ttl_sweep_interval_s),
            "--region",
            self.region,
            "--exit-with-parent",
            "--log-level",
            log.level_name(log.AWS),
        ]
        if self.data_dir is not None:
            command += ["--data-dir", str(Path(self.data_dir).resolve())]
        if self.compact_every is not None:
            command += ["--compact-every", str(self.compact_every)]
        if self.clock_offset_s:
            command += ["--clock-offset", repr(self.clock_offset_s)]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_REPO_ROOT), env.get("PYTHONPATH", "")) if p)
        env["PYTHONUNBUFFERED"] = "1"
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            pass_fds=(listener.fileno(),),
        )
        assert self._process.stdout is not None
        assert self._process.stderr is not None
        threading.Thread(target=_pump, args=(self._process.stdout, self._lines, None), daemon=True).start()
        self._error_pump = threading.Thread(
            target=_pump, args=(self._process.stderr, None, self._errors, _forward), daemon=True
        )
        self._error_pump.start()

    def follow_clock(self, offset_s: float) -> None:
        """The emulator clock moved: the running child's TTL sweep follows (and sweeps at once);
        a child started later gets the offset on its command line."""
        self.clock_offset_s = offset_s
        if self._endpoint_url is None:
            return
        # Even while a restarted child is starting: it may have been spawned with the old offset,
        # and the request waits in the socket's backlog until it serves.
        from emulator.http_json import Unreachable, request_json

        try:
            status, _ = request_json(
                self._endpoint_url + "/_emulator/clock", method="POST", body={"offsetSeconds": offset_s}
            )
        except Unreachable as exc:  # down: the watchdog restarts it with the offset
            status, reason = 0, str(exc)
        else:
            reason = f"HTTP {status}"
        if status != 200:
            logging.getLogger(log.AWS).warning(
                "warning: the embedded AWS endpoint did not take the clock's offset (%s); its TTL sweep "
                "follows it once restarted",
                reason,
            )

    def wait_until_ready(self) -> EmbeddedAws:
        """Wait for the child's ``Ready on URL`` line; UserError if it exits or never says it."""
        process = self._process
        if process is None:
            raise RuntimeError("EmbeddedAws is not launched")
        while not self._ready:
            try:
                line = self._lines.get(timeout=self.startup_timeout_s)
            except queue.Empty:
                self.stop()
                raise UserError(
                    f"the embedded AWS endpoint did not start in {self.startup_timeout_s:.0f} s"
                ) from None
            if line is None:  # stdout closed: the child exited before it was ready
                self._lines.put(None)  # a later caller gets the same answer
                process.wait()
                if self._error_pump is not None:  # its last lines may still be in the pipe
                    self._error_pump.join(timeout=5)
                reason = next((e for e in reversed(self._errors) if e.startswith("error: ")), None)
                detail = reason[len("error: ") :] if reason else "; ".join(self._errors[-5:]) or "no output"
                raise UserError(f"the embedded AWS endpoint failed to start: {detail}")
            if line.startswith(READY_PREFIX):
                self._ready = True
        return self

    def stop(self, timeout_s: float = 30.0, *, wait: bool = True) -> None:
        """Stop the child; it writes a last snapshot first, so give it time (``wait=False``: ask
        it to stop and return at once; it finishes on its own)."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                if wait:
                    process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdin is not None:
            process.stdin.close()
        self._process = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def __enter__(self) -> EmbeddedAws:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(128)
    except OSError as exc:
        listener.close()
        raise UserError(
            f"the embedded AWS endpoint cannot listen on {host}:{port}: {exc.strerror or exc}"
        ) from None
    listener.set_inheritable(True)
    return listener


def _forward(line: str) -> None:
    """A line the child logged: its own level filtered it already, so it is passed on at the
    level this process shows ``emulator.aws`` at (never below INFO)."""
    logger = logging.getLogger(log.AWS)
    logger.log(max(logging.INFO, logger.getEffectiveLevel()), line)


def _pump(
    stream: IO[str],
    lines: queue.Queue[str | None] | None,
    keep: list[str] | None,
    forward: Callable[[str], None] | None = None,
) -> None:
    """Drain one of the child's pipes for its whole life (a full pipe would block the child)."""
    for line in stream:
        if lines is not None:
            lines.put(line)
        if keep is not None:
            keep.append(line.rstrip("\n"))
            del keep[:-20]
        if forward is not None:
            forward(line.rstrip("\n"))
    if lines is not None:
        lines.put(None)
