"""Durable state of the embedded endpoint: a snapshot plus an append-only journal.

Layout under ``DATA_DIR/aws/``: ``snapshot-<G>.json`` (state as of the start of journal
generation G, see :mod:`.snapshots`) and ``journal-<G>.log``, ``journal-<G+1>.log``... (one
checksummed record per acknowledged mutating request, see :mod:`.journal`). Start = load the
newest snapshot, replay journals ``>= G`` in order. Older files are deleted only once a newer
snapshot is on disk. Reads never touch disk.

What "acknowledged" guarantees: a record is handed to the OS with one ``write()`` on an
``O_APPEND`` descriptor *before* the response leaves, so every acknowledged write survives the
process dying in any way (``kill -9``, crash, OOM). The journal is ``fsync``'d every
:data:`FSYNC_INTERVAL_S` and snapshots are fsync'd before they replace the old one, so an OS crash
or power loss can lose at most the last second of writes (the trade-off Redis calls
``appendfsync everysec``): a per-request fsync would cost more than the whole 15 % throughput
budget on ordinary disks, and this is a development emulator.

Damage: a journal record that fails its checksum is skipped and named in a warning (file, record
number, byte offset); the records after it are replayed. The file itself is never truncated or
rewritten: a copy is kept beside it (``journal-<G>.log.damaged``) before a later compaction folds
the journal into a snapshot, and appends go to a new journal generation, never after damage or a
torn tail. A damaged snapshot is refused with its name (see :mod:`.snapshots`).

Compaction: every ``compact_every`` item writes the endpoint switches to a new journal
generation while holding its request lock and forks; the child (a copy-on-write image of that
instant) writes the state into the next snapshot while the parent keeps serving. Replay after
``kill -9`` is therefore bounded by ``compact_every`` item writes whatever the data size.
Snapshots are named by generation, so a child orphaned by a ``kill -9`` of its parent can only
add an older snapshot next to the newer ones a restarted endpoint writes, never replace them.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from emulator import log
from emulator.aws import snapshots
from emulator.aws.journal import Journal, read_journal
from emulator.aws.layout import (
    DAMAGED_SUFFIX,
    JOURNAL_PREFIX,
    JOURNAL_SUFFIX,
    LEGACY_SNAPSHOT_SUFFIX,
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


class Persistence:
    """Owns ``DATA_DIR/aws``: loads it at start, journals writes, compacts in the background."""

    def __init__(self, data_dir: Path, *, compact_every: int = COMPACT_EVERY) -> None:
        self.compact_every = compact_every
        self.root = aws_dir(data_dir)
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock_file = exclusive_lock(self.root / LOCK_FILE, data_dir)
        self.generation = 0
        self.records_since_snapshot = 0
        self.journal: Journal | None = None
        self.needs_migration = False  # the snapshot loaded is a pickled one: write a portable one
        self._newest_journal_damaged = False  # appends then go to a new generation
        self._compacting: threading.Thread | None = None
        self._io_lock = threading.Lock()  # fsync by the syncer vs close by a rotation
        self._stopped = threading.Event()
        self._syncer = threading.Thread(target=self._sync_periodically, name="journal-fsync", daemon=True)

    # -- start -----------------------------------------------------------------------------------
    def load(self) -> tuple[snapshots.Snapshot | None, Iterator[dict[str, Any]]]:
        """The newest snapshot (or None) and the journal records written after it, in order."""
        snapshot = self._newest_snapshot()
        if snapshot is not None:
            self.generation = snapshot.generation
        self._drop_before(self.generation)  # folded into the snapshot by a compaction that finished
        for stale in self.root.glob(f"{SNAPSHOT_PREFIX}*.tmp*"):
            stale.unlink(missing_ok=True)  # a snapshot whose writer died before renaming it
        journals = self._generations(JOURNAL_PREFIX, JOURNAL_SUFFIX)
        later = [(g, p) for g, p in journals if g >= self.generation]
        if later:
            self.generation = later[-1][0]

        def records() -> Iterator[dict[str, Any]]:
            for number, (_, path) in enumerate(later, 1):
                reading = read_journal(path)
                if reading.problems:
                    self._report(path, reading, newest=number == len(later))
                for record in reading.records:
                    self.records_since_snapshot += record.get("weight", 1)
                    yield record

        return snapshot, records()

    def _newest_snapshot(self) -> snapshots.Snapshot | None:
        found = self._generations(SNAPSHOT_PREFIX, SNAPSHOT_SUFFIX)
        legacy = self._generations(SNAPSHOT_PREFIX, LEGACY_SNAPSHOT_SUFFIX)
        if legacy and (not found or legacy[-1][0] > found[-1][0]):
            from emulator.aws import legacy_snapshot

            generation, payload = legacy_snapshot.read(legacy[-1][1])
            self.needs_migration = True
            return snapshots.Snapshot(generation, legacy_payload=payload)
        if not found:
            return None
        return snapshots.read(found[-1][1])

    def _report(self, path: Path, reading: Any, *, newest: bool) -> None:
        """Say what a journal held that could not be replayed; keep a copy of a damaged one."""
        torn = reading.torn
        if torn is not None:
            _LOG.warning("warning: %s; dropped it (the file is left as it is)", torn.describe(path))
        damaged = reading.damaged
        if damaged:
            copy = path.with_name(path.name + DAMAGED_SUFFIX)
            if not copy.exists() or copy.stat().st_size != path.stat().st_size:
                shutil.copyfile(path, copy)
            for problem in damaged:
                _LOG.warning("warning: %s; skipped it", problem.describe(path))
            _LOG.warning(
                "warning: %s is damaged: %d intact records of it are replayed, %d damaged stretches "
                "skipped. A copy of the file as found is kept as %s",
                path.name,
                len(reading.records),
                len(damaged),
                copy.name,
            )
        if newest:  # never append after damage or a torn tail: start the next generation
            self._newest_journal_damaged = True

    def open(self) -> None:
        """Start appending (after the replay of :meth:`load`'s records)."""
        if self._newest_journal_damaged:
            self.generation += 1
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
        """Synchronous compaction (at exit, or to migrate a pickled snapshot). Caller holds the lock."""
        if self._compacting is not None:
            self._compacting.join()
        if (
            self.records_since_snapshot == 0
            and not self.needs_migration
            and self._generations(SNAPSHOT_PREFIX, SNAPSHOT_SUFFIX)
        ):
            return
        new_generation = self._rotate()
        self._write_snapshot(capture(), new_generation)
        self._drop_before(new_generation)
        self.needs_migration = False

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

    def _write_snapshot(self, document: dict[str, Any], generation: int) -> None:
        path = self.root / f"{SNAPSHOT_PREFIX}{generation:08d}{SNAPSHOT_SUFFIX}"
        snapshots.write(path, generation, snapshots.encode_document(document))

    def _reap(self, pid: int, generation: int) -> None:
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) == 0:
            self._drop_before(generation)
        else:  # the journals are kept, so nothing is lost; the next compaction retries
            _LOG.error("snapshot of generation %d failed", generation)
        self._compacting = None

    def _drop_before(self, generation: int) -> None:
        """Journals and snapshots older than the snapshot of ``generation`` (which is on disk)."""
        for prefix, suffix in (
            (JOURNAL_PREFIX, JOURNAL_SUFFIX),
            (SNAPSHOT_PREFIX, SNAPSHOT_SUFFIX),
            (SNAPSHOT_PREFIX, LEGACY_SNAPSHOT_SUFFIX),
        ):
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


class DataDirInUse(UserError):
    """Another process holds the data dir's lock."""

    def __init__(self, data_dir: Path, owner: str) -> None:
        super().__init__(f"data dir {data_dir} is in use by pid {owner}; stop it or pick another --data-dir")
        self.owner = owner


class LockFile:
    def __init__(self, fd: int) -> None:
        self.fd = fd

    def close(self) -> None:
        os.close(self.fd)


def exclusive_lock(path: Path, data_dir: Path) -> LockFile:
    """Two processes writing one data dir would corrupt it: the endpoint holds this lock while it
    runs (a paused one too: the kernel keeps it until the process is gone), ``reset`` and
    ``import`` take it for their work. The second one is refused."""
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        owner = os.read(fd, 32).decode(errors="replace").strip() or "another process"
        os.close(fd)
        raise DataDirInUse(data_dir, owner) from None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    return LockFile(fd)
