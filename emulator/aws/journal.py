"""The journal's records on disk: each one checksummed and framed, so damage is found, not replayed.

A record is one line: ``CRC LENGTH JSON\\n`` -- the CRC-32 of the JSON bytes in 8 hex digits, their
length in decimal, then the JSON itself (``json.dumps`` escapes every newline inside a string, so
the only newline of a record is its last byte). Journals written before records were framed hold
bare JSON lines; they are still read (a line starting with ``{``), without a checksum to verify.

Reading never stops at a bad record: the newline after it is where the next one starts, so one
damaged record costs that record only. Three outcomes per record:

- intact: the CRC and the length match, the JSON parses;
- damaged: a complete line that does not verify (a changed byte, a lost or an added newline);
- torn: the file's last bytes with no newline after them, which is what a crash in the middle of
  an append leaves (the request it held was never acknowledged).

A damaged record whose length field survived and whose JSON still verifies only lost its newline
(or gained bytes after it): the record is kept and only the bytes after it are reported.
"""

from __future__ import annotations

import json
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_HEADER_MAX = 24  # "xxxxxxxx 1234567890 " and a little slack
_HEX_DIGITS = b"0123456789abcdef"


def encode_record(record: dict[str, Any]) -> bytes:
    """One record as it is appended: ``CRC LENGTH JSON\\n``."""
    payload = json.dumps(record, separators=(",", ":")).encode("utf-8")
    return b"%08x %d " % (zlib.crc32(payload), len(payload)) + payload + b"\n"


@dataclass(frozen=True)
class JournalProblem:
    """A stretch of a journal file that holds no record that could be replayed."""

    kind: str  # "damaged" or "torn"
    record_number: int  # 1-based position among the file's records, intact ones included
    offset: int  # byte offset in the file
    size: int  # bytes skipped
    reason: str

    def describe(self, path: Path) -> str:
        if self.kind == "torn":
            return (
                f"{path.name} ends with a torn record ({self.size} bytes at byte {self.offset}, "
                "cut short by a crash while it was written; its request was never acknowledged)"
            )
        where = f"record {self.record_number} at byte {self.offset} ({self.size} bytes)"
        return f"{path.name}: {where} {self.reason}"


@dataclass
class JournalReading:
    """What one journal file holds: the records that verify, in order, and what was skipped."""

    records: list[dict[str, Any]] = field(default_factory=list)
    problems: list[JournalProblem] = field(default_factory=list)

    @property
    def damaged(self) -> list[JournalProblem]:
        return [p for p in self.problems if p.kind == "damaged"]

    @property
    def torn(self) -> JournalProblem | None:
        return next((p for p in self.problems if p.kind == "torn"), None)


def read_journal(path: Path) -> JournalReading:
    """Every record of ``path`` that verifies; the file itself is never changed."""
    with path.open("rb") as f:
        data = f.read()
    return parse_journal(data)


def parse_journal(data: bytes) -> JournalReading:
    reading = JournalReading()
    position = 0
    number = 0
    while position < len(data):
        number += 1
        found = _record_at(data, position)
        if found.record is not None:
            reading.records.append(found.record)
            if found.separator_damaged:
                reading.problems.append(
                    JournalProblem(
                        "damaged",
                        number,
                        found.next - 1,
                        1,
                        "is followed by a damaged separator byte (the record itself verified and was kept)",
                    )
                )
        else:
            reading.problems.append(
                JournalProblem(found.kind, number, position, found.next - position, found.reason)
            )
        position = found.next
    return reading


@dataclass(frozen=True)
class _Found:
    record: dict[str, Any] | None
    next: int  # where the next record starts
    kind: str = ""  # why there is no record: "damaged" or "torn"
    reason: str = ""
    separator_damaged: bool = False


def _record_at(data: bytes, start: int) -> _Found:
    newline = data.find(b"\n", start)
    if newline < 0:  # no newline after it: the last append never finished, unless it verifies whole
        line_end, bad = len(data), "torn"
    else:
        line_end, bad = newline + 1, "damaged"
    if data[start : start + 1] == b"{":  # a record written before records were framed
        if bad == "torn":
            return _Found(None, line_end, bad, "is torn")
        record = _json_object(data[start:newline])
        if record is None:
            return _Found(None, line_end, bad, "is not a valid JSON object")
        return _Found(record, line_end)
    header = _header(data, start)
    if header is None:
        return _Found(None, line_end, bad, "has no valid header (checksum and length)")
    crc, payload_start, payload_end = header
    payload = data[payload_start:payload_end]
    if payload_end <= len(data) and zlib.crc32(payload) == crc:
        record = _json_object(payload)
        if record is not None:
            separator = data[payload_end : payload_end + 1]
            # A verified payload not followed by its newline: that byte was damaged (the line
            # then runs into the next record, which starts right after it). The record is kept.
            return _Found(record, payload_end + 1, separator_damaged=separator not in (b"\n", b""))
    if data[payload_end : payload_end + 1] == b"\n" and (newline < 0 or newline <= payload_end):
        # The length is trusted where the record's own newline is found at its end: a byte of the
        # payload changed (into a newline, maybe). One record lost, not two.
        return _Found(None, payload_end + 1, "damaged", "fails its checksum (its bytes changed)")
    if bad == "torn":
        return _Found(None, line_end, bad, "is torn")
    return _Found(None, line_end, bad, "fails its checksum (its bytes changed)")


def _header(data: bytes, start: int) -> tuple[int, int, int] | None:
    """(crc, payload start, payload end) from ``CRC LENGTH `` at ``start``, or None."""
    if data[start + 8 : start + 9] != b" ":
        return None
    header_end = data.find(b" ", start + 9, start + _HEADER_MAX)
    length_text = data[start + 9 : header_end]
    if header_end < 0 or not length_text.isdigit():
        return None
    crc_text = data[start : start + 8]
    if crc_text.strip(_HEX_DIGITS):  # exactly as written: lower-case hex (int() would take "A" too)
        return None
    return int(crc_text, 16), header_end + 1, header_end + 1 + int(length_text)


def _json_object(text: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:  # also a checksum collision or a writer bug: either way not replayable
        return None
    return value if isinstance(value, dict) else None


class Journal:
    """One journal generation, opened for appending."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self.dirty = False
        self.closed = False

    def append(self, record: dict[str, Any]) -> None:
        line = encode_record(record)
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
