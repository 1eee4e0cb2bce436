"""docs/openapi.yaml: a valid OpenAPI 3.1 document that describes exactly the template's routes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

REPO_ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = REPO_ROOT / "docs" / "openapi.yaml"
TEMPLATE_PATH = REPO_ROOT / "template.yaml"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Every error code the backend can answer: each ``ApiError(status, "code"`` and
# ``too_many_requests("code"`` in its source (the codes are literals by design), which the spec's
# ErrorCode enum must list, no more and no less.
_CODE_LITERAL = re.compile(r'(?:ApiError\(\s*[0-9]{3},|too_many_requests\()\s*"([a-z_]+)"')


def backend_error_codes() -> set[str]:
    sources = (REPO_ROOT / "backend" / "auth_service").rglob("*.py")
    return {code for path in sources for code in _CODE_LITERAL.findall(path.read_text())}


@pytest.fixture(scope="module")
def spec() -> dict:
    document, _ = read_from_filename(str(SPEC_PATH))
    return dict(document)


def _operations(spec: dict) -> dict[tuple[str, str], dict]:
    return {
        (path, method.upper()): operation
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def _template_routes() -> dict[tuple[str, str], bool]:
    """(path, METHOD) -> protected, from the template as the emulator reads it."""
    from emulator.template import load_app

    app = load_app(TEMPLATE_PATH)
    return {(route.path, route.method): route.authorizer is not None for route in app.routes}


def test_spec_is_valid_openapi_3_1(spec):
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_paths_and_methods_equal_the_templates_routes(spec):
    routes = _template_routes()
    assert "ANY" not in {method for _, method in routes}, "document ANY routes method by method"
    documented = set(_operations(spec))
    assert documented == set(routes), (
        f"in the template only: {sorted(set(routes) - documented)}; "
        f"in openapi.yaml only: {sorted(documented - set(routes))}"
    )


def test_protected_routes_are_exactly_the_ones_with_bearer_security(spec):
    routes = _template_routes()
    for key, operation in _operations(spec).items():
        has_bearer = any("bearerAuth" in requirement for requirement in operation.get("security", []))
        assert has_bearer == routes[key], f"{key}: security {operation.get('security')} vs authorizer"
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        **spec["components"]["securitySchemes"]["bearerAuth"],
        "type": "http",
        "scheme": "bearer",
    }


def test_every_operation_has_a_unique_operation_id_and_documents_its_errors(spec):
    operations = _operations(spec)
    ids = [operation["operationId"] for operation in operations.values()]
    assert len(ids) == len(set(ids))
    for key, operation in operations.items():
        statuses = set(operation["responses"])
        assert any(status.startswith("2") for status in statuses), key
        assert "500" in statuses, f"{key} does not document internal_error"
        if "requestBody" in operation:
            assert {"400", "415"} <= statuses, f"{key} takes a body but does not document 400/415"
        if operation.get("security"):
            assert "401" in statuses, key


def test_schemas_hold_what_the_clients_decode(spec):
    schemas = spec["components"]["schemas"]
    for name in ("SafeUser", "TokenResponse", "Error", "ProviderTokenResponse", "Session", "Profile"):
        assert name in schemas, name
    # Every field of a user is always sent (the other test layers read them from here).
    assert set(schemas["SafeUser"]["required"]) == set(schemas["SafeUser"]["properties"])
    assert not [
        p for p in schemas["SafeUser"]["properties"] if "hash" in p.lower() or "password" in p.lower()
    ]
    assert set(schemas["TokenResponse"]["required"]) == set(schemas["TokenResponse"]["properties"])
    codes = backend_error_codes()
    assert {"invalid_json", "account_locked", "invalid_code", "apple_unavailable"} <= codes  # the scan works
    assert set(schemas["ErrorCode"]["enum"]) == codes


def test_request_bodies_refuse_unknown_fields(spec):
    """The API answers 400 for unknown fields; the document says so to generated clients."""
    for key, operation in _operations(spec).items():
        body = operation.get("requestBody")
        if body is None:
            continue
        ref = body["content"]["application/json"]["schema"]["$ref"]
        schema = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert schema.get("additionalProperties") is False, key


def test_spec_is_plain_yaml_without_custom_tags():
    # swift-openapi-generator reads it with a plain YAML parser.
    assert isinstance(yaml.safe_load(SPEC_PATH.read_text()), dict)


def test_the_name_pattern_is_the_backends_own_character_class(spec):
    # The spec states what the code refuses in a name, character for character.
    import sys

    sys.path.insert(0, str(REPO_ROOT / "backend"))
    from auth_service.validation import INVISIBLE_CHARACTERS

    assert spec["components"]["schemas"]["Name"]["pattern"] == f"^[^{INVISIBLE_CHARACTERS}]*$"
