"""Resource trees and method selection, as API Gateway REST APIs route a request.

A REST API is a tree of *resources* (``/users``, ``/users/{id}``, ``/{proxy+}``), each with
*methods* (``GET``, ``ANY``...). API Gateway resolves the request path and the method as one
step: the most specific resource **that has a usable method** wins, literal segments before
``{param}`` segments before a greedy ``{proxy+}``; when the most specific path match lacks the
verb, matching falls through to a less specific resource that has it (measured on real API
Gateway, e.g. ``POST /jobs/reboot`` reaching ``/{proxy+} ANY`` when ``/jobs/{op}`` only has
GET). An exact verb beats ``ANY`` on the same resource. Nothing usable at all: 403
``{"message":"Missing Authentication Token"}`` -- the same answer for an unknown path and a
known path with the wrong verb.

Paths: a trailing slash is ignored for matching (``/a/`` reaches ``/a``, as deployed REST APIs
do), a greedy ``{proxy+}`` needs at least one segment (it never matches ``/`` itself), and a
request is answered both under ``/{stage}/...`` (the real invoke URL) and without the stage
prefix (as ``sam local start-api`` does). Paths arrive here already URL-decoded (WSGI's
PATH_INFO), so parameter values are the decoded text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from emulator.template.model import Route

# SAM adds a MOCK OPTIONS method to every path when the API has Cors; the router knows it as
# this marker so that "is there an OPTIONS method here" follows the same most-specific rule.
CORS_PREFLIGHT = "CORS_PREFLIGHT"


@dataclass(frozen=True)
class Method:
    """One method of a resource: a Lambda proxy integration, or SAM's CORS mock."""

    http_method: str  # "GET", ..., or "ANY"
    resource_path: str  # the template path, e.g. "/users/{id}"
    route: Route | None  # None for the CORS preflight mock

    @property
    def is_cors_preflight(self) -> bool:
        return self.route is None


@dataclass(frozen=True)
class RouteMatch:
    api_id: str
    stage: str
    method: Method
    path: str  # the request path without the stage prefix, as received (trailing slash kept)
    path_parameters: Mapping[str, str] | None  # None when the resource has no parameters

    @property
    def resource_path(self) -> str:
        return self.method.resource_path


@dataclass
class ResourceNode:
    """One resource of the tree; children keyed by their literal segment or parameter kind."""

    path: str
    literal_children: dict[str, ResourceNode] = field(default_factory=dict)
    param_child: ResourceNode | None = None
    param_name: str | None = None
    greedy_child: ResourceNode | None = None
    greedy_name: str | None = None
    methods: dict[str, Method] = field(default_factory=dict)

    def child_for(self, segment: str) -> ResourceNode:
        child_path = f"{self.path.rstrip('/')}/{segment}"
        if segment.startswith("{") and segment.endswith("+}"):
            if self.greedy_child is None:
                self.greedy_child = ResourceNode(child_path)
                self.greedy_name = segment[1:-2]
            return self.greedy_child
        if segment.startswith("{") and segment.endswith("}"):
            if self.param_child is None:
                self.param_child = ResourceNode(child_path)
                self.param_name = segment[1:-1]
            return self.param_child
        return self.literal_children.setdefault(segment, ResourceNode(child_path))

    def method_for(self, http_method: str) -> Method | None:
        # An explicit verb on a resource wins over its ANY method.
        return self.methods.get(http_method) or self.methods.get("ANY")


def split_path(path: str) -> list[str]:
    """Segments of a path; empty segments (trailing or doubled slashes) are ignored."""
    return [segment for segment in path.split("/") if segment]


class ResourceTree:
    """The resources and methods of one REST API."""

    def __init__(self, api_id: str, routes: Iterable[Route], *, cors: bool = False) -> None:
        self.api_id = api_id
        self.root = ResourceNode("/")
        self._nodes: list[ResourceNode] = []
        for route in routes:
            self._add(route)
        if cors:
            # SAM's Cors: an OPTIONS MOCK method on every path of the API, unless the template
            # declares its own OPTIONS there.
            for node in self._nodes:
                node.methods.setdefault("OPTIONS", Method("OPTIONS", node.path, None))

    def _add(self, route: Route) -> None:
        node = self.root
        segments = split_path(route.path)
        for index, segment in enumerate(segments):
            if segment.endswith("+}") and index != len(segments) - 1:
                raise ValueError(f"greedy path variable must be the last segment: {route.path}")
            node = node.child_for(segment)
        if node not in self._nodes:
            self._nodes.append(node)
        node.methods[route.method] = Method(route.method, node.path, route)

    def methods_by_path(self) -> dict[str, list[str]]:
        """Every resource path and its verbs (for CORS AllowMethods and the banner)."""
        return {node.path: list(node.methods) for node in self._nodes}

    def find(self, http_method: str, path: str) -> tuple[Method, dict[str, str]] | None:
        segments = split_path(path)
        for node, params in self._candidates(self.root, segments, 0, {}):
            method = node.method_for(http_method)
            if method is not None:
                return method, params
        return None

    def _candidates(
        self, node: ResourceNode, segments: list[str], index: int, params: dict[str, str]
    ) -> Iterator[tuple[ResourceNode, dict[str, str]]]:
        """Resources matching the path, most specific first (depth-first, backtracking)."""
        if index == len(segments):
            yield node, params
            return
        segment = segments[index]
        literal = node.literal_children.get(segment)
        if literal is not None:
            yield from self._candidates(literal, segments, index + 1, params)
        if node.param_child is not None and node.param_name is not None:
            yield from self._candidates(
                node.param_child, segments, index + 1, {**params, node.param_name: segment}
            )
        if node.greedy_child is not None and node.greedy_name is not None:
            rest = "/".join(segments[index:])
            yield node.greedy_child, {**params, node.greedy_name: rest}


@dataclass(frozen=True)
class StagedApi:
    api_id: str
    stage: str
    tree: ResourceTree


class Router:
    """All REST APIs of the app, answering under ``/{stage}/...`` and without the stage prefix."""

    def __init__(self, apis: Iterable[StagedApi]) -> None:
        self.apis = list(apis)
        self._stages = {api.stage for api in self.apis}

    def route(self, http_method: str, request_path: str) -> RouteMatch | None:
        segments = request_path.split("/", 2)  # ["", first, rest]
        first = segments[1] if len(segments) > 1 else ""
        if first in self._stages:
            # The real invoke URL shape: /{stage}/resource... -- only that stage's APIs.
            unstaged = "/" + (segments[2] if len(segments) > 2 else "")
            match = self._match(http_method, unstaged, stage=first)
            if match is not None:
                return match
        return self._match(http_method, request_path or "/", stage=None)

    def _match(self, http_method: str, path: str, *, stage: str | None) -> RouteMatch | None:
        for api in self.apis:
            if stage is not None and api.stage != stage:
                continue
            found = api.tree.find(http_method, path)
            if found is not None:
                method, params = found
                return RouteMatch(api.api_id, api.stage, method, path, params or None)
        return None
