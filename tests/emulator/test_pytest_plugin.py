"""The pytest plugin (``emulator.pytest_plugin``), run as a user runs it: a conftest that lists it,
test files, options, in a pytest of its own (pytester, in a subprocess).

The app under test is ``fixtures/templates/notes_app``: notes in a table, an email through SES,
a log line per note.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.flask_app import create_app
from tests.emulator.fixtures import template

ROOT = Path(__file__).resolve().parents[2]
NOTES_APP = template("notes_app")
CONFTEST = 'pytest_plugins = ["emulator.pytest_plugin"]\n'


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A user's project: the plugin listed in its top conftest, the emulator importable."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeini("[pytest]\n")  # its own rootdir, not this repository's
    pytester.makeconftest(CONFTEST)
    return pytester


def _run(project: pytest.Pytester, *args: str) -> pytest.RunResult:
    return project.runpytest_subprocess("-p", "no:cacheprovider", *args, timeout=300)


def test_options_ini_values_and_fixtures(project: pytest.Pytester) -> None:
    (project.path / "app").mkdir()
    (project.path / "app" / "base.json").write_text(json.dumps({"Parameters": {"LABEL": "from-ini"}}))
    (project.path / "later.json").write_text(json.dumps({"NotesFunction": {"LABEL": "from-option"}}))
    project.makeini(f"[pytest]\nsam_template = {NOTES_APP}\nsam_env_vars = app/base.json\n")
    project.makeconftest(
        CONFTEST
        + textwrap.dedent(
            """
            import pytest

            @pytest.fixture(scope="session")
            def sam_app_options(sam_app_options):
                return {**sam_app_options, "stage": "v1"}  # any other option of serve's
            """
        )
    )
    project.makepyfile(
        test_app=textwrap.dedent(
            """
            def test_api_session_and_flask_client(sam_api):
                assert sam_api.base_url.endswith("/v1")
                answer = sam_api.session.get("/notes").json()
                assert answer["greeting"] == "howdy"  # --sam-parameter-overrides
                assert answer["label"] == "from-option"  # the option's file, after the ini's
                assert sam_api.flask_client.get("/v1/notes").json["label"] == "from-option"

            def test_aws_endpoint(sam_aws):
                assert sam_aws.endpoint_url.startswith("http://127.0.0.1:")
                assert sam_aws.client("dynamodb").list_tables()["TableNames"] == ["local-NotesTable"]

            def test_emails(sam_api, sam_emails):
                assert sam_api.post("/mail", json={"to": "Ann@Example.com", "text": "x"}).status_code == 202
                email = sam_emails.latest("ann@example.com")
                assert (email["from"], email["subject"]) == ("noreply@notes.example", "Your note")
                assert sam_emails.messages(to="nobody@example.com") == []

            def test_logs_first(sam_api, sam_logs):
                assert sam_api.post("/notes", json={"id": "one", "text": "x"}).status_code == 201
                assert "saved note one" in sam_logs
                assert [line.split()[0] for line in sam_logs.lines if "RequestId" in line] == [
                    "START", "END", "REPORT"
                ]

            def test_logs_are_the_current_tests_only(sam_api, sam_logs):
                assert sam_api.post("/notes", json={"id": "two", "text": "x"}).status_code == 201
                assert "saved note two" in sam_logs
                assert "saved note one" not in sam_logs
            """
        )
    )
    result = _run(
        project, "--sam-env-vars", "later.json", "--sam-parameter-overrides", "Greeting=howdy", "-v"
    )
    result.assert_outcomes(passed=5)


def test_data_is_kept_between_tests_unless_reset(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_data=textwrap.dedent(
            """
            import pytest

            WORKER = []

            def _notes(sam_api):
                answer = sam_api.get("/notes").json()
                WORKER.append(answer["pid"])
                return answer["notes"]

            def test_add(sam_api):
                for note in ("a", "b"):
                    assert sam_api.post("/notes", json={"id": note, "text": "x"}).status_code == 201
                assert _notes(sam_api) == ["a", "b"]

            def test_kept_by_default(sam_api):
                assert _notes(sam_api) == ["a", "b"]

            @pytest.mark.sam_fresh_data
            def test_the_marker_empties_the_tables(sam_api):
                assert _notes(sam_api) == []
                assert sam_api.post("/notes", json={"id": "c", "text": "x"}).status_code == 201

            def test_the_fixture_empties_them_too(sam_fresh_data, sam_api):
                assert _notes(sam_api) == []

            def test_the_same_warm_worker_served_every_test():
                assert len(WORKER) == 4
                assert len(set(WORKER)) == 1, WORKER

            def test_a_failure_shows_the_functions_logs(sam_api):
                sam_api.post("/notes", json={"id": "shown", "text": "x"})
                assert False
            """
        )
    )
    result = _run(project, f"--sam-template={NOTES_APP}", "-v")
    result.assert_outcomes(passed=5, failed=1)
    result.stdout.fnmatch_lines(["*Captured log call*", "*saved note shown*"])


def test_a_template_that_does_not_start_is_one_clear_error(project: pytest.Pytester) -> None:
    (project.path / "template.yaml").write_text(
        "Resources:\n  Broken:\n    Type: AWS::Serverless::Function\n    Properties: {Handler: x.handler}\n"
    )
    project.makepyfile(
        test_broken=textwrap.dedent(
            """
            def test_one(sam_api):
                pass

            def test_two(sam_api):
                pass

            def test_three(sam_api):
                pass
            """
        )
    )
    # template.yaml in the working directory: the default. -rN: no short summary, whose copy of the reason
    # is cut to the terminal's width (so present or not depending on the machine running the tests).
    result = _run(project, "-rN")
    result.assert_outcomes(errors=1)
    output = result.stdout.str()
    reason = "function Broken: Runtime is missing"
    assert f"the SAM app did not start: template.yaml: {reason}" in output
    assert output.count(reason) == 2  # the error, and why the run stopped
    assert "Traceback" not in output
    assert "emulator/" not in output  # no frame of the emulator's code


def test_a_test_path_swallowed_by_the_overrides_is_a_usage_error(project: pytest.Pytester) -> None:
    project.makepyfile(test_nothing="def test_nothing():\n    pass\n")
    result = _run(project, "--sam-parameter-overrides", "Greeting=x", "test_nothing.py")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--sam-parameter-overrides: expected KEY=VALUE, got 'test_nothing.py'*"])


@pytest.fixture
def running_app() -> Iterator[str]:
    """The notes app started by this test, as any running stack: its base URL."""
    app = create_app(NOTES_APP, hot_reload=False)
    try:
        yield f"{app.extensions['emulator'].url}/Prod"
    finally:
        app.extensions["emulator"].close()


def test_sam_base_url_tests_a_running_stack(project: pytest.Pytester, running_app: str) -> None:
    project.makepyfile(
        test_remote=textwrap.dedent(
            """
            import pytest

            from emulator.sam_fixtures import NotEmbedded

            def test_over_http(sam_api, sam_emails):
                assert sam_api.base_url == "BASE_URL"
                assert sam_api.post("/notes", json={"id": "r", "text": "x"}).status_code == 201
                assert "r" in sam_api.get("/notes").json()["notes"]
                assert sam_emails.messages(to="nobody@example.com") == []

            def test_no_flask_client_there(sam_api):
                with pytest.raises(NotEmbedded, match="--sam-base-url"):
                    sam_api.flask_client

            def test_needs_the_aws_endpoint(sam_aws):
                pass

            def test_needs_the_logs(sam_logs):
                pass

            @pytest.mark.sam_fresh_data
            def test_needs_a_reset(sam_api):
                pass
            """.replace("BASE_URL", running_app)
        )
    )
    result = _run(project, "--sam-base-url", running_app)
    result.assert_outcomes(passed=2, deselected=3)
    result.stdout.fnmatch_lines(
        ["sam: 3 test(s) need the app in this process*deselected against --sam-base-url"]
    )


def test_the_readmes_example_passes_on_this_repositorys_app(project: pytest.Pytester) -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### Testing your own handlers") :]
    example = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert example is not None, "README: no example test under 'Testing your own handlers'"
    assert len([line for line in example.group(1).splitlines() if line.strip()]) <= 10
    project.makepyfile(test_readme=example.group(1))
    env_vars = f"{ROOT / 'env.local.json'} {ROOT / 'tests/integration/env.json'}"
    project.makeini(f"[pytest]\nsam_template = {ROOT / 'template.yaml'}\nsam_env_vars = {env_vars}\n")
    _run(project).assert_outcomes(passed=2)
