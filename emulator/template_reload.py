"""Template reload: ``serve`` picks up edits of its template (and of its nested stacks' templates
and ``--env-vars`` files) while it runs, as code edits are picked up by the runtime's hot reload.

- :class:`FileWatcher` polls the files' (mtime, size, inode) on a thread, as
  :class:`~emulator.lambda_runtime.reload.CodeWatcher` polls code directories;
- on a change, :meth:`emulator.core.EmulatorCore.reload_template` loads the template again and
  builds a whole new app beside the running one: a new Lambda runtime (new handlers, environment,
  code directories), tables and secrets provisioned again (new ones created; existing ones and
  their data kept, as provisioning is idempotent), a new gateway (new routes). A template that no
  longer loads (or cannot be provisioned) is one ``error: ...`` line and the old app keeps serving;
- :class:`ReloadableGateway` is what the fronts serve: it hands each request to the current
  gateway. The swap is one reference assignment, so a request is answered wholly by the old app
  or wholly by the new one; the old app's runtime (its workers) is closed once the requests it
  was answering have finished.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncio

    from emulator.apigateway.gateway import ApiGateway
    from emulator.apigateway.proxy_response import GatewayResponse
    from emulator.apigateway.request import GatewayRequest

FileState = tuple[int, int, int] | None


def _state(path: Path) -> FileState:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


class FileWatcher:
    """Calls ``on_change()`` (on its thread) when one of ``files`` changes; :meth:`watch` replaces them."""

    def __init__(
        self, files: Iterable[Path], on_change: Callable[[], None], *, interval_s: float = 0.5
    ) -> None:
        self._on_change = on_change
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._states = {path: _state(path) for path in files}  # now: an edit right after start counts
        self._settling: dict[Path, FileState] | None = None  # changed at the last poll, not yet read
        self._thread = threading.Thread(target=self._run, name="template-watcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=5)

    def watch(self, files: Iterable[Path]) -> None:
        """Watch these files from now on (a reload may add or drop a nested template)."""
        self._states = {path: self._states.get(path) or _state(path) for path in files}

    def poll(self) -> bool:
        """Check once; True (after ``on_change`` ran) when a file changed and then stayed as it is
        for one more poll: an editor's write in several steps is read once it is complete."""
        states = {path: _state(path) for path in self._states}
        if states == self._states:
            self._settling = None
            return False
        if states != self._settling:
            self._settling = states
            return False
        self._states, self._settling = states, None
        self._on_change()
        return True

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            self.poll()


class ReloadableGateway:
    """The gateway the fronts serve (the :class:`~emulator.apigateway.api.Gateway` protocol),
    answering with whichever app is current; :meth:`swap` makes a new one current."""

    def __init__(self, gateway: ApiGateway) -> None:
        self.current = gateway
        self._lock = threading.Lock()
        self._in_flight: dict[int, int] = {}  # id(gateway) -> requests it is answering
        self._retiring: dict[int, Callable[[], None]] = {}  # id(old gateway) -> closes its app

    async def handle(
        self, request: GatewayRequest, *, loop: asyncio.AbstractEventLoop | None = None
    ) -> GatewayResponse:
        with self._lock:  # read and counted at once: a swap cannot retire it in between
            gateway = self.current
            key = id(gateway)
            self._in_flight[key] = self._in_flight.get(key, 0) + 1
        try:
            return await gateway.handle(request, loop=loop)
        finally:
            self._finished(key)

    def payload_too_large(self, request: GatewayRequest) -> GatewayResponse:
        return self.current.payload_too_large(request)

    def swap(self, gateway: ApiGateway, retire_old: Callable[[], None]) -> None:
        """``gateway`` answers from now on; ``retire_old`` runs once the old one's requests ended."""
        with self._lock:
            old = self.current
            self.current = gateway
            if self._in_flight.get(id(old), 0) > 0:
                self._retiring[id(old)] = retire_old
                return
        _aside(retire_old)

    def retire_all(self) -> None:
        """At shutdown: close every old app still waiting for its requests."""
        with self._lock:
            pending, self._retiring = list(self._retiring.values()), {}
        for retire in pending:
            retire()  # at shutdown, on serve's thread: waited for

    def _finished(self, key: int) -> None:
        with self._lock:
            left = self._in_flight[key] - 1
            if left:
                self._in_flight[key] = left
                return
            del self._in_flight[key]
            retire = self._retiring.pop(key, None)
        if retire is not None:
            _aside(retire)


def _aside(retire: Callable[[], None]) -> None:
    """Closing an app stops its workers, which blocks: never on the event loop's thread."""
    threading.Thread(target=retire, name="retire-app", daemon=True).start()
