"""An API's ``BinaryMediaTypes``: which payloads travel base64-encoded through the proxy.

API Gateway compares a request's ``Content-Type`` (request side) and the first type of its
``Accept`` header (response side) with the API's binary media types; wildcards such as
``image/*`` and ``*/*`` are allowed. SAM templates write ``~1`` for ``/`` in these types (an
OpenAPI JSON-pointer escape), which is undone here.
"""

from __future__ import annotations

from collections.abc import Iterable


def _essence(media_type: str) -> tuple[str, str]:
    """``"Image/PNG; q=0.9"`` -> ``("image", "png")``."""
    bare = media_type.split(";", 1)[0].strip().lower()
    main, _, sub = bare.partition("/")
    return main, sub


class BinaryMediaTypes:
    def __init__(self, media_types: Iterable[str]) -> None:
        self._patterns = [_essence(t.replace("~1", "/")) for t in media_types if t]

    def __bool__(self) -> bool:
        return bool(self._patterns)

    def matches(self, media_type: str | None) -> bool:
        if not media_type or not self._patterns:
            return False
        main, sub = _essence(media_type)
        for pattern_main, pattern_sub in self._patterns:
            if pattern_main in ("*", main) and pattern_sub in ("*", sub):
                return True
        return False

    def request_is_binary(self, content_type: str | None) -> bool:
        return self.matches(content_type)

    def response_is_binary(self, accept: str | None) -> bool:
        # API Gateway looks at the first media type of Accept only.
        if not accept:
            return False
        return self.matches(accept.split(",", 1)[0])
