"""HTTP APIs over real HTTP: ``serve`` on the ``http_app`` fixture, with a local OpenID issuer
(its discovery document and JWKS on a loopback port) for the JWT authorizer."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from emulator.launcher import run_serve, serve_argv
from tests.emulator.fixtures import template

ROOT = Path(__file__).resolve().parents[3]
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Issuer:
    def __init__(self) -> None:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
        self.jwks = {"keys": [{**jwk, "kid": "key-1", "use": "sig", "alg": "RS256"}]}
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": issuer.url, "jwks_uri": f"{issuer.url}/jwks.json"}
                elif self.path == "/jwks.json":
                    body = issuer.jwks
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def token(self, *, key: rsa.RSAPrivateKey = KEY, **claims: object) -> str:
        now = int(time.time())
        payload = {"iss": self.url, "aud": "my-app", "sub": "user-7", "iat": now, "exp": now + 300, **claims}
        return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "key-1"})


@pytest.fixture(scope="module")
def issuer() -> Iterator[Issuer]:
    running = Issuer()
    thread = threading.Thread(target=running.server.serve_forever, daemon=True)
    thread.start()
    yield running
    running.server.shutdown()
    thread.join(10)


@pytest.fixture(scope="module")
def url(issuer: Issuer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("http-api") / "serve.log"
    argv = serve_argv(
        "--port",
        "0",
        "--template",
        str(template("http_app")),
        "--no-reload",
        "--parameter-overrides",
        f"Issuer={issuer.url}",
    )
    with run_serve(argv, log_path=log, cwd=ROOT) as serve:
        yield serve.root_url


def _get(url: str, path: str, **kwargs: object) -> requests.Response:
    return requests.get(url + path, timeout=30, **kwargs)  # type: ignore[arg-type]


def test_a_route_gets_the_2_0_event(url: str) -> None:
    response = _get(url, "/items/42?x=1&x=2")
    assert response.status_code == 200
    assert response.headers["apigw-requestid"]
    event = response.json()
    assert (event["version"], event["routeKey"], event["rawPath"]) == ("2.0", "GET /items/{id}", "/items/42")
    assert event["pathParameters"] == {"id": "42"}
    assert event["queryStringParameters"] == {"x": "1,2"}
    assert event["requestContext"]["stage"] == "$default"
    assert event["requestContext"]["http"]["method"] == "GET"


def test_a_json_body(url: str) -> None:
    event = requests.post(url + "/items", json={"n": 1}, timeout=30).json()
    assert (event["body"], event["isBase64Encoded"]) == ('{"n": 1}', False)


def test_the_default_route_takes_what_no_route_matches(url: str) -> None:
    event = _get(url, "/nothing/here").json()
    assert event["routeKey"] == "$default"
    assert "pathParameters" not in event


def test_a_greedy_path(url: str) -> None:
    event = requests.delete(url + "/files/a/b.txt", timeout=30).json()
    assert (event["routeKey"], event["pathParameters"]) == ("ANY /files/{proxy+}", {"proxy": "a/b.txt"})


def test_payload_format_1_0(url: str) -> None:
    event = _get(url, "/legacy/7").json()
    assert (event["version"], event["resource"], event["pathParameters"]) == (
        "1.0",
        "/legacy/{id}",
        {"id": "7"},
    )
    assert event["httpMethod"] == "GET"


@pytest.mark.parametrize(
    ("kind", "status", "body"),
    [
        ("inferred-object", 200, b'{"hello": "world"}'),  # no statusCode: 200 and the JSON answer
        ("inferred-string", 200, b'"just text"'),
        ("base64", 200, b"hello"),  # isBase64Encoded: decoded
        ("raise", 500, b'{"message":"Internal Server Error"}'),
    ],
)
def test_how_an_answer_is_read(url: str, kind: str, status: int, body: bytes) -> None:
    response = _get(url, f"/answers/{kind}")
    assert (response.status_code, response.content) == (status, body)


def test_cookies_are_set_cookie_headers(url: str) -> None:
    response = _get(url, "/answers/cookies")
    assert response.status_code == 201
    assert response.raw.headers.getlist("Set-Cookie") == ["a=1", "b=2"]


def test_a_named_stage_without_that_route_is_404_not_found(url: str) -> None:
    response = _get(url, "/prod/unknown")
    assert (response.status_code, response.json()) == (404, {"message": "Not Found"})


def test_jwt_authorizer_verifies_the_token_against_the_issuers_jwks(url: str, issuer: Issuer) -> None:
    assert _get(url, "/prod/me").json() == {"message": "Unauthorized"}
    for bad in (
        issuer.token(key=OTHER_KEY),  # not signed by the issuer's key
        issuer.token(exp=int(time.time()) - 10),  # expired
        issuer.token(aud="someone-else"),
        issuer.token(iss="https://elsewhere.example"),
    ):
        response = _get(url, "/prod/me", headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401, bad
    event = _get(url, "/prod/me", headers={"Authorization": f"Bearer {issuer.token()}"}).json()
    assert event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] == "user-7"
    assert event["stageVariables"] == {"colour": "green"}


def test_jwt_time_claims_follow_the_emulator_clock(url: str, issuer: Issuer) -> None:
    def status(token: str) -> int:
        return _get(url, "/prod/me", headers={"Authorization": f"Bearer {token}"}).status_code

    def advance(duration: str) -> None:
        assert requests.post(f"{url}/_emulator/clock", json={"advance": duration}, timeout=30).ok

    now = int(time.time())
    five_minutes = issuer.token()
    minted_an_hour_ahead = issuer.token(iat=now + 3600, exp=now + 3900)  # as after `clock advance 1h`
    assert (status(five_minutes), status(minted_an_hour_ahead)) == (200, 401)
    try:
        advance("10m")
        assert status(five_minutes) == 401  # expired on the emulator's clock, not yet on the wall's
        advance("50m")
        assert status(minted_an_hour_ahead) == 200
    finally:
        assert requests.post(f"{url}/_emulator/clock", json={"reset": True}, timeout=30).ok
    assert status(five_minutes) == 200


def test_jwt_route_scopes(url: str, issuer: Issuer) -> None:
    no_scope = _get(url, "/prod/admin", headers={"Authorization": issuer.token(scope="read")})
    assert (no_scope.status_code, no_scope.json()) == (403, {"message": "Forbidden"})
    admin = _get(url, "/prod/admin", headers={"Authorization": issuer.token(scope="read admin")})
    assert admin.json()["requestContext"]["authorizer"]["jwt"]["scopes"] == ["read", "admin"]


def test_lambda_authorizer_simple_responses(url: str) -> None:
    assert _get(url, "/prod/simple").status_code == 401  # no identity source: the function is not called
    assert _get(url, "/prod/simple", headers={"X-Token": "nope"}).json() == {"message": "Forbidden"}
    event = _get(url, "/prod/simple", headers={"X-Token": "allow"}).json()
    assert event["requestContext"]["authorizer"] == {"lambda": {"tier": "gold"}}


def test_lambda_authorizer_iam_policy_with_payload_1_0(url: str) -> None:
    assert _get(url, "/prod/policy", headers={"X-Token": "nope"}).status_code == 403
    event = _get(url, "/prod/policy", headers={"X-Token": "allow"}).json()
    assert event["version"] == "1.0"
    assert event["requestContext"]["authorizer"]["tier"] == "silver"


def test_cors_preflight_is_answered_by_the_api(url: str) -> None:
    response = requests.options(
        url + "/prod/me",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"},
        timeout=30,
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert response.headers["Access-Control-Allow-Methods"] == "GET,POST"
    assert response.headers["Access-Control-Allow-Headers"] == "authorization"
    assert response.headers["Access-Control-Max-Age"] == "600"


def test_cors_headers_on_the_answers_for_an_allowed_origin_only(url: str) -> None:
    allowed = _get(url, "/prod/open", headers={"Origin": "https://app.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert allowed.headers["Access-Control-Expose-Headers"] == "x-trace"
    other = _get(url, "/prod/open", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def _authorizer_shown(url: str, response: requests.Response) -> dict[str, object]:
    """The dashboard's record of the request's authorizer (``GET /_emulator/api/requests/<id>``)."""
    request_id = response.headers["apigw-requestid"]
    detail = requests.get(f"{url}/_emulator/api/requests/{request_id}", timeout=30).json()
    listed = requests.get(f"{url}/_emulator/api/requests", timeout=30).json()["requests"]
    assert (
        next(row for row in listed if row["requestId"] == request_id)["authorizer"]
        == (detail["authorizer"]["decision"])
    )
    return detail["authorizer"]


def test_the_dashboard_shows_a_jwt_authorizers_decision_and_claims(url: str, issuer: Issuer) -> None:
    allowed = _authorizer_shown(url, _get(url, "/prod/me", headers={"Authorization": issuer.token()}))
    assert (allowed["name"], allowed["decision"], allowed["status"]) == ("Jwt", "allow", None)
    assert allowed["context"]["jwt"]["claims"]["sub"] == "user-7"
    assert issuer.url in allowed["reason"]
    expired = issuer.token(exp=int(time.time()) - 10)
    refused = _authorizer_shown(url, _get(url, "/prod/me", headers={"Authorization": f"Bearer {expired}"}))
    assert (refused["decision"], refused["context"]) == ("deny 401", None)
    assert refused["reason"] == "invalid token: Signature has expired"


def test_the_dashboard_shows_a_lambda_authorizers_event_output_and_policy(url: str) -> None:
    simple = _authorizer_shown(url, _get(url, "/prod/simple", headers={"X-Token": "allow"}))
    assert (simple["name"], simple["decision"], simple["cached"]) == ("Simple", "allow", False)
    assert simple["event"]["version"] == "2.0"
    assert simple["output"] == {"isAuthorized": True, "context": {"tier": "gold"}}
    assert simple["context"] == {"lambda": {"tier": "gold"}}
    assert simple["logs"][-1].startswith("REPORT RequestId: ")
    denied = _authorizer_shown(url, _get(url, "/prod/policy", headers={"X-Token": "nope"}))
    assert (denied["decision"], denied["reason"]) == ("deny 403", "the policy does not allow the route")
    assert denied["policy"]["Statement"][0]["Effect"] == "Deny"
    missing = _authorizer_shown(url, _get(url, "/prod/simple"))
    assert (missing["decision"], missing["event"]) == ("deny 401", None)  # the function is not invoked
