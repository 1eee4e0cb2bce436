"""The deployment bucket and the uploads to it (zip and template), content-addressed by sha256.

CloudFormation reads a template larger than 51,200 bytes only from S3 (TemplateURL), and SAM's
CodeUri wants an S3 object, so one private bucket per account and region holds both, created on
first use like SAM CLI's managed bucket: public access blocked, SSE-S3 encryption, old objects
expiring after 90 days (every deploy references only its own current keys).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from deploy.archive import sha256_of
from deploy.errors import DeployError
from deploy.packaged import CodeLocation, artifact_key, template_key


def default_bucket_name(account_id: str, region: str) -> str:
    return f"ios-auth-deploy-{account_id}-{region}"


class DeploymentBucket:
    """One S3 bucket, created if missing, holding the stacks' artifacts and templates."""

    def __init__(self, s3: Any, name: str, region: str, log: Callable[[str], None] = print) -> None:
        self._s3 = s3
        self.name = name
        self._region = region
        self._log = log

    def ensure(self) -> None:
        try:
            self._s3.head_bucket(Bucket=self.name)
            return
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code not in {"404", "NoSuchBucket", "NotFound"}:
                raise DeployError(f"s3://{self.name}: cannot use the deployment bucket ({code})") from None
        self._log(f"Creating deployment bucket s3://{self.name}")
        create: dict[str, Any] = {"Bucket": self.name}
        if self._region != "us-east-1":  # us-east-1 rejects an explicit LocationConstraint
            create["CreateBucketConfiguration"] = {"LocationConstraint": self._region}
        self._s3.create_bucket(**create)
        self._s3.put_public_access_block(
            Bucket=self.name,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        self._s3.put_bucket_encryption(
            Bucket=self.name,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        )
        self._s3.put_bucket_lifecycle_configuration(
            Bucket=self.name,
            LifecycleConfiguration={
                "Rules": [
                    {
                        "ID": "expire-old-artifacts",
                        "Status": "Enabled",
                        "Filter": {"Prefix": ""},
                        "Expiration": {"Days": 90},
                    }
                ]
            },
        )

    def _exists(self, key: str) -> bool:
        try:
            self._s3.head_object(Bucket=self.name, Key=key)
        except ClientError:
            return False
        return True

    def upload_artifact(self, zip_path: Path, stack_name: str) -> CodeLocation:
        key = artifact_key(stack_name, sha256_of(zip_path))
        if self._exists(key):
            self._log(f"Artifact unchanged: s3://{self.name}/{key}")
        else:
            self._log(
                f"Uploading {zip_path} ({zip_path.stat().st_size / 1e6:.1f} MB) to s3://{self.name}/{key}"
            )
            with zip_path.open("rb") as body:
                self._s3.put_object(Bucket=self.name, Key=key, Body=body)
        return CodeLocation(self.name, key)

    def upload_template(self, template: dict[str, Any], stack_name: str) -> str:
        """Upload the packaged template as JSON; return the URL CloudFormation reads it from."""
        body = json.dumps(template, indent=1, sort_keys=True).encode()
        key = template_key(stack_name, hashlib.sha256(body).hexdigest())
        if not self._exists(key):
            self._s3.put_object(Bucket=self.name, Key=key, Body=body, ContentType="application/json")
        endpoint = self._s3.meta.endpoint_url.rstrip("/")
        return f"{endpoint}/{self.name}/{key}"
