"""Durable state of the embedded endpoint: a snapshot plus an append-only journal.

Layout under ``DATA_DIR/aws/``: ``snapshot-<G>.pickle`` (state as of the start of journal
generation G) and ``journal-<G>.log``, ``journal-<G+1>.log``... (JSON lines, one per acknowledged
mutating request). Start = load the newest complete snapshot, replay journals ``>= G`` in order.
Older files are deleted only once a newer snapshot is on disk. Reads never touch disk.

What "acknowledged" guarantees: a record is handed to the OS with one ``write()`` on an
``O_APPEND`` descriptor *before* the response leaves, so every acknowledged write survives the
process dying in any way (``kill -9``, crash, OOM). The journal is ``fsync``'d every
:data:`FSYNC_INTERVAL_S` and snapshots are fsync'd before they replace the old one, so an OS crash
or power loss can lose at most the last second of writes (the trade-off Redis calls
``appendfsync everysec``): a per-request fsync would cost more than the whole 15 % throughput
budget on ordinary disks, and this is a development emulator.

Compaction: every ``compact_every`` item writes the endpoint switches to a new journal
generation while holding its request lock and forks; the child (a copy-on-write image of that
instant) pickles the state into the next snapshot while the parent keeps serving. Replay after
``kill -9`` is therefore bounded by ``compact_every`` item writes whatever the data size.
Snapshots are named by generation, so a child orphaned by a ``kill -9`` of its parent can only
add an older snapshot next to the newer ones a restarted endpoint writes, never replace them.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import pickle
import sys
import threading
from collections.abc import Callable, Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

from emulator import log
from emulator.aws.layout import (
    JOURNAL_PREFIX,
    JOURNAL_SUFFIX,
    LOCK_FILE,
    SNAPSHOT_PREFIX,
    SNAPSHOT_SUFFIX,
    aws_dir,
)
from emulator.errors import UserError

# Item writes between snapshots (the endpoint's --compact-every): replaying them through moto
# after a crash takes about half a second.
COMPACT_EVERY = 500
FSYNC_INTERVAL_S = 1.0
_LOG = logging.getLogger(log.AWS_ENDPOINT)
SNAPSHOT_FORMAT = 1
# Snapshots pickle moto's own objects, readable only by the moto version that wrote them. Read
# from the package metadata: importing moto itself costs a second.
_MOTO_VERSION = version("moto")


class Journal:
    """One journal generation, opened for appending."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self.dirty = False
        self.closed = False

    def append(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, separators=(",", ":")).encode("utf-8") + b"\n"
        # One write() call: the line reaches the kernel whole or (on a crash mid-call) torn at the
        # end of the file, where the reader drops it; that request was never acknowledged.
        written = os.write(self._fd, line)
        while written < len(line):  # a short write on a regular file means a full disk
            written += os.write(self._fd, line[written:])
        self.dirty = True

    def sync(self) -> None:
        if self.dirty:
            self.dirty = False
            os.fsync(self._fd)

    def close(self) -> None:
        os.fsync(self._fd)
        os.close(self._fd)
        self.closed = True


def read_journal(path: Path) -> Iterator[dict[str, Any]]:
    """The records of one journal file; a torn last line (process killed mid-write) is cut off."""
    with path.open("rb") as f:
        data = f.read()
    good_end = 0
    for line in data.splitlines(keepends=True):
        if not line.endswith(b"\n"):
            break
        try:
            record = json.loads(line)
        except ValueError:
            break
        good_end += len(line)
        yield record
    if good_end < len(data):
        os.truncate(path, good_end)


