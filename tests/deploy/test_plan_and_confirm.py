"""``make plan``, the stateful-resource check and the question before executing, against moto's
CloudFormation (the stand-in of test_deployer.py).

moto's change sets carry Action, LogicalResourceId and ResourceType only (no Replacement, Scope or
Details: moto/cloudformation/models.py, ``ChangeSet.diff``), so a table's replacement is judged
here from the deployed and the new template (deploy/changeset.py); CloudFormation's own Details
are read in test_changeset.py on change sets shaped as AWS returns them.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest

from deploy.confirm import NO_TERMINAL
from deploy.deployer import deploy, plan
from deploy.errors import DeployError
from tests.deploy.mini import BUCKET, MINI, mini_request

REPO_ROOT = Path(__file__).resolve().parents[2]


def _variant(tmp_path: Path, name: str, *edits: tuple[str, str]) -> Path:
    """The mini template with edits (old, new), in a folder of its own next to its code/."""
    text = (MINI / "template.yaml").read_text()
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / name / "template.yaml"
    path.parent.mkdir()
    (path.parent / "code").symlink_to(MINI / "code")
    path.write_text(text)
    return path


def _key_changed(tmp_path: Path) -> Path:
    """ItemsTable keyed on pk instead of id: a DynamoDB table's KeySchema cannot change in place."""
    return _variant(
        tmp_path,
        "key-changed",
        ("{ AttributeName: id, KeyType: HASH }", "{ AttributeName: pk, KeyType: HASH }"),
        ("{ AttributeName: id, AttributeType: S }", "{ AttributeName: pk, AttributeType: S }"),
    )


def _without_table(tmp_path: Path) -> Path:
    """ItemsTable and everything that refers to it removed."""
    text = (MINI / "template.yaml").read_text()
    return _variant(
        tmp_path,
        "without-table",
        (text[text.index("  ItemsTable:") : text.index("Outputs:")], ""),
        ("          TABLE: !Ref ItemsTable\n", ""),
        ("      Policies:\n        - DynamoDBReadPolicy: { TableName: !Ref ItemsTable }\n", ""),
        ("  ItemsTableName:\n    Value: !Ref ItemsTable\n", ""),
    )


def _live_stacks() -> list[str]:
    summaries = boto3.client("cloudformation").list_stacks()["StackSummaries"]
    return [s["StackName"] for s in summaries if s["StackStatus"] != "DELETE_COMPLETE"]


def _function() -> dict:
    (function,) = boto3.client("lambda").list_functions()["Functions"]
    return function


def _pending_change_sets(stack: str) -> list[str]:
    listed = boto3.client("cloudformation").list_change_sets(StackName=stack)["Summaries"]
    return [c["ChangeSetName"] for c in listed if c["ExecutionStatus"] == "AVAILABLE"]


def test_plan_prints_the_change_set_and_executes_nothing(
    moto_endpoint: str, mini_zip: Path, tmp_path: Path
) -> None:
    session = boto3.Session()
    lines: list[str] = []
    planned = plan(session, mini_request(mini_zip), log=lines.append)
    text = "\n".join(lines)
    assert planned is not None
    assert "(CREATE)" in text
    assert "Add       ItemsTable                        AWS::DynamoDB::Table" in text
    assert lines[-1].startswith(f"Plan only: change set {planned.name} deleted, nothing changed.")
    assert _live_stacks() == []  # not even the empty stack CloudFormation made to hold the change set
    assert boto3.client("lambda").list_functions()["Functions"] == []

    deploy(session, mini_request(mini_zip), log=lambda _line: None)
    lines.clear()
    # (A template change: moto's change sets do not list the resources a parameter change affects.)
    handler = "Handler: app.handler\n"
    bigger = _variant(tmp_path, "bigger", (handler, f"{handler}      MemorySize: 1024\n"))
    plan(session, mini_request(mini_zip, template_path=bigger), log=lines.append)
    assert "Modify    HelloFunction" in "\n".join(lines)
    assert _function()["MemorySize"] != 1024
    assert _pending_change_sets("ios-auth-test") == []


def test_replacing_a_table_is_refused_and_named_unless_allowed(
    moto_endpoint: str, mini_zip: Path, tmp_path: Path
) -> None:
    session = boto3.Session()
    deploy(session, mini_request(mini_zip), log=lambda _line: None)
    table_name = boto3.client("dynamodb").list_tables()["TableNames"][0]
    key_changed = _key_changed(tmp_path)

    with pytest.raises(DeployError) as refused:
        deploy(session, mini_request(mini_zip, template_path=key_changed), log=lambda _line: None)
    message = str(refused.value)
    assert message.startswith(
        "refusing to replace or delete stateful resources: ItemsTable (AWS::DynamoDB::Table) possibly "
        "replaced, forced by AttributeDefinitions, KeySchema"
    )
    assert "pass --allow-replacement" in message
    key = boto3.client("dynamodb").describe_table(TableName=table_name)["Table"]["KeySchema"]
    assert key == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert _pending_change_sets("ios-auth-test") == []
    with pytest.raises(DeployError, match="ItemsTable"):  # plan refuses as deploy would
        plan(session, mini_request(mini_zip, template_path=key_changed), log=lambda _line: None)

    lines: list[str] = []
    deploy(
        session, mini_request(mini_zip, template_path=key_changed, allow_replacement=True), log=lines.append
    )
    assert any(line.startswith("--allow-replacement: going ahead although ItemsTable") for line in lines)
    assert "Stack ios-auth-test: UPDATE_COMPLETE" in lines


