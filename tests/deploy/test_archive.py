"""The zip is a function of the files' names and bytes only (and their executable bit)."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

from deploy.archive import FIXED_DATE_TIME, iter_files, write_zip


def _tree(root: Path, order: list[str], mtime: int, mode: int) -> dict[str, Path]:
    contents = {"b/mod.py": b"print('b')\n", "a.txt": b"alpha\n", "b/c/data.bin": bytes(range(256))}
    for name in order:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(contents[name])
        path.chmod(mode)
        os.utime(path, (mtime, mtime))
    return {p.relative_to(root).as_posix(): p for p in iter_files(root)}


def test_same_files_give_the_same_bytes_whatever_their_mtime_mode_and_creation_order(tmp_path: Path) -> None:
    first = _tree(tmp_path / "one", ["a.txt", "b/mod.py", "b/c/data.bin"], mtime=1_000_000_000, mode=0o644)
    second = _tree(tmp_path / "two", ["b/c/data.bin", "b/mod.py", "a.txt"], mtime=1_700_000_000, mode=0o600)
    one = write_zip(first, tmp_path / "one.zip")
    two = write_zip(second, tmp_path / "two.zip")
    assert one.sha256 == two.sha256
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()
    assert one.entries == 3
    assert one.unzipped_bytes == len(b"alpha\n") + len(b"print('b')\n") + 256


def test_entries_are_sorted_with_fixed_dates_and_modes(tmp_path: Path) -> None:
    files = _tree(tmp_path / "src", ["b/mod.py", "a.txt", "b/c/data.bin"], mtime=1_600_000_000, mode=0o600)
    (tmp_path / "src" / "a.txt").chmod(0o700)  # an executable keeps its x bit (0755)
    write_zip(files, tmp_path / "out.zip")
    with zipfile.ZipFile(tmp_path / "out.zip") as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == ["a.txt", "b/c/data.bin", "b/mod.py"]
        assert {i.date_time for i in infos} == {FIXED_DATE_TIME}
        modes = {i.filename: stat.S_IMODE(i.external_attr >> 16) for i in infos}
        assert modes == {"a.txt": 0o755, "b/c/data.bin": 0o644, "b/mod.py": 0o644}
        assert zf.read("b/c/data.bin") == bytes(range(256))


def test_a_changed_byte_changes_the_hash(tmp_path: Path) -> None:
    files = _tree(tmp_path / "src", ["a.txt", "b/mod.py", "b/c/data.bin"], mtime=0, mode=0o644)
    before = write_zip(files, tmp_path / "before.zip").sha256
    (tmp_path / "src" / "b" / "mod.py").write_bytes(b"print('c')\n")
    assert write_zip(files, tmp_path / "after.zip").sha256 != before
