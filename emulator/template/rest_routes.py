"""A REST API's routes: its definition's methods merged with the ``Api`` events that name it, the
way SAM's translator merges them, then authorization applied as API Gateway reads it.

SAM (``aws-sam-translator``, ``eventsources/push.py`` and ``api/api_generator.py``), in order:

1. each ``Api`` event adds its path and method to the definition SAM writes for an API without a
   ``DefinitionBody`` (two events on one method: ``API method "get" defined multiple times``). An
   API with its own ``DefinitionBody`` or ``DefinitionUri`` is used as it is: events are NOT added
   to it (a warning says so), unless ``MergeDefinitions: true``, where an event's method replaces the
   definition's; an event's ``Auth`` with ``OverrideApiAuth: true`` still sets its method's authorizer;
2. ``Cors`` adds an OPTIONS mock to every path (the gateway's :mod:`~emulator.apigateway.cors`);
3. ``Auth``: the ``DefaultAuthorizer`` goes on every method of every path -- the definition's own
   included -- whose security names no authorizer of ``Auth.Authorizers`` (nor ``AWS_IAM``), unless
   it says ``NONE``; ``ApiKeyRequired`` likewise.

API Gateway then reads each method's ``security`` (else the definition's top-level one): the first
requirement naming an authorizer is the method's authorizer; one naming an API key scheme requires
``x-api-key``. Authorizers that are not Lambda ones (Cognito, IAM) are not emulated: the method is
served without authorization, with a warning.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from emulator.errors import TemplateError
from emulator.template.model import IMPLICIT_API_ID, RestApiSpec, Route, TemplateNotes
from emulator.template.openapi import Definition, MethodDraft

NONE_AUTHORIZER = "NONE"
AWS_IAM = "AWS_IAM"


@dataclass(frozen=True)
class ApiEvent:
    function_id: str
    event_name: str
    properties: Mapping[str, Any]


@dataclass(frozen=True)
class ApiDefinition:
    """An API's own definition; ``merge_events``: ``MergeDefinitions: true`` (inline only)."""

    definition: Definition
    merge_events: bool = False


@dataclass
class _Draft:
    method: MethodDraft
    from_event: bool
    api_key_required: bool | None = None  # an event's own ApiKeyRequired


def _event_draft(event: ApiEvent, where: str) -> _Draft:
    props = event.properties
    path, method = props.get("Path"), props.get("Method")
    if not isinstance(path, str) or not path.startswith("/"):
        raise TemplateError(f"{where}: Path must be a string starting with '/', got {path!r}")
    if not isinstance(method, str) or not method:
        raise TemplateError(f"{where}: Method is missing")
    auth = props.get("Auth") or {}
    if not isinstance(auth, dict):
        raise TemplateError(f"{where}: Auth must be a mapping")
    authorizer = auth.get("Authorizer")
    if authorizer is not None and not isinstance(authorizer, str):
        raise TemplateError(f"{where}: Auth.Authorizer must be an authorizer name or NONE")
    security = None if authorizer is None else [{authorizer: []}]
    key_required = auth.get("ApiKeyRequired")
    draft = MethodDraft(
        path, method.upper(), function_id=event.function_id, security=security, event_name=event.event_name
    )
    return _Draft(draft, True, None if key_required is None else str(key_required).lower() == "true")


def _merge(
    api_id: str,
    definition: ApiDefinition | None,
    events: Iterable[ApiEvent],
    *,
    source: str,
    notes: TemplateNotes,
) -> list[_Draft]:
    drafts: dict[tuple[str, str], _Draft] = {}
    if definition is not None:
        for method in definition.definition.methods:
            drafts.setdefault((method.path, method.method), _Draft(method, False))
    for event in events:
        where = f"{source}: function {event.function_id}, event {event.event_name}"
        draft = _event_draft(event, where)
        key = (draft.method.path, draft.method.method)
        existing = drafts.get(key)
        if definition is not None and not definition.merge_events:
            auth = event.properties.get("Auth")
            if existing is not None and isinstance(auth, dict) and auth.get("OverrideApiAuth"):
                existing.method.security = draft.method.security
            elif existing is None or existing.method.function_id != event.function_id:
                notes.ignore(
                    "Api events on an API with its own definition are not added to it (as on AWS; "
                    "MergeDefinitions: true adds them)",
                    f"{event.function_id}.{event.event_name} ({key[1]} {key[0]} on {api_id})",
                )
            continue
        if existing is not None and existing.from_event:
            raise TemplateError(
                f"{where}: {key[1]} {key[0]} is already served by {existing.method.function_id} "
                f"(event {existing.method.event_name})"
            )
        if existing is not None and draft.method.security is None:
            draft.method.security = existing.method.security  # the definition's method, now integrated
        drafts[key] = draft
    return list(drafts.values())


