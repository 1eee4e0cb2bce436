"""``make cfn-lint``: the SAM transform run offline (aws-sam-translator), then cfn-lint on its output.

cfn-lint >= 1.54 no longer runs the SAM translator on a ``Transform: AWS::Serverless-2016-10-31``
template, so it checks SAM resources only by their own schema and misses what the transform would
expand into (a function's bad Runtime, a ``!Ref`` to a resource that does not exist inside a SAM
property...). Transforming here first makes the lint independent of the cfn-lint version: cfn-lint
then sees plain CloudFormation (AWS::Lambda::Function, AWS::ApiGateway::*, IAM roles) and checks
every property against the resource specs. The functions' CodeUri is pointed at a placeholder S3
object first, as ``make deploy`` would (the translator accepts only S3 locations).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from deploy.errors import DeployError
from deploy.packaged import CodeLocation, packaged_template
from deploy.template_file import load_template

# cfn-lint lists every allowed value ("'python3.99' is not one of [...60 runtimes...]"): shortened.
_LONG_LIST = re.compile(r"\[[^\[\]]{120,}\]")
PLACEHOLDER_CODE = CodeLocation("deploy-bucket-placeholder", "function.zip")
LINT_REGION = "us-east-1"


def transform(packaged: dict[str, Any], *, region: str = LINT_REGION) -> dict[str, Any]:
    """What CloudFormation's SAM transform makes of a packaged template (CodeUri on S3), offline."""
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    # The translator reads the region for pseudo parameters from the boto3 default session.
    os.environ.setdefault("AWS_DEFAULT_REGION", region)
    translator = Translator(managed_policy_map={}, sam_parser=Parser())
    try:
        return translator.translate(sam_template=packaged, parameter_values={})
    except InvalidDocumentException as exc:
        raise DeployError("; ".join(str(cause) for cause in exc.causes)) from None


def lint_transformed(transformed: dict[str, Any], *, region: str = LINT_REGION) -> list[str]:
    """cfn-lint's errors on a plain CloudFormation template (warnings kept, informational dropped)."""
    import json

    from cfnlint.api import ManualArgs, lint

    matches = lint(json.dumps(transformed), config=ManualArgs(regions=[region]))
    return [
        f"{match.rule.id} {_LONG_LIST.sub('[...]', match.message)} (at {'/'.join(map(str, match.path))})"
        for match in matches
        if match.rule.id[:1] in {"E", "W"}
    ]


def lint_template(path: Path) -> list[str]:
    """Problems in the SAM template at ``path``: transform errors, else cfn-lint's findings."""
    try:
        transformed = transform(packaged_template(load_template(path), PLACEHOLDER_CODE))
    except DeployError as exc:
        return [f"{path}: SAM transform failed: {exc}"]
    return [f"{path}: {problem}" for problem in lint_transformed(transformed)]
