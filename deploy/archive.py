"""A reproducible zip: the same files give the same bytes, whatever their mtimes, modes or order.

What varies between two builds of the same inputs, and is pinned here: entry order (sorted by
path), timestamps (one fixed date, as ``SOURCE_DATE_EPOCH`` builds do), permissions (0644 files,
0755 for files that were executable), the host OS field and the compression level. Directories
get no entries of their own: Lambda extracts files with their parents created as needed.
"""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# The earliest date a zip can store (DOS time); any fixed value would do.
FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
COMPRESS_LEVEL = 9
_UNIX = 3  # "version made by" host: Unix, so that external_attr carries the mode bits


@dataclass(frozen=True)
class Archive:
    path: Path
    sha256: str
    size_bytes: int  # compressed, what Lambda's 50 MB direct-upload limit counts
    unzipped_bytes: int  # what Lambda's 250 MB limit counts
    entries: int


def iter_files(root: Path) -> Iterator[Path]:
    """Regular files under ``root``, sorted by their path relative to it (symlinks followed)."""
    found: list[Path] = []
    for dirpath, _dirnames, filenames in os.walk(root, followlinks=True):
        for name in filenames:
            found.append(Path(dirpath, name))
    yield from sorted(found, key=lambda p: p.relative_to(root).as_posix())


def write_zip(files: dict[str, Path], out: Path) -> Archive:
    """Zip ``{archive name: source file}`` into ``out`` deterministically."""
    out.parent.mkdir(parents=True, exist_ok=True)
    unzipped = 0
    tmp = out.with_suffix(out.suffix + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as zf:
        for name in sorted(files):
            source = files[name]
            executable = bool(source.stat().st_mode & stat.S_IXUSR)
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
            info.create_system = _UNIX
            info.external_attr = (stat.S_IFREG | (0o755 if executable else 0o644)) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            data = source.read_bytes()
            unzipped += len(data)
            zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL)
    tmp.replace(out)
    return Archive(
        path=out,
        sha256=sha256_of(out),
        size_bytes=out.stat().st_size,
        unzipped_bytes=unzipped,
        entries=len(files),
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
