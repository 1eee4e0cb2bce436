"""What the gateway waits for before it calls a function: serve's embedded AWS endpoint.

The functions reach DynamoDB and Secrets Manager on their own, so while that endpoint restarts
(:mod:`emulator.aws.watchdog`) a request let through would fail inside its handler, as a 500
with the handler's message. Instead the gateway holds it until the endpoint is back, for at most
:data:`WAIT_S`, then answers 503 with a message that says what is going on. Only serve has such
a dependency; the gateway works without one.
"""

from __future__ import annotations

from typing import Any, Protocol

from emulator.apigateway.proxy_response import GatewayResponse, gateway_error

# How long a request waits for the endpoint to come back (a restart takes about a second).
WAIT_S = 10.0


class Availability(Protocol):
    def health(self) -> tuple[int, dict[str, Any]]:
        """``/_emulator/health``'s status and body."""
        ...

    async def wait_until_up(self, timeout_s: float) -> bool:
        """True once the dependency serves; False after ``timeout_s`` or if it is gone for good."""
        ...


def service_unavailable() -> GatewayResponse:
    return gateway_error(
        503,
        "Service Unavailable: the emulator's AWS endpoint is restarting (see serve's log); try again",
        "ServiceUnavailableException",
    )
