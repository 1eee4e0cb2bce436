"""Resource selection as API Gateway REST APIs do it (pure unit tests, no server)."""

from __future__ import annotations

import pytest

from emulator.apigateway.routing import ResourceTree, Router, StagedApi
from emulator.template.model import Route


def _route(path: str, method: str, function_id: str = "Fn") -> Route:
    return Route(
        api_id="Api", path=path, method=method, function_id=function_id, event_name=f"{method}{path}"
    )


@pytest.fixture
def router() -> Router:
    routes = [
        _route("/", "GET", "Root"),
        _route("/users/me", "PATCH", "Me"),
        _route("/users/{userId}", "GET", "User"),
        _route("/users/{userId}/posts/{postId}", "GET", "Post"),
        _route("/things/real", "GET", "Real"),
        _route("/things/{proxy+}", "ANY", "Things"),
        _route("/any", "ANY", "Any"),
        _route("/any", "DELETE", "AnyDelete"),
    ]
    return Router([StagedApi("Api", "prod", ResourceTree("Api", routes))])


def _target(router: Router, method: str, path: str) -> tuple[str, dict | None] | None:
    match = router.route(method, path)
    if match is None:
        return None
    assert match.method.route is not None
    return match.method.route.function_id, match.path_parameters


def test_literal_beats_parameter_when_it_has_the_method(router: Router) -> None:
    assert _target(router, "PATCH", "/users/me") == ("Me", None)


def test_parameter_sibling_serves_a_verb_the_literal_lacks(router: Router) -> None:
    # Measured on API Gateway: GET /users/me reaches /users/{userId} with userId="me".
    assert _target(router, "GET", "/users/me") == ("User", {"userId": "me"})


def test_no_resource_has_the_verb(router: Router) -> None:
    assert router.route("POST", "/users/me") is None


def test_greedy_takes_the_rest_and_the_verbs_literal_lacks(router: Router) -> None:
    assert _target(router, "GET", "/things/real") == ("Real", None)
    assert _target(router, "POST", "/things/real") == ("Things", {"proxy": "real"})
    assert _target(router, "GET", "/things/a/b/c") == ("Things", {"proxy": "a/b/c"})


def test_greedy_needs_at_least_one_segment(router: Router) -> None:
    assert router.route("GET", "/things") is None
    assert router.route("GET", "/things/") is None


def test_several_parameters(router: Router) -> None:
    # Paths reach the router decoded (WSGI PATH_INFO): no second decoding of a literal "%41".
    assert _target(router, "GET", "/users/a b/posts/%41") == ("Post", {"userId": "a b", "postId": "%41"})


def test_explicit_verb_beats_any_on_the_same_resource(router: Router) -> None:
    assert _target(router, "DELETE", "/any") == ("AnyDelete", None)
    assert _target(router, "PUT", "/any") == ("Any", None)


def test_trailing_slash_reaches_the_same_resource_and_path_keeps_it(router: Router) -> None:
    match = router.route("GET", "/users/42/")
    assert match is not None
    assert match.resource_path == "/users/{userId}"
    assert match.path == "/users/42/"


def test_stage_prefix_and_no_prefix(router: Router) -> None:
    staged = router.route("GET", "/prod/users/42")
    bare = router.route("GET", "/users/42")
    assert staged is not None
    assert bare is not None
    assert staged.path == bare.path == "/users/42"
    assert staged.stage == bare.stage == "prod"


def test_root_resource(router: Router) -> None:
    assert _target(router, "GET", "/") == ("Root", None)
    assert _target(router, "GET", "/prod") == ("Root", None)
    assert _target(router, "GET", "/prod/") == ("Root", None)


def test_unknown_path(router: Router) -> None:
    assert router.route("GET", "/nope") is None
    assert router.route("GET", "/prod/nope") is None


def test_cors_adds_an_options_mock_on_every_path() -> None:
    tree = ResourceTree("Api", [_route("/a", "GET"), _route("/b/{id}", "POST")], cors=True)
    router = Router([StagedApi("Api", "prod", tree)])
    match = router.route("OPTIONS", "/b/1")
    assert match is not None
    assert match.method.is_cors_preflight
    assert tree.methods_by_path() == {"/a": ["GET", "OPTIONS"], "/b/{id}": ["POST", "OPTIONS"]}


def test_greedy_must_be_last() -> None:
    with pytest.raises(ValueError, match="greedy"):
        ResourceTree("Api", [_route("/{proxy+}/x", "GET")])