class Persistence:
    """Owns ``DATA_DIR/aws``: loads it at start, journals writes, compacts in the background."""

    def __init__(self, data_dir: Path, *, compact_every: int = COMPACT_EVERY) -> None:
        self.compact_every = compact_every
        self.root = aws_dir(data_dir)
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock_file = _exclusive_lock(self.root / LOCK_FILE, data_dir)
        self.generation = 0
        self.records_since_snapshot = 0
        self.journal: Journal | None = None
        self._compacting: threading.Thread | None = None
        self._io_lock = threading.Lock()  # fsync by the syncer vs close by a rotation
        self._stopped = threading.Event()
        self._syncer = threading.Thread(target=self._sync_periodically, name="journal-fsync", daemon=True)

    # -- start -----------------------------------------------------------------------------------
    def load(self) -> tuple[dict[str, Any] | None, Iterator[dict[str, Any]]]:
        """The snapshot payload (or None) and the journal records written after it, in order."""
        payload: dict[str, Any] | None = None
        snapshots = self._generations(SNAPSHOT_PREFIX, SNAPSHOT_SUFFIX)
        if snapshots:
            snapshot_path = snapshots[-1][1]
            with snapshot_path.open("rb") as f:
                gc.disable()  # see EmbeddedEndpointApp.load: the GC would rescan every new object
                try:
                    snapshot = pickle.load(f)  # noqa: S301 - our own file in the user's data dir
                except Exception as exc:  # classes moved by a moto upgrade, a damaged file...
                    raise UserError(
                        f"cannot read {snapshot_path} ({exc!r}); "
                        "run `python -m emulator reset` to start afresh"
                    ) from None
                finally:
                    gc.enable()
            if snapshot.get("moto") != _MOTO_VERSION or snapshot.get("format") != SNAPSHOT_FORMAT:
                raise UserError(
                    f"{snapshot_path} was written by another emulator version "
                    f"(moto {snapshot.get('moto')}); run `python -m emulator reset` to start afresh"
                )
            self.generation = snapshot["generation"]
            payload = snapshot["payload"]
        self._drop_before(self.generation)  # folded into the snapshot by a compaction that finished
        for stale in self.root.glob(f"{SNAPSHOT_PREFIX}*.tmp*"):
            stale.unlink(missing_ok=True)  # a snapshot whose writer died before renaming it
        journals = self._generations(JOURNAL_PREFIX, JOURNAL_SUFFIX)
        later = [(g, p) for g, p in journals if g >= self.generation]
        if later:
            self.generation = later[-1][0]

        def records() -> Iterator[dict[str, Any]]:
            for _, path in later:
                for record in read_journal(path):
                    self.records_since_snapshot += record.get("weight", 1)
                    yield record

        return payload, records()

    def open(self) -> None:
        """Start appending (after the replay of :meth:`load`'s records)."""
        self.journal = Journal(self._journal_path(self.generation))
        self._syncer.start()

    # -- writes ----------------------------------------------------------------------------------
    def append(self, record: dict[str, Any], weight: int = 1) -> bool:
        """Journal one record; True when a compaction is due. Caller holds the request lock.

        ``weight`` is the record's replay cost in item writes (a BatchWriteItem of 25 puts
        weighs 25), so that the replay after a crash stays bounded in time, not in lines."""
        assert self.journal is not None
        self.journal.append(record)
        self.records_since_snapshot += weight
        return self.records_since_snapshot >= self.compact_every and self._compacting is None

    def compact_in_background(self, capture: Callable[[], dict[str, Any]]) -> None:
        """Caller holds the request lock: the state captured is exactly journals < the new one."""
        if self._compacting is not None:
            return
        if not hasattr(os, "fork"):
            self.compact_now(capture)
            return
        new_generation = self._rotate()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # child: a frozen copy of the state at this instant
            code = 1
            try:
                # Holding the data dir's lock is the parent's job: if it dies, a restart must not
                # wait for this child to finish.
                self._lock_file.close()
                self._write_snapshot(capture(), new_generation)
                code = 0
            except BaseException as exc:
                _LOG.error("snapshot failed: %r", exc)
            finally:
                os._exit(code)
        self._compacting = threading.Thread(
            target=self._reap, args=(pid, new_generation), name="snapshot-reaper", daemon=True
        )
        self._compacting.start()

    def compact_now(self, capture: Callable[[], dict[str, Any]]) -> None:
        """Synchronous compaction (at exit). Caller holds the request lock."""
        if self._compacting is not None:
            self._compacting.join()
        if self.records_since_snapshot == 0 and self._generations(SNAPSHOT_PREFIX, SNAPSHOT_SUFFIX):
            return
        new_generation = self._rotate()
        self._write_snapshot(capture(), new_generation)
        self._drop_before(new_generation)

    def close(self) -> None:
        self._stopped.set()
        if self._compacting is not None:
            self._compacting.join()
        if self.journal is not None:
            with self._io_lock:
                self.journal.close()
            self.journal = None
        self._lock_file.close()

    # -- internals -------------------------------------------------------------------------------
    def _rotate(self) -> int:
        assert self.journal is not None
        with self._io_lock:
            self.journal.close()
        self.generation += 1
        self.journal = Journal(self._journal_path(self.generation))
        self.records_since_snapshot = 0
        return self.generation

    def _write_snapshot(self, payload: dict[str, Any], generation: int) -> None:
        snapshot = {"format": SNAPSHOT_FORMAT, "moto": _MOTO_VERSION, "generation": generation}
        snapshot["payload"] = payload
        final = self.root / f"{SNAPSHOT_PREFIX}{generation:08d}{SNAPSHOT_SUFFIX}"
        tmp = final.with_suffix(f".tmp{os.getpid()}")
        with tmp.open("wb") as f:
            pickle.dump(snapshot, f, protocol=pickle.HIGHEST_PROTOCOL)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, final)  # atomic: a snapshot file is complete or absent
        _fsync_dir(self.root)

    def _reap(self, pid: int, generation: int) -> None:
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) == 0:
            self._drop_before(generation)
        else:  # the journals are kept, so nothing is lost; the next compaction retries
            _LOG.error("snapshot of generation %d failed", generation)
        self._compacting = None

    def _drop_before(self, generation: int) -> None:
        """Journals and snapshots older than the snapshot of ``generation`` (which is on disk)."""
        for prefix, suffix in ((JOURNAL_PREFIX, JOURNAL_SUFFIX), (SNAPSHOT_PREFIX, SNAPSHOT_SUFFIX)):
            for g, path in self._generations(prefix, suffix):
                if g < generation:
                    path.unlink(missing_ok=True)

    def _generations(self, prefix: str, suffix: str) -> list[tuple[int, Path]]:
        found = []
        for path in self.root.glob(f"{prefix}*{suffix}"):
            try:
                found.append((int(path.name[len(prefix) : -len(suffix)]), path))
            except ValueError:
                continue
        return sorted(found)

    def _journal_path(self, generation: int) -> Path:
        return self.root / f"{JOURNAL_PREFIX}{generation:08d}{JOURNAL_SUFFIX}"

    def _sync_periodically(self) -> None:
        while not self._stopped.wait(FSYNC_INTERVAL_S):
            with self._io_lock:
                journal = self.journal
                if journal is not None and not journal.closed:
                    journal.sync()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _LockFile:
    def __init__(self, fd: int) -> None:
        self.fd = fd

    def close(self) -> None:
        os.close(self.fd)


def _exclusive_lock(path: Path, data_dir: Path) -> _LockFile:
    """Two endpoints appending to one journal would corrupt it: refuse the second one."""
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        owner = os.read(fd, 32).decode(errors="replace").strip() or "another process"
        os.close(fd)
        raise UserError(
            f"data dir {data_dir} is in use by pid {owner}; stop it or pick another --data-dir"
        ) from None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    return _LockFile(fd)
