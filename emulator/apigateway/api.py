"""The contract between the gateway and the fronts that serve it over HTTP.

A front (the asyncio server, :mod:`.server` and :mod:`.connection`; a test's stand-in) turns
the bytes of a client's request into a :class:`~.request.GatewayRequest`, awaits
:meth:`Gateway.handle` on its event loop and writes the :class:`~.proxy_response.GatewayResponse`
back. A blocking front runs ``handle`` on a private event loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from emulator.apigateway.proxy_response import GatewayResponse
from emulator.apigateway.request import GatewayRequest

if TYPE_CHECKING:
    import asyncio


class Gateway(Protocol):
    async def handle(
        self, request: GatewayRequest, *, loop: asyncio.AbstractEventLoop | None = None
    ) -> GatewayResponse:
        """Answer one client request; never raises (an emulator bug is a 500). ``loop``: the
        event loop it runs on, when the caller holds it (saves asking asyncio for it)."""
        ...

    def payload_too_large(self, request: GatewayRequest) -> GatewayResponse:
        """API Gateway's 413, for a request whose body the front refused to read (over 10 MB)."""
        ...
