"""Where a function's code is, locally: a directory, a ``.zip`` extracted once, or inline code.

- ``CodeUri`` a directory: used in place (hot reload watches it);
- ``CodeUri`` a local ``.zip`` (or a CloudFormation ``Code`` path to one): extracted once into the
  cache, under the zip's SHA-256 -- a changed zip is a new directory, an unchanged one is reused;
- ``InlineCode`` (SAM) or ``Code.ZipFile`` (CloudFormation): written as ``index.py`` (the file name
  Lambda gives inline code) into the cache, under the code's SHA-256.

The cache is ``$EMULATOR_CACHE_DIR``, else ``$XDG_CACHE_HOME/aws-emulator``, else
``~/.cache/aws-emulator``. Writes go to a temporary directory renamed into place, so concurrent
starts never see half a directory.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from emulator.errors import TemplateError

INLINE_FILE = "index.py"


def cache_dir() -> Path:
    explicit = os.environ.get("EMULATOR_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "aws-emulator"


def _publish(target: Path, fill: object) -> Path:
    """``target`` made by ``fill(temporary_directory)`` unless it exists already."""
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target.parent))
    try:
        fill(staging)  # type: ignore[operator]
        try:
            staging.rename(target)
        except OSError:  # another process published it first: theirs is the same content
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def inline_code_directory(code: str) -> Path:
    digest = hashlib.sha256(code.encode("utf-8")).hexdigest()

    def fill(directory: Path) -> None:
        (directory / INLINE_FILE).write_text(code, encoding="utf-8")

    return _publish(cache_dir() / "inline" / digest, fill)


def zip_directory(zip_path: Path, where: str) -> Path:
    try:
        digest = hashlib.sha256(zip_path.read_bytes()).hexdigest()
    except OSError as exc:
        raise TemplateError(f"{where}: cannot read {zip_path}: {exc}") from None

    def fill(directory: Path) -> None:
        try:
            with zipfile.ZipFile(zip_path) as archive:
                for member in archive.namelist():  # no path outside the directory (zip slip)
                    if not (directory / member).resolve().is_relative_to(directory.resolve()):
                        raise TemplateError(f"{where}: {zip_path} has an entry outside the archive: {member}")
                archive.extractall(directory)
        except zipfile.BadZipFile:
            raise TemplateError(f"{where}: {zip_path} is not a zip file") from None

    return _publish(cache_dir() / "zip" / digest, fill)
