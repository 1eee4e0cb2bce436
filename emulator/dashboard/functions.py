"""``/_emulator/functions``: each function of the template, its workers and its figures since start.

- ``GET /_emulator/functions``: the page (it refreshes its figures from the API every
  :data:`REFRESH_MS`, while it is visible);
- ``GET /_emulator/api/functions``: ``{"functions": [...]}``, one entry per template function:
  its configuration (handler, runtime, memory, timeout, architectures), its workers (warm, busy,
  starting, the concurrency limit) and its counters (:mod:`emulator.lambda_runtime.stats`).

Generic: it reads the loaded template's functions and the runtime's counters, whatever the app.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, jsonify, render_template

if TYPE_CHECKING:
    from emulator.lambda_runtime import ProcessLambdaRuntime
    from emulator.template.model import FunctionSpec

REFRESH_MS = 1000


class FunctionsSource:
    """The template's functions and the runtime running them (callables: known once serve started)."""

    def __init__(
        self,
        specs: Callable[[], Mapping[str, FunctionSpec]],
        runtime: Callable[[], ProcessLambdaRuntime | None],
    ) -> None:
        self._specs = specs
        self._runtime = runtime

    def listing(self) -> list[dict[str, Any]]:
        runtime = self._runtime()
        return [
            function_view(logical_id, spec, runtime)
            for logical_id, spec in sorted(self._specs().items(), key=lambda item: item[1].function_name)
        ]


def function_view(
    logical_id: str, spec: FunctionSpec, runtime: ProcessLambdaRuntime | None
) -> dict[str, Any]:
    """One function as the page and the API show it."""
    name = spec.function_name
    running = runtime is not None and spec.unavailable is None and name in runtime.function_names
    return {
        "logicalId": logical_id,
        "functionName": name,
        "handler": spec.handler,
        "runtime": spec.runtime,
        "memoryMb": spec.memory_size,
        "timeoutS": spec.timeout,
        "architectures": list(spec.architectures),
        "reservedConcurrency": spec.reserved_concurrency,
        "unavailable": spec.unavailable,  # why it cannot run here (an image...), or None
        "workers": runtime.workers(name) if running else None,
        "stats": runtime.stats(name) if running else None,
    }


def add_function_routes(bp: Blueprint, source: FunctionsSource) -> None:
    """The page and its API on the dashboard's blueprint (its loopback-only rule applies)."""

    @bp.get("/api/functions")
    def list_functions() -> Response:
        response = jsonify({"functions": source.listing()})
        response.headers["Cache-Control"] = "no-store"
        return response

    @bp.get("/functions")
    def functions_page() -> str:
        return render_template("dashboard/functions.html", functions=source.listing(), refresh_ms=REFRESH_MS)
