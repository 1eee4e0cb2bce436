"""--data-dir keeps every acknowledged write across kill -9; reads never write; restarts are clean."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from emulator.aws import EmbeddedAws
from emulator.aws.layout import state_file

from .helpers import assert_everything_is_there, client, create_table, write_a_bit_of_everything


def _kill_9(aws: EmbeddedAws) -> None:
    os.kill(aws.pid, signal.SIGKILL)
    aws._process.wait()  # the child is gone: nothing more can reach the disk
    aws.stop()


def _journal_bytes(data_dir: Path) -> int:
    return sum(p.stat().st_size for p in (data_dir / "aws").glob("journal-*.log"))


def test_acknowledged_writes_survive_kill_9(tmp_path):
    aws = EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0).start()
    written = write_a_bit_of_everything(aws.endpoint_url, ssm=False)
    _kill_9(aws)

    with EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0) as restarted:
        assert_everything_is_there(restarted.endpoint_url, written)
        # The ClientRequestToken is remembered across the crash: a retry is not re-applied.
        dynamodb = client("dynamodb", restarted.endpoint_url)
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": written["table"], "Item": {"pk": {"S": "u9"}, "sk": {"S": "profile"}}}},
                {
                    "Delete": {
                        "TableName": written["table"],
                        "Key": {"pk": {"S": "u3"}, "sk": {"S": "profile"}},
                    }
                },
            ],
            ClientRequestToken="token-before-the-crash",
        )


def test_kill_9_after_background_compactions_loses_nothing(tmp_path):
    aws = EmbeddedAws(
        data_dir=tmp_path, ttl_sweep_interval_s=0, compact_every=7
    ).start()  # a snapshot every 7 writes
    dynamodb = client("dynamodb", aws.endpoint_url)
    table = create_table(dynamodb)
    for i in range(40):
        dynamodb.put_item(TableName=table, Item={"pk": {"S": f"k{i:02d}"}})
    _kill_9(aws)
    assert list((tmp_path / "aws").glob("snapshot-*.json"))

    with EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0) as restarted:
        items = client("dynamodb", restarted.endpoint_url).scan(TableName=table)["Items"]
        assert sorted(i["pk"]["S"] for i in items) == [f"k{i:02d}" for i in range(40)]


def test_clean_stop_leaves_a_snapshot_and_no_journal_to_replay(tmp_path):
    with EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0) as aws:
        written = write_a_bit_of_everything(aws.endpoint_url, ssm=True)
    assert _journal_bytes(tmp_path) == 0
    assert not (tmp_path / "aws" / "endpoint.json").exists()

    with EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0) as restarted:
        assert_everything_is_there(restarted.endpoint_url, written)


def test_reads_do_not_grow_the_journal(tmp_path):
    with EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0) as aws:
        dynamodb = client("dynamodb", aws.endpoint_url)
        table = create_table(dynamodb)
        dynamodb.put_item(TableName=table, Item={"pk": {"S": "a"}})
        before = _journal_bytes(tmp_path)
        assert before > 0
        for _ in range(10):
            dynamodb.get_item(TableName=table, Key={"pk": {"S": "a"}})
            dynamodb.scan(TableName=table)
            dynamodb.query(
                TableName=table,
                KeyConditionExpression="pk = :a",
                ExpressionAttributeValues={":a": {"S": "a"}},
            )
            dynamodb.describe_table(TableName=table)
            dynamodb.list_tables()
        # A failed conditional write changes nothing, so it is not journaled either.
        with pytest.raises(dynamodb.exceptions.ConditionalCheckFailedException):
            dynamodb.put_item(
                TableName=table, Item={"pk": {"S": "a"}}, ConditionExpression="attribute_not_exists(pk)"
            )
        assert _journal_bytes(tmp_path) == before


def test_a_second_endpoint_on_the_same_data_dir_is_refused(tmp_path):
    from emulator.errors import UserError

    with EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0), pytest.raises(UserError, match="in use"):
        EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0).start()


def test_the_endpoint_exits_when_its_parent_is_killed(tmp_path):
    import subprocess
    import sys

    import psutil

    parent_script = (
        "import sys, threading\n"
        "from pathlib import Path\n"
        "from emulator.aws import EmbeddedAws\n"
        "aws = EmbeddedAws(data_dir=Path(sys.argv[1]), ttl_sweep_interval_s=0).start()\n"
        "print(aws.pid, aws.endpoint_url, flush=True)\n"
        "threading.Event().wait()\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", parent_script, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    pid, url = parent.stdout.readline().split()
    endpoint = psutil.Process(int(pid))
    dynamodb = client("dynamodb", url)
    table = create_table(dynamodb)
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "kept"}})

    parent.kill()  # SIGKILL: no chance to stop its child
    parent.wait()

    endpoint.wait(timeout=30)  # it saw its stdin close and shut down cleanly
    assert not state_file(tmp_path).exists()  # removed by a clean stop, not left by a kill
    with EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0) as again:  # the data dir is free again
        items = client("dynamodb", again.endpoint_url).scan(TableName=table)["Items"]
    assert items == [{"pk": {"S": "kept"}}]
