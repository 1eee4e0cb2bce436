"""The template as CloudFormation receives it: every function's CodeUri pointed at the uploaded zip.

SAM accepts ``CodeUri: {Bucket, Key}``; the key is the zip's sha256, so an unchanged build
uploads nothing and CloudFormation sees no code change (no function is updated for nothing).
The transform itself (``Transform: AWS::Serverless-2016-10-31``) is left to CloudFormation.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from deploy.template_file import function_defaults, serverless_functions


@dataclass(frozen=True)
class CodeLocation:
    bucket: str
    key: str

    def as_code_uri(self) -> dict[str, str]:
        return {"Bucket": self.bucket, "Key": self.key}


def artifact_key(stack_name: str, sha256: str) -> str:
    return f"{stack_name}/function-{sha256}.zip"


def template_key(stack_name: str, sha256: str) -> str:
    return f"{stack_name}/template-{sha256}.json"


def packaged_template(
    template: dict[str, Any], code: CodeLocation, *, architecture: str | None = None
) -> dict[str, Any]:
    """A copy of ``template`` with CodeUri (and, if given, Architectures) set on every function.

    ``architecture`` matters when the zip was built for another machine type than the template
    declares (``make deploy ARCH=x86_64``): the functions must run on the one the wheels are for.
    """
    packaged = copy.deepcopy(template)
    globals_function = function_defaults(packaged)
    if "CodeUri" in globals_function:
        globals_function["CodeUri"] = code.as_code_uri()
    if architecture is not None and "Architectures" in globals_function:
        globals_function["Architectures"] = [architecture]
    for props in serverless_functions(packaged).values():
        if "CodeUri" in props or "CodeUri" not in globals_function:
            props["CodeUri"] = code.as_code_uri()
        if architecture is not None and ("Architectures" in props or "Architectures" not in globals_function):
            props["Architectures"] = [architecture]
    return packaged
