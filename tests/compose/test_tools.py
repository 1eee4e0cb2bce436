"""The small pieces the compose checks and ``make test-targets`` are built on."""

from __future__ import annotations

import socket
import subprocess

import pytest

from scripts import test_targets
from scripts.compose_file import (
    REPO_ROOT,
    ComposeError,
    environment,
    interpolate,
    parse_compose,
    published_ports,
    service_addresses,
    with_option,
)
from scripts.compose_topology import map_to_stand_ins, serve_command, summary_line


@pytest.mark.parametrize(
    ("text", "variables", "expected"),
    [
        ("${A:-x}", {}, "x"),
        ("${A:-x}", {"A": ""}, "x"),
        ("${A-x}", {"A": ""}, ""),
        ("${A-x}", {}, "x"),
        ("${A}", {"A": "1"}, "1"),
        ("$A/b", {"A": "1"}, "1/b"),
        ("${A}", {}, ""),
        ("$$A", {"A": "1"}, "$A"),
        ("img:${TAG:-4.14.0}", {"TAG": "latest"}, "img:latest"),
        ("{{emulator.url}}", {}, "{{emulator.url}}"),
    ],
)
def test_interpolation_follows_compose(text: str, variables: dict[str, str], expected: str) -> None:
    assert interpolate(text, variables) == expected


def test_a_required_variable_that_is_missing_is_an_error() -> None:
    with pytest.raises(ComposeError, match="TOKEN"):
        interpolate("${TOKEN:?set it in .env}", {})


def test_values_are_interpolated_after_parsing() -> None:
    parsed = parse_compose("services:\n  a:\n    environment:\n      T: ${T:-}\n      U: '1'\n")
    assert environment(parsed["services"]["a"]) == {"T": "", "U": "1"}
    listed = parse_compose("services:\n  a:\n    environment: [T=1, U=a=b]\n")
    assert environment(listed["services"]["a"]) == {"T": "1", "U": "a=b"}


def test_ports_short_and_long_syntax() -> None:
    service = {"ports": ["3000:3000", "127.0.0.1:8001:8000/tcp", "9000", {"published": 1, "target": 2}]}
    assert [(p.host, p.container) for p in published_ports(service)] == [
        (3000, 3000),
        (8001, 8000),
        (9000, 9000),
        (1, 2),
    ]


def test_service_urls_are_mapped_to_their_stand_ins_keeping_the_path() -> None:
    compose = {"services": {"db": {}, "ls": {}, "api": {}}}
    env = {"A": "http://db:8000", "B": "http://ls:4566/x", "C": "http://example.com:1", "D": "us-east-1"}
    addresses = service_addresses(compose, env)
    assert addresses == {"A": ("db", 8000), "B": ("ls", 4566)}
    mapped = map_to_stand_ins(env, addresses, {"db": "http://127.0.0.1:1111", "ls": "http://127.0.0.1:2222"})
    assert mapped == {**env, "A": "http://127.0.0.1:1111", "B": "http://127.0.0.1:2222/x"}


def test_serve_command_keeps_the_compose_arguments_on_loopback() -> None:
    argv = ["python", "-m", "emulator", "serve", "--host", "0.0.0.0", "--port", "3000"]
    argv += ["--env-vars", "e.json"]
    assert serve_command(argv, "/py", REPO_ROOT / "x.json")[1:] == [
        "-m",
        "emulator",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--env-vars",
        "e.json",  # the service's own file first; the suite's is added after it and wins
        "--env-vars",
        str(REPO_ROOT / "x.json"),
    ]
    assert with_option(["a"], "--stage", "dev") == ["a", "--stage", "dev"]


def test_summary_line_is_pytests_last_words() -> None:
    output = "....\nFAILED x::y\n==== 1 failed, 3 passed, 2 deselected in 1.00s ====\n"
    assert summary_line(output) == "1 failed, 3 passed, 2 deselected in 1.00s"
    assert summary_line("boom") == "(no pytest summary)"


def test_an_unreachable_target_is_reported_not_run(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:  # a port nothing listens on: bound, never listening
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/prod"
        code = test_targets.main(
            ["--skip-embedded", "--skip-topology", "--skip-localstack", "--base-url", url]
        )
    table = capsys.readouterr().out
    assert code == 0
    assert f"{url}  UNREACHABLE" in table
    assert table.splitlines()[-3].split() == ["target", "result", "start-up", "suite", "summary"]


def test_a_given_target_is_held_to_the_template_limits(tmp_path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Parameters:\n"
        "  LoginIpLimit: {Type: Number, Default: 7}\n"
        "Resources:\n"
        "  F:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Handler: app.handler\n"
        "      Runtime: python3.12\n"
        "      CodeUri: .\n"
        "      Environment:\n"
        "        Variables: {LOGIN_IP_LIMIT: !Ref LoginIpLimit, REGISTER_IP_LIMIT: '3'}\n"
    )
    assert test_targets.template_limits(template) == ["--login-ip-limit", "7", "--register-ip-limit", "3"]


def _make_test_targets_dry_run(*args: str) -> str:
    return subprocess.run(
        ["make", "-n", "test-targets", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout


def test_make_test_targets_runs_a_base_url_only_when_one_is_given() -> None:
    # Not the Makefile's default BASE_URL (that is `make seed`'s).
    assert "--base-url" not in _make_test_targets_dry_run()
    given = _make_test_targets_dry_run("BASE_URL=http://localhost:3000/prod")
    assert "--base-url 'http://localhost:3000/prod'" in given


def test_make_test_targets_leaves_out_the_targets_named_in_skip_targets() -> None:
    assert "--skip-" not in _make_test_targets_dry_run()
    command = _make_test_targets_dry_run("SKIP_TARGETS=embedded,localstack")
    assert "--skip-embedded" in command
    assert "--skip-localstack" in command
    assert "--skip-topology" not in command
