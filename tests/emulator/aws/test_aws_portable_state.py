"""Snapshots in a portable form (JSON, no moto classes), old pickled ones migrated by themselves,
and ``python -m emulator export FILE`` / ``import FILE`` in that same form."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from emulator.aws import EmbeddedAws
from emulator.aws.layout import state_file
from emulator.errors import UserError

from .helpers import assert_everything_is_there, client, create_table, write_a_bit_of_everything

ROOT = Path(__file__).resolve().parents[3]


def _cli(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(
        [sys.executable, "-m", "emulator", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    if check:
        assert completed.returncode == 0, completed.stderr
    return completed


def _snapshot_document(data_dir: Path) -> dict[str, Any]:
    [snapshot] = sorted((data_dir / "aws").glob("snapshot-*.json"))
    header, body = snapshot.read_bytes().split(b"\n", 1)
    assert json.loads(header)["length"] == len(body)
    return json.loads(body)


def test_a_snapshot_is_plain_json_without_moto_objects(tmp_path):
    with EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0) as aws:
        write_a_bit_of_everything(aws.endpoint_url, ssm=True)
    document = _snapshot_document(tmp_path)
    assert document["format"] == "emulator-aws-state"
    [table] = document["dynamodb"]["tables"]
    assert table["definition"]["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert {"pk": {"S": "u1"}, "sk": {"S": "profile"}, "n": {"N": "11"}} in table["items"]
    [secret] = document["secretsmanager"]["secrets"]
    assert [(v["secretString"], v["stages"]) for v in secret["versions"]] == [("s3cr3t", ["AWSCURRENT"])]
    assert [p["versions"][-1]["value"] for p in document["ssm"]["parameters"]] == ["on"]
    assert [e["subject"] for e in document["sentEmails"]] == ["Reset your password"]
    assert [t["token"] for t in document["idempotencyTokens"]] == ["token-before-the-crash"]
    assert not list((tmp_path / "aws").glob("*.pickle"))


def test_a_pickled_snapshot_of_an_older_emulator_is_migrated_by_itself(tmp_path, caplog):
    """A data dir written before snapshots were portable: loaded once, rewritten as JSON."""
    caplog.set_level(logging.INFO, logger="emulator.aws")
    subprocess.run(
        [sys.executable, "-c", _WRITE_PICKLED_SNAPSHOT, str(tmp_path)], cwd=ROOT, check=True, timeout=120
    )
    assert [p.name for p in (tmp_path / "aws").iterdir()] == ["snapshot-00000003.pickle"]

    with EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0) as aws:
        items = client("dynamodb", aws.endpoint_url).scan(TableName="legacy")["Items"]
        assert items == [{"pk": {"S": "from-the-pickle"}}]
        assert "migrated the data dir's snapshot" in caplog.text
        names = sorted(p.name for p in (tmp_path / "aws").iterdir() if p.name.startswith("snapshot-"))
        assert names == ["snapshot-00000004.json"]  # the pickle is gone once the JSON one is on disk


# An endpoint of the pickled era, in its own interpreter: its state, pickled as those snapshots were.
_WRITE_PICKLED_SNAPSHOT = """
import json, sys
from pathlib import Path
from emulator.aws import legacy_snapshot
from emulator.aws.endpoint import EmbeddedEndpointApp
from emulator.aws.requests import AwsRequest

app = EmbeddedEndpointApp()
def call(target, body):
    headers = {
        "Authorization": "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/dynamodb/aws4_request",
        "X-Amz-Target": "DynamoDB_20120810." + target,
        "Content-Type": "application/x-amz-json-1.0",
    }
    body = json.dumps(body).encode()
    assert app.execute(AwsRequest.build(method="POST", path="/", query="", headers=headers, body=body)).ok
key = [{"AttributeName": "pk", "KeyType": "HASH"}]
attributes = [{"AttributeName": "pk", "AttributeType": "S"}]
call("CreateTable", {"TableName": "legacy", "KeySchema": key, "AttributeDefinitions": attributes,
     "BillingMode": "PAY_PER_REQUEST"})