def _authorization(
    draft: _Draft, api: RestApiSpec, definition: Definition | None, api_auth: Mapping[str, Any], where: str
) -> tuple[str | None, bool, str | None]:
    """(Lambda authorizer, API key required, a declared authorizer that is not emulated)."""
    sam_declared = set(api_auth.get("Authorizers") or {}) | {AWS_IAM}
    security = draft.method.security
    if security is None and not draft.from_event and definition is not None:
        security = definition.security
    names = [str(name) for entry in security or [] if isinstance(entry, dict) for name in entry]
    unsupported = definition.unsupported_authorizers if definition is not None else {}
    authorizers = set(api.authorizers) | set(unsupported) | sam_declared
    chosen = next((name for name in names if name in authorizers), None)
    if NONE_AUTHORIZER in names:
        chosen = None
    elif chosen is None and draft.from_event and names:
        raise TemplateError(
            f"{where}: Auth.Authorizer: authorizer {names[0]} is not defined in Auth.Authorizers"
        )
    elif (chosen is None or chosen not in sam_declared) and _takes_default(draft, api):
        chosen = api.default_authorizer or chosen
    api_key_schemes = definition.api_key_schemes if definition is not None else set()
    key_required = any(name in api_key_schemes for name in names)
    if draft.api_key_required is not None:
        key_required = draft.api_key_required
    elif str(api_auth.get("ApiKeyRequired", False)).lower() == "true":
        key_required = True
    if chosen is not None and chosen not in api.authorizers:
        return None, key_required, chosen
    return chosen, key_required, None


def _takes_default(draft: _Draft, api: RestApiSpec) -> bool:
    # SAM leaves a definition's own OPTIONS methods alone when AddDefaultAuthorizerToCorsPreflight is false.
    return draft.method.method != "OPTIONS" or api.add_default_authorizer_to_cors_preflight


def build_rest_routes(
    events: list[ApiEvent],
    apis: Mapping[str, RestApiSpec],
    api_auth: Mapping[str, Mapping[str, Any]],
    definitions: Mapping[str, ApiDefinition],
    *,
    source: str,
    notes: TemplateNotes,
) -> tuple[tuple[Route, ...], dict[str, RestApiSpec]]:
    """Every REST API's routes, and the APIs with their definitions' authorizers, binary media
    types and gateway responses added (the SAM properties win on a conflict, as SAM writes them last)."""
    events_by_api: dict[str, list[ApiEvent]] = {}
    for event in events:
        api_id = str(event.properties.get("RestApiId") or IMPLICIT_API_ID)
        if api_id not in apis:
            where = f"{source}: function {event.function_id}, event {event.event_name}"
            raise TemplateError(
                f"{where}: RestApiId '{api_id}' is not an AWS::Serverless::Api of the template"
            )
        events_by_api.setdefault(api_id, []).append(event)
    routes: list[Route] = []
    merged_apis: dict[str, RestApiSpec] = {}
    for api_id, api in apis.items():
        definition = definitions.get(api_id)
        body = definition.definition if definition is not None else None
        if body is not None:
            api = replace(
                api,
                authorizers={**body.authorizers, **api.authorizers},
                binary_media_types=tuple(dict.fromkeys([*body.binary_media_types, *api.binary_media_types])),
                gateway_responses={**body.gateway_responses, **api.gateway_responses},
            )
        merged_apis[api_id] = api
        auth = api_auth.get(api_id) or {}
        drafts = _merge(api_id, definition, events_by_api.get(api_id, []), source=source, notes=notes)
        routes.extend(_route(api_id, api, draft, body, auth, source=source, notes=notes) for draft in drafts)
    return tuple(routes), merged_apis


def _route(
    api_id: str,
    api: RestApiSpec,
    draft: _Draft,
    definition: Definition | None,
    api_auth: Mapping[str, Any],
    *,
    source: str,
    notes: TemplateNotes,
) -> Route:
    method = draft.method
    where = f"{source}: function {method.function_id}, event {method.event_name}"
    authorizer, key_required, not_emulated = _authorization(draft, api, definition, api_auth, where)
    label = f"{api_id} {method.method} {method.path}"
    if not_emulated is not None:
        notes.ignore(
            "methods with a Cognito or IAM authorizer (not emulated) are served without authorization",
            f"{label} ({not_emulated})",
        )
    if method.failure is not None:
        notes.ignore("methods whose integration cannot run here answer 502", f"{label}: {method.failure}")
    return Route(
        api_id=api_id,
        path=method.path,
        method=method.method,
        function_id=method.function_id or "",
        event_name=method.event_name,
        authorizer=authorizer,
        api_key_required=key_required,
        mock=method.mock,
        failure=method.failure,
    )
