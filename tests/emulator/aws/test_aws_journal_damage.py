"""A damaged journal, byte by byte: detected and named, never replayed, never costing the records
after it; the file itself never truncated, a copy of it kept; a torn tail dropped with a warning."""

from __future__ import annotations

import json
import logging
import os
import signal
from pathlib import Path

import pytest

from emulator.aws import EmbeddedAws
from emulator.aws.journal import encode_record, parse_journal

from .helpers import client, create_table


def _kill_9(aws: EmbeddedAws) -> None:
    os.kill(aws.pid, signal.SIGKILL)
    aws._process.wait()
    aws.stop()


def _journal(data_dir: Path) -> Path:
    [journal] = sorted((data_dir / "aws").glob("journal-*.log"))
    return journal


def _record_offsets(data: bytes) -> list[int]:
    offsets, position = [], 0
    while position < len(data):
        offsets.append(position)
        position = data.index(b"\n", position) + 1
    return offsets


def _six_users_then_kill_9(data_dir: Path) -> tuple[str, Path]:
    """A table and six items, one journal record each (the issue's six registered users)."""
    aws = EmbeddedAws(data_dir=data_dir, ttl_sweep_interval_s=0).start()
    dynamodb = client("dynamodb", aws.endpoint_url)
    table = create_table(dynamodb, "users")
    for i in range(1, 7):
        dynamodb.put_item(TableName=table, Item={"pk": {"S": f"user{i}"}, "name": {"S": f"User {i}"}})
    _kill_9(aws)
    return table, _journal(data_dir)


def _names(url: str, table: str) -> list[str]:
    items = client("dynamodb", url).scan(TableName=table)["Items"]
    return sorted(item["pk"]["S"] for item in items)


def _endpoint_warnings(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)


def test_a_damaged_middle_record_costs_only_itself_and_is_named(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="emulator.aws")
    table, journal = _six_users_then_kill_9(tmp_path)
    data = bytearray(journal.read_bytes())
    offsets = _record_offsets(bytes(data))
    assert len(offsets) == 7  # CreateTable, then one PutItem per user
    second_user = offsets[2]
    data[second_user] ^= 0x20  # its first byte no longer parses
    journal.write_bytes(bytes(data))

    with EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0) as restarted:
        assert _names(restarted.endpoint_url, table) == ["user1", "user3", "user4", "user5", "user6"]
        # Appends go to a new journal generation, never after the damage; the file is unchanged.
        dynamodb = client("dynamodb", restarted.endpoint_url)
        dynamodb.put_item(TableName=table, Item={"pk": {"S": "user7"}})
        assert journal.read_bytes() == bytes(data)
    warnings = _endpoint_warnings(caplog)
    assert f"{journal.name}: record 3 at byte {second_user}" in warnings
    assert "skipped it" in warnings
    copy = journal.with_name(journal.name + ".damaged")
    assert copy.read_bytes() == bytes(data)  # kept beside the data after the clean stop's compaction
    assert not journal.exists()  # folded into the snapshot; the copy is what remains of it

    with EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0) as again:
        assert _names(again.endpoint_url, table) == ["user1", "user3", "user4", "user5", "user6", "user7"]


def test_a_record_whose_bytes_changed_but_still_parse_is_not_replayed(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="emulator.aws")
    table, journal = _six_users_then_kill_9(tmp_path)
    data = journal.read_bytes()
    changed = data.replace(b"User 4", b"User X", 1)  # still valid JSON, the wrong value
    assert changed != data
    journal.write_bytes(changed)

    with EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0) as restarted:
        items = client("dynamodb", restarted.endpoint_url).scan(TableName=table)["Items"]
    names = {item["pk"]["S"]: item["name"]["S"] for item in items}
    assert "user4" not in names  # skipped, never replayed with the wrong value
    assert sorted(names) == ["user1", "user2", "user3", "user5", "user6"]
    assert "fails its checksum" in _endpoint_warnings(caplog)


def test_a_torn_tail_is_dropped_with_a_warning_and_the_file_is_not_cut(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="emulator.aws")
    table, journal = _six_users_then_kill_9(tmp_path)
    torn = encode_record({"request": {"method": "POST"}})[:25]  # a crash in the middle of an append
    with journal.open("ab") as f:
        f.write(torn)
    size = journal.stat().st_size

    aws = EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0).start()
    assert _names(aws.endpoint_url, table) == [f"user{i}" for i in range(1, 7)]
    client("dynamodb", aws.endpoint_url).put_item(TableName=table, Item={"pk": {"S": "user7"}})
    assert journal.stat().st_size == size  # not truncated, and not appended to after the tear
    _kill_9(aws)
    assert f"{journal.name} ends with a torn record ({len(torn)} bytes" in _endpoint_warnings(caplog)

    with EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0) as restarted:
        assert _names(restarted.endpoint_url, table) == [f"user{i}" for i in range(1, 8)]


def test_journals_written_before_records_had_checksums_are_still_read(tmp_path):
    table, journal = _six_users_then_kill_9(tmp_path)
    reading = parse_journal(journal.read_bytes())
    legacy = b"".join(json.dumps(r, separators=(",", ":")).encode() + b"\n" for r in reading.records)
    journal.write_bytes(legacy)

    with EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0) as restarted:
        assert _names(restarted.endpoint_url, table) == [f"user{i}" for i in range(1, 7)]


# -- the reader on its own (pure logic) ---------------------------------------------------------
RECORDS = [encode_record({"n": n, "text": "x" * n}) for n in range(6)]
DATA = b"".join(RECORDS)
THIRD = len(RECORDS[0]) + len(RECORDS[1])


def _kept(data: bytes) -> list[int]:
    return [record["n"] for record in parse_journal(data).records]


def test_reader_a_payload_byte_turned_into_a_newline_costs_one_record():
    damaged = bytearray(DATA)
    damaged[THIRD + 15] = ord("\n")
    reading = parse_journal(bytes(damaged))
    assert _kept(bytes(damaged)) == [0, 1, 3, 4, 5]
    assert [(p.kind, p.record_number, p.offset) for p in reading.problems] == [("damaged", 3, THIRD)]


def test_reader_a_lost_separator_costs_no_record():
    damaged = bytearray(DATA)
    damaged[THIRD + len(RECORDS[2]) - 1] = ord("x")  # the third record's newline
    reading = parse_journal(bytes(damaged))
    assert _kept(bytes(damaged)) == [0, 1, 2, 3, 4, 5]
    assert [p.kind for p in reading.problems] == ["damaged"]


def test_reader_a_damaged_length_field_costs_one_record():
    damaged = bytearray(DATA)
    damaged[THIRD + 9] = ord("9")
    assert _kept(bytes(damaged)) == [0, 1, 3, 4, 5]


def test_reader_a_damaged_last_record_is_damaged_not_torn():
    damaged = bytearray(DATA)
    damaged[-3] ^= 0x01
    reading = parse_journal(bytes(damaged))
    assert _kept(bytes(damaged)) == [0, 1, 2, 3, 4]
    assert [p.kind for p in reading.problems] == ["damaged"]
