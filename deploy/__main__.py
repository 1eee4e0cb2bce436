"""``python -m deploy {package,plan,deploy,destroy,revoke-key,rotate-key,lint}``: see make/deploy.mk and
the README ("Deploy to AWS")."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from deploy.errors import DeployCancelled, DeployError

if TYPE_CHECKING:
    from deploy.deployer import DeployRequest

DEFAULT_OUT = Path("build/deploy")


def _package(args: argparse.Namespace) -> int:
    from deploy.package import PackageSpec, build, describe
    from deploy.template_file import code_uri_of, load_template, runtime_of

    template = load_template(args.template)
    python_version, declared_arch = runtime_of(template, args.template)
    architecture = args.arch or declared_arch
    spec = PackageSpec(
        project_dir=args.template.resolve().parent,
        code_dir=code_uri_of(template, args.template),
        out_dir=args.out_dir / architecture,
        architecture=architecture,
        python_version=args.python_version or python_version,
        bundle_boto3=args.bundle_boto3,
    )
    print(describe(build(spec), spec))
    return 0


def _session(args: argparse.Namespace):
    import os

    import boto3

    # boto3 reads AWS_DEFAULT_REGION (and the profile's region) but not AWS_REGION, which the
    # AWS CLI v2 and Lambda itself use: honour both.
    region = args.region or os.environ.get("AWS_REGION") or None
    return boto3.Session(profile_name=args.profile, region_name=region)


# The functions accept development settings (low bcrypt cost, the emulator's identity providers,
# demo audiences) only on this stage, so it must never reach AWS (the template refuses it too).
LOCAL_STAGE = "local"


def _request(args: argparse.Namespace) -> DeployRequest:
    from deploy.deployer import DeployRequest
    from deploy.template_file import load_template, runtime_of

    if args.stage == LOCAL_STAGE:
        raise DeployError(
            f"--stage {LOCAL_STAGE}: that stage is for running on a laptop only (the functions accept "
            "development settings there); deploy as prod, staging, dev..."
        )
    _, declared_arch = runtime_of(load_template(args.template), args.template)
    architecture = args.arch or declared_arch
    parameters = {}
    for item in args.parameter_overrides:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise DeployError(f"--parameter-overrides: expected KEY=VALUE, got {item!r}")
        parameters[key] = value
    return DeployRequest(
        template_path=args.template,
        zip_path=args.out_dir / architecture / "function.zip",
        stage=args.stage,
        architecture=architecture if architecture != declared_arch else None,
        stack_name=args.stack_name,
        bucket=args.bucket,
        parameters=parameters,
        transform_locally=args.transform_locally,
        allow_replacement=args.allow_replacement,
    )


def _plan(args: argparse.Namespace) -> int:
    from deploy.deployer import plan

    plan(_session(args), _request(args))
    return 0


def _deploy(args: argparse.Namespace) -> int:
    import os
    from dataclasses import replace

    from deploy.confirm import confirmation
    from deploy.deployer import deploy

    request = _request(args)
    # Decided before any AWS call: without a terminal to ask on, nothing is uploaded either.
    confirm = confirmation(yes=args.yes, env=os.environ, stdin=sys.stdin)
    deploy(_session(args), replace(request, confirm=confirm))
    return 0


def _destroy(args: argparse.Namespace) -> int:
    from deploy.deployer import destroy

    destroy(_session(args), stage=args.stage, stack_name=args.stack_name)
    return 0


def _revoke_key(args: argparse.Namespace) -> int:
    from deploy.deployer import stack_name_for
    from deploy.keys import retire_key

    retire_key(_session(args), args.stack_name or stack_name_for(args.stage), args.kid)
    return 0


def _rotate_key(args: argparse.Namespace) -> int:
    from deploy.deployer import stack_name_for
    from deploy.keys import rotate_key

    rotate_key(_session(args), args.stack_name or stack_name_for(args.stage))
    return 0


def _lint(args: argparse.Namespace) -> int:
    from deploy.lint import lint_template

    problems = lint_template(args.template)
    for problem in problems:
        print(problem)
    print(f"{args.template}: {'OK' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m deploy", description=__doc__)
    parser.add_argument("--template", "-t", type=Path, default=Path("template.yaml"))
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT)
    sub = parser.add_subparsers(dest="command", required=True)

    package = sub.add_parser("package", help="build the functions' zip (no Docker)")
    package.add_argument("--arch", choices=["arm64", "x86_64"], default=None, help="default: the template's")
    package.add_argument("--python-version", default=None, help="default: the template's Runtime")
    package.add_argument("--bundle-boto3", action="store_true", help="pin boto3 in the zip")
    package.set_defaults(func=_package)

    for name, func, help_text in (
        ("plan", _plan, "create and print the stage's change set, execute nothing"),
        ("deploy", _deploy, "deploy the stack of a stage (change set, confirmed)"),
        ("destroy", _destroy, "delete the stack of a stage"),
        ("revoke-key", _revoke_key, "retire a signing key at once (emergency: a key leaked)"),
        ("rotate-key", _rotate_key, "rotate the signing keys now"),
    ):
        command = sub.add_parser(name, help=help_text)
        command.add_argument("--stage", required=True)
        command.add_argument("--stack-name", default=None, help="default: ios-auth-STAGE")
        command.add_argument("--region", default=None, help="default: AWS_REGION / the profile's")
        command.add_argument("--profile", default=None)
        command.set_defaults(func=func)
        if name == "revoke-key":
            command.add_argument("kid", metavar="KID", help="the key id, as listed at /.well-known/jwks.json")
        if name in ("plan", "deploy"):
            command.add_argument("--arch", choices=["arm64", "x86_64"], default=None)
            command.add_argument("--bucket", default=None, help="default: ios-auth-deploy-ACCOUNT-REGION")
            command.add_argument("--parameter-overrides", nargs="*", default=[], metavar="KEY=VALUE")
            command.add_argument(
                "--transform-locally",
                action="store_true",
                help="apply the SAM transform here (for endpoints without it, e.g. moto)",
            )
            command.add_argument(
                "--allow-replacement",
                action="store_true",
                help="go ahead when a table or secret would be replaced or deleted (its data lost)",
            )
        if name == "deploy":
            command.add_argument(
                "--yes", "-y", action="store_true", help="no question before executing (also: CI=true)"
            )

    lint = sub.add_parser("lint", help="SAM transform offline, then cfn-lint on the result")
    lint.set_defaults(func=_lint)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except DeployCancelled as exc:
        print(f"Cancelled: {exc}", file=sys.stderr)
        return 1
    except DeployError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError) as exc:  # no credentials, no network, access denied...
        print(f"error: AWS: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
