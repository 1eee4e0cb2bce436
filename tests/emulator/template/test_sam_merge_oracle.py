"""The routes the emulator serves are the methods SAM's translator writes: definitions, events and
Auth merged as ``aws-sam-translator`` merges them (run here as the oracle, on each template)."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.template import load_app
from tests.emulator.fixtures import TEMPLATES, template
from tests.emulator.sam_oracle import translated_methods

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
ORACLE_TEMPLATES = [
    *(
        template(name)
        for name in ("openapi_app", "basic", "explicit_api", "gateway_app", "user_app", "json_template")
    ),
    CORPUS / "sam_init_hello" / "template.yaml",
    CORPUS / "mapping_template_include" / "template.yaml",
    CORPUS / "ses_openapi_include" / "template.yml",
]


def _emulated(path: Path) -> dict:
    app = load_app(path)
    methods = {}
    for route in app.routes:
        target = "mock" if route.mock else route.function_id
        if route.failure and not route.function_id and route.mock is None:
            target = "unsupported" if "integrations are not emulated" in route.failure else "missing"
        methods[(route.api_id, route.path, route.method)] = (target, route.authorizer, route.api_key_required)
    return methods


@pytest.mark.parametrize("path", ORACLE_TEMPLATES, ids=lambda path: path.parent.name)
def test_routes_are_the_methods_sam_writes(path: Path) -> None:
    translated = translated_methods(path)
    emulated = _emulated(path)
    apis_with_uri = {"UriApi"}  # DefinitionUri files are used as they are: the translator never reads them
    emulated = {key: value for key, value in emulated.items() if key[0] not in apis_with_uri}
    not_emulated_authorizers = {"Pool", "CognitoAuth"}
    expected = {}
    for key, (target, authorizer, api_key) in translated.items():
        if authorizer in not_emulated_authorizers:
            authorizer = None  # served without authorization (a warning says so)
        if target not in ("mock", "unsupported") and target not in load_app(path).functions:
            target = "missing"
        expected[key] = (target, authorizer, api_key)
    assert emulated == expected


def test_the_oracle_sees_what_it_is_asked_about() -> None:
    methods = translated_methods(TEMPLATES / "openapi_app" / "template.yaml")
    assert methods[("IncludedApi", "/merged", "POST")] == ("ItemsFunction", "HeaderAuth", False)
    assert ("SwaggerApi", "/extra", "GET") not in methods  # an event is not added to an own body
