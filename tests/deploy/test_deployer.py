"""The deploy orchestration (bucket, uploads, change sets, events, outputs, destroy) against moto.

moto's CloudFormation has no SAM transform, so these deploys apply it here (``transform_locally``);
everything else is the code path ``make deploy`` runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from deploy.archive import sha256_of
from deploy.deployer import deploy, destroy, outputs_report
from deploy.errors import DeployError
from tests.deploy.mini import MINI, mini_request


def test_deploy_update_and_destroy(moto_endpoint: str, mini_zip: Path) -> None:
    session = boto3.Session()
    lines: list[str] = []

    deploy(session, mini_request(mini_zip), log=lines.append)

    text = "\n".join(lines)
    assert "Creating deployment bucket s3://deploy-test-bucket" in text
    assert "Creating change set" in text
    assert "(CREATE)" in text
    assert "3 resource change(s):" in text
    assert "Add       HelloFunction                     AWS::Lambda::Function" in text
    assert "CREATE_IN_PROGRESS" in text  # stack events, as polled
    assert "Stack ios-auth-test: CREATE_COMPLETE" in text
    # (moto never fills in Outputs for a stack made by a change set: its ChangeSet.apply does not
    # rebuild them; outputs_report is tested on its own below.)
    function_name = session.client("lambda").list_functions()["Functions"][0]["FunctionName"]
    # The zip is stored under its own hash, byte for byte, and the function runs that code.
    key = f"ios-auth-test/function-{sha256_of(mini_zip)}.zip"
    s3 = session.client("s3")
    assert s3.get_object(Bucket="deploy-test-bucket", Key=key)["Body"].read() == mini_zip.read_bytes()
    function = session.client("lambda").get_function(FunctionName=function_name)
    assert function["Code"]["RepositoryType"] == "S3"
    assert function["Configuration"]["Environment"]["Variables"]["GREETING"] == "hello"
    assert _uploaded_template(session)["Resources"]["HelloFunction"]["Properties"]["Architectures"] == [
        "arm64"
    ]
    bucket_encryption = s3.get_bucket_encryption(Bucket="deploy-test-bucket")
    assert bucket_encryption["ServerSideEncryptionConfiguration"]["Rules"]
    assert s3.get_public_access_block(Bucket="deploy-test-bucket")["PublicAccessBlockConfiguration"][
        "BlockPublicPolicy"
    ]

    lines.clear()
    deploy(session, mini_request(mini_zip, parameters={"Greeting": "bye"}), log=lines.append)
    text = "\n".join(lines)
    assert "Artifact unchanged" in text
    assert "(UPDATE)" in text
    assert "Stack ios-auth-test: UPDATE_COMPLETE" in text
    function = session.client("lambda").get_function(FunctionName=function_name)
    assert function["Configuration"]["Environment"]["Variables"]["GREETING"] == "bye"

    lines.clear()
    destroy(session, stage="test", log=lines.append, poll_interval_s=0.0)
    assert "Deleting stack ios-auth-test" in lines
    cfn = session.client("cloudformation")
    remaining = [s for s in cfn.list_stacks()["StackSummaries"] if s["StackStatus"] != "DELETE_COMPLETE"]
    assert remaining == []
    lines.clear()
    destroy(session, stage="test", log=lines.append, poll_interval_s=0.0)
    assert lines[0] == "Stack ios-auth-test does not exist: nothing to delete"


def test_architecture_override_reaches_the_functions(moto_endpoint: str, mini_zip: Path) -> None:
    session = boto3.Session()
    deploy(session, mini_request(mini_zip, architecture="x86_64"), log=lambda _line: None)
    # (moto's Lambda ignores Architectures from CloudFormation: the template it was given is checked.)
    assert _uploaded_template(session)["Resources"]["HelloFunction"]["Properties"]["Architectures"] == [
        "x86_64"
    ]


def test_missing_artifact_is_one_clear_error(moto_endpoint: str, tmp_path: Path) -> None:
    with pytest.raises(DeployError, match=r"function\.zip: no artifact; run `make package` first"):
        deploy(boto3.Session(), mini_request(tmp_path / "function.zip"), log=lambda _line: None)


def test_a_template_the_transform_rejects_is_one_clear_error(
    moto_endpoint: str, mini_zip: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "template.yaml"
    broken.write_text((MINI / "template.yaml").read_text().replace("Handler: app.handler", "MemorySize: 128"))
    with pytest.raises(DeployError, match=r"HelloFunction.*Handler"):
        deploy(boto3.Session(), mini_request(mini_zip, template_path=broken), log=lambda _line: None)


def test_a_change_set_cloudformation_refuses_is_one_clear_error(
    moto_endpoint: str, mini_zip: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "template.yaml"
    broken.write_text(
        (MINI / "template.yaml")
        .read_text()
        .replace(
            "Resources:\n",
            "Resources:\n  Invoker:\n    Type: AWS::Lambda::Permission\n    Properties:\n"
            "      Action: lambda:InvokeFunction\n      Principal: s3.amazonaws.com\n"
            "      FunctionName: !GetAtt NoSuchFunction.Arn\n",
        )
    )
    with pytest.raises(DeployError, match=r"^CloudFormation refused.*NoSuchFunction"):
        deploy(boto3.Session(), mini_request(mini_zip, template_path=broken), log=lambda _line: None)


def _uploaded_template(session: boto3.Session) -> dict:
    """The template the deploy handed to CloudFormation (the last one uploaded)."""
    s3 = session.client("s3")
    listed = s3.list_objects_v2(Bucket="deploy-test-bucket", Prefix="ios-auth-test/template-")["Contents"]
    newest = max(listed, key=lambda item: item["LastModified"])
    return json.loads(s3.get_object(Bucket="deploy-test-bucket", Key=newest["Key"])["Body"].read())


def test_outputs_report_ends_with_the_invoke_url() -> None:
    report = outputs_report(
        {"UsersTableName": "t-users", "ApiUrl": "https://abc.execute-api.eu-west-1.amazonaws.com/prod"}
    )
    assert report == [
        "  ApiUrl                   https://abc.execute-api.eu-west-1.amazonaws.com/prod",
        "  UsersTableName           t-users",
        "Invoke URL: https://abc.execute-api.eu-west-1.amazonaws.com/prod",
    ]
    assert "no ApiUrl output" in outputs_report({})[-1]


def test_cli_deploy_and_destroy(moto_endpoint: str, mini_zip: Path, tmp_path: Path) -> None:
    """``make deploy`` / ``make destroy`` run these commands; the endpoint comes from AWS_ENDPOINT_URL."""
    out_dir = tmp_path / "out"
    (out_dir / "arm64").mkdir(parents=True)
    (out_dir / "arm64" / "function.zip").write_bytes(mini_zip.read_bytes())
    common = [
        sys.executable,
        "-m",
        "deploy",
        "--template",
        str(MINI / "template.yaml"),
        "--out-dir",
        str(out_dir),
    ]
    repo_root = Path(__file__).resolve().parents[2]
    deployed = subprocess.run(
        [
            *common,
            "deploy",
            "--stage",
            "cli",
            "--bucket",
            "deploy-test-bucket",
            "--transform-locally",
            "--yes",
            "--parameter-overrides",
            "Greeting=hi",
        ],
        cwd=repo_root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert deployed.returncode == 0, deployed.stderr
    assert "Stack ios-auth-cli: CREATE_COMPLETE" in deployed.stdout
    (function,) = boto3.client("lambda").list_functions()["Functions"]
    assert function["Environment"]["Variables"]["GREETING"] == "hi"

    refused = subprocess.run(
        [*common, "deploy", "--stage", "cli", "--parameter-overrides", "Greeting"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2
    assert refused.stderr.strip() == "error: --parameter-overrides: expected KEY=VALUE, got 'Greeting'"

    destroyed = subprocess.run(
        [*common, "destroy", "--stage", "cli"], cwd=repo_root, capture_output=True, text=True, check=False
    )
    assert destroyed.returncode == 0, destroyed.stderr
    assert "Deleting stack ios-auth-cli" in destroyed.stdout
    assert boto3.client("lambda").list_functions()["Functions"] == []


def test_cli_without_credentials_is_one_line(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),  # no ~/.aws
        "AWS_REGION": "eu-west-1",
        "AWS_EC2_METADATA_DISABLED": "true",  # do not wait for an instance role
    }
    done = subprocess.run(
        [sys.executable, "-m", "deploy", "destroy", "--stage", "x"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "error: AWS: Unable to locate credentials"


def test_the_local_stage_is_never_deployed(tmp_path: Path) -> None:
    # Checked before any AWS call, so no credentials are needed to see the refusal.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true"}
    done = subprocess.run(
        [sys.executable, "-m", "deploy", "deploy", "--stage", "local"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: --stage local: that stage is for running on a laptop only")
