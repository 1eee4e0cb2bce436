"""API Gateway (REST APIs) in front of the Lambda runtime, as deployed from a SAM template.

One small module per API Gateway concept: :mod:`.routing` (resources, methods, stages),
:mod:`.events` (the proxy event, payload 1.0), :mod:`.proxy_response` (what API Gateway makes of
a function's answer, and its own error answers), :mod:`.cors` (SAM's OPTIONS mock),
:mod:`.binary` (binary media types), :mod:`.throttling` (stage throttling),
:mod:`.gateway_responses` (GatewayResponses on its own answers), :mod:`.authorizers`
(Lambda authorizers), :mod:`.request` (the client's request), :mod:`.gateway` (the request
pipeline, ``async def handle(request) -> response``), :mod:`.api` (what an HTTP front needs
from it), :mod:`.server` and :mod:`.connection` (HTTP/1.1 on an asyncio loop in this process),
:mod:`.wsgi_bridge` (the emulator's own Flask pages), :mod:`.wsgi_request` (a WSGI request in, for
the Flask front of :mod:`emulator.flask_app`) and :mod:`.banner`. Nothing is
imported here so that importing one of them stays cheap.
"""