call("PutItem", {"TableName": "legacy", "Item": {"pk": {"S": "from-the-pickle"}}})
root = Path(sys.argv[1]) / "aws"
root.mkdir(parents=True)
payload = {"backends": legacy_snapshot.capture(), "tokens": [], "outbox": []}
legacy_snapshot.write(root / "snapshot-00000003.pickle", 3, payload)
"""


def test_a_pickle_from_another_moto_version_is_refused_with_the_way_out(tmp_path):
    from emulator.aws import legacy_snapshot

    root = tmp_path / "aws"
    root.mkdir()
    path = root / "snapshot-00000001.pickle"
    legacy_snapshot.write(path, 1, {"backends": {}, "tokens": [], "outbox": []})
    snapshot = legacy_snapshot.pickle.loads(path.read_bytes())
    snapshot["moto"] = "4.0.0"
    path.write_bytes(legacy_snapshot.pickle.dumps(snapshot))
    with pytest.raises(UserError, match=r"moto 4\.0\.0.*uv pip install moto==4\.0\.0.*reset"):
        EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0).start()


def test_a_damaged_snapshot_is_refused_with_its_name(tmp_path):
    with EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0) as aws:
        create_table(client("dynamodb", aws.endpoint_url), "kept")
    [snapshot] = (tmp_path / "aws").glob("snapshot-*.json")
    data = bytearray(snapshot.read_bytes())
    data[-5] ^= 0x01
    snapshot.write_bytes(bytes(data))
    with pytest.raises(UserError, match=rf"{snapshot.name} is damaged: its SHA-256 does not match"):
        EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0).start()
    assert snapshot.read_bytes() == bytes(data)  # left as it is


def test_export_from_a_running_endpoint_then_import_into_a_new_data_dir(tmp_path):
    source, target, exported = tmp_path / "source", tmp_path / "target", tmp_path / "seed.json"
    with EmbeddedAws(data_dir=source, ttl_sweep_interval_s=0) as aws:
        written = write_a_bit_of_everything(aws.endpoint_url, ssm=True)
        assert (
            "Exported 1 table, 4 items, 1 secret, 1 parameter, 1 email"
            in _cli("export", str(exported), "--data-dir", str(source)).stdout
        )
    document = json.loads(exported.read_text())
    assert document["format"] == "emulator-aws-state"

    assert "Imported 1 table, 4 items" in _cli("import", str(exported), "--data-dir", str(target)).stdout
    with EmbeddedAws(data_dir=target, ttl_sweep_interval_s=0) as imported:
        assert_everything_is_there(imported.endpoint_url, written)


def test_export_with_no_endpoint_running_reads_the_data_dir(tmp_path):
    aws = EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0).start()
    table = create_table(client("dynamodb", aws.endpoint_url))
    client("dynamodb", aws.endpoint_url).put_item(TableName=table, Item={"pk": {"S": "journaled"}})
    os.kill(aws.pid, 9)  # no clean stop: the item is only in the journal
    aws._process.wait()
    aws.stop()
    state_file(tmp_path).unlink()

    _cli("export", str(tmp_path / "out.json"), "--data-dir", str(tmp_path))
    [exported] = json.loads((tmp_path / "out.json").read_text())["dynamodb"]["tables"]
    assert exported["items"] == [{"pk": {"S": "journaled"}}]


def test_import_refuses_a_data_dir_in_use_or_holding_data(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"format": "emulator-aws-state", "version": 1}))
    data_dir = tmp_path / "data"
    with EmbeddedAws(data_dir=data_dir, ttl_sweep_interval_s=0) as aws:
        create_table(client("dynamodb", aws.endpoint_url), "kept")
        refused = _cli("import", str(seed), "--data-dir", str(data_dir), check=False)
        assert refused.returncode == 2
        assert "is in use by pid" in refused.stderr
    refused = _cli("import", str(seed), "--data-dir", str(data_dir), check=False)
    assert refused.returncode == 2
    assert "already holds data; pass --replace" in refused.stderr
    _cli("import", str(seed), "--data-dir", str(data_dir), "--replace")
    with EmbeddedAws(data_dir=data_dir, ttl_sweep_interval_s=0) as aws:
        assert client("dynamodb", aws.endpoint_url).list_tables()["TableNames"] == []


def test_import_of_a_bad_file_says_what_is_wrong_and_writes_nothing(tmp_path):
    bad = {
        "format": "emulator-aws-state",
        "version": 1,
        "dynamodb": {
            "tables": [
                {
                    "account": "123456789012",
                    "region": "us-east-1",
                    "definition": {
                        "TableName": "users",
                        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                        "BillingMode": "PAY_PER_REQUEST",
                    },
                    "items": [{"pk": {"S": "ok"}}, {"name": {"S": "no key"}}],
                }
            ]
        },
    }
    seed = tmp_path / "bad.json"
    seed.write_text(json.dumps(bad))
    refused = _cli("import", str(seed), "--data-dir", str(tmp_path / "data"), check=False)
    assert refused.returncode == 2
    assert "cannot be imported: table users, items 1-2" in refused.stderr
    assert not list((tmp_path / "data" / "aws").glob("snapshot-*"))
    not_state = _cli("import", str(ROOT / "template.yaml"), "--data-dir", str(tmp_path / "d2"), check=False)
    assert not_state.returncode == 2
    assert "is not JSON" in not_state.stderr
