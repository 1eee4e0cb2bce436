"""The issuer's key set is cached for a bounded time: a key Google withdraws stops verifying.

A real HTTP server on loopback serves the JWKS; PyJWT's cache reads ``time.monotonic``, which the
test drives (the cache logic under test is PyJWT's, configured by ``jwks_key_resolver``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt.jwk_set_cache
import jwt.jwks_client
import pytest
from auth_service.jwks import JWKS_LIFESPAN_S, jwks_key_resolver
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


class JwksServer:
    def __init__(self) -> None:
        self.keys: list[dict] = []
        self.fetches = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.fetches += 1
                body = json.dumps({"keys": outer.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/jwks.json"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def _jwk(kid: str) -> dict:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {**json.loads(RSAAlgorithm.to_jwk(key.public_key())), "kid": kid, "alg": "RS256", "use": "sig"}


@pytest.fixture
def server() -> Iterator[JwksServer]:
    running = JwksServer()
    yield running
    running.close()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeMonotonic:
    fake = FakeMonotonic()
    for module in (jwt.jwk_set_cache, jwt.jwks_client):
        monkeypatch.setattr(module.time, "monotonic", fake.monotonic)
    return fake


def test_a_withdrawn_key_is_refused_once_the_cached_set_expires(server: JwksServer, clock: FakeMonotonic):
    server.keys = [_jwk("old"), _jwk("new")]
    resolve = jwks_key_resolver(server.url)
    assert resolve("old") is not None
    server.keys = [key for key in server.keys if key["kid"] != "old"]  # the issuer withdraws it
    clock.now += JWKS_LIFESPAN_S - 1
    assert resolve("old") is not None  # still within the set's lifespan: served from the cache
    clock.now += 2
    with pytest.raises(LookupError):
        resolve("old")
    assert resolve("new") is not None


def test_unknown_kids_refetch_the_set_at_most_once_per_cooldown(server: JwksServer, clock: FakeMonotonic):
    server.keys = [_jwk("only")]
    resolve = jwks_key_resolver(server.url)
    resolve("only")
    clock.now += 11  # past the cooldown after the first fetch
    for n in range(20):
        with pytest.raises(LookupError):
            resolve(f"random-{n}")
    assert server.fetches == 2  # the first fetch, then one forced refresh for all 20 unknown kids