def test_removing_a_table_is_refused_unless_it_is_retained(
    moto_endpoint: str, mini_zip: Path, tmp_path: Path
) -> None:
    session = boto3.Session()
    deploy(session, mini_request(mini_zip), log=lambda _line: None)
    without_table = _without_table(tmp_path)
    with pytest.raises(DeployError, match=r"ItemsTable \(AWS::DynamoDB::Table\) deleted with its items"):
        deploy(session, mini_request(mini_zip, template_path=without_table), log=lambda _line: None)

    # Retained: leaving the stack loses nothing, so it goes ahead, and says so. (A stack of its own:
    # moto's update of the first table to add the policy would replace it.)
    table = "    Type: AWS::DynamoDB::Table\n"
    retained = _variant(tmp_path, "retained", (table, f"{table}    DeletionPolicy: Retain\n"))
    deploy(session, mini_request(mini_zip, template_path=retained, stage="kept"), log=lambda _line: None)
    lines: list[str] = []
    deploy(session, mini_request(mini_zip, template_path=without_table, stage="kept"), log=lines.append)
    assert (
        "Note: ItemsTable (AWS::DynamoDB::Table) leaves the stack but is kept (DeletionPolicy Retain): "
        "no data is lost" in lines
    )
    assert "Stack ios-auth-kept: UPDATE_COMPLETE" in lines


# ---- the question, through the CLI (what make deploy runs) ---------------------------------------


def _cli(out_dir: Path, mini_zip: Path, *extra: str) -> list[str]:
    (out_dir / "arm64").mkdir(parents=True, exist_ok=True)
    (out_dir / "arm64" / "function.zip").write_bytes(mini_zip.read_bytes())
    return [
        sys.executable, "-m", "deploy", "--template", str(MINI / "template.yaml"), "--out-dir", str(out_dir),
        "deploy", "--stage", "cli", "--bucket", BUCKET, "--transform-locally", *extra,
    ]  # fmt: skip


def test_without_a_terminal_and_without_yes_it_refuses_in_one_line(
    moto_endpoint: str, mini_zip: Path, tmp_path: Path
) -> None:
    done = subprocess.run(
        _cli(tmp_path / "out", mini_zip),
        cwd=REPO_ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == f"error: {NO_TERMINAL}\n"
    assert _live_stacks() == []
    assert boto3.client("s3").list_buckets()["Buckets"] == []  # refused before anything was uploaded


def test_ci_true_deploys_without_a_question(moto_endpoint: str, mini_zip: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        _cli(tmp_path / "out", mini_zip),
        cwd=REPO_ROOT, env={**os.environ, "CI": "true"}, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "CI=true: the change set will be executed without a question" in done.stdout
    assert "Stack ios-auth-cli: CREATE_COMPLETE" in done.stdout


def _on_a_terminal(command: list[str], answer: str) -> tuple[int, str]:
    """Run ``command`` on a pseudo-terminal; type ``answer`` when it asks [y/N]."""
    controller, terminal = os.openpty()
    proc = subprocess.Popen(command, cwd=REPO_ROOT, stdin=terminal, stdout=terminal, stderr=terminal)
    os.close(terminal)
    output, answered = b"", False
    deadline = time.monotonic() + 120  # a bound, not a wait: the loop ends with the process's output
    try:
        while True:
            ready, _, _ = select.select([controller], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                proc.kill()
                pytest.fail(f"no end of output within 120 s:\n{output.decode(errors='replace')}")
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # EIO: every end of the terminal closed, the process is done
                break
            if not chunk:
                break
            output += chunk
            if not answered and b"[y/N] " in output:
                os.write(controller, answer.encode() + b"\n")
                answered = True
    finally:
        os.close(controller)
    return proc.wait(timeout=60), output.decode(errors="replace").replace("\r\n", "\n")


def test_on_a_terminal_it_asks_and_no_changes_nothing(
    moto_endpoint: str, mini_zip: Path, tmp_path: Path
) -> None:
    code, output = _on_a_terminal(_cli(tmp_path / "out", mini_zip), "n")
    assert code == 1, output
    assert "Add       HelloFunction" in output  # the change set, shown before the question
    assert "Execute change set deploy-" in output
    assert "on stack ios-auth-cli (account 123456789012, us-east-1)? [y/N] n\n" in output
    assert output.rstrip().endswith("Cancelled: not confirmed: change set deleted, nothing changed")
    assert _live_stacks() == []


def test_on_a_terminal_yes_deploys(moto_endpoint: str, mini_zip: Path, tmp_path: Path) -> None:
    code, output = _on_a_terminal(_cli(tmp_path / "out", mini_zip), "y")
    assert code == 0, output
    assert "Stack ios-auth-cli: CREATE_COMPLETE" in output
    assert _live_stacks() == ["ios-auth-cli"]
