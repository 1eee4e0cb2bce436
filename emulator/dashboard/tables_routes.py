"""The tables browser's routes on the dashboard's blueprint (loopback-only like the rest of it).

JSON API (``format=dynamodb`` (default) or ``plain``: see :mod:`.item_json`; values of attributes
named like secrets masked unless ``reveal=1``, key attributes never: they are the item's address):

- ``GET /_emulator/api/tables``: the template's tables (:meth:`.TableBrowser.describe` each);
  ``GET /_emulator/api/tables/<name>``: one.
- ``GET /_emulator/api/tables/<name>/items[?limit=25&cursor=...]``: a page of a scan, or of a query
  with ``pk=VALUE`` (``index=NAME`` for an index; ``sk_op=eq|begins_with&sk=VALUE``);
  ``cursor`` is the previous page's ``cursor`` (null on the last page).
- ``GET|DELETE /_emulator/api/tables/<name>/item?key=JSON``: one item by its key.
- ``PUT /_emulator/api/tables/<name>/item[?key=JSON]``: the body replaces the item (or creates it);
  ``key``, the key of the item edited, must be the body's own key (a changed key is refused: 400).

Errors: unknown table 404, bad input 400 (DynamoDB's ValidationException with DynamoDB's message),
an endpoint that fails 502/503; always ``{"error": {"code", "message"}}``.

Pages: ``/_emulator/tables`` and ``/_emulator/tables/<name>`` (the same query parameters).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request

from emulator.dashboard import masking
from emulator.dashboard.item_json import FORMATS, ItemError, decode_cursor, parse_item, to_json
from emulator.dashboard.tables import (
    MAX_LIMIT,
    DynamoDbRejected,
    ItemNotFound,
    ItemQuery,
    KeyChanged,
    TableBrowser,
    TableNotFound,
)
from emulator.idp.blueprint import error_response

DEFAULT_LIMIT = 25
PAGE_LIMITS = (10, 25, 50, 100)


def add_table_routes(bp: Blueprint, tables: TableBrowser) -> None:
    """The API and the pages on ``bp`` (the dashboard's blueprint)."""

    def answered(make: Callable[[], Response | tuple[str, int] | str]) -> Any:
        """``make``'s answer, or the JSON error its failure stands for."""
        try:
            return make()
        except TableNotFound as exc:
            return error_response(404, "table_not_found", str(exc))
        except ItemNotFound as exc:
            return error_response(404, "item_not_found", str(exc))
        except KeyChanged as exc:
            return error_response(400, "key_changed", str(exc))
        except ItemError as exc:
            return error_response(400, "validation_error", str(exc))
        except DynamoDbRejected as exc:
            return error_response(exc.status, exc.code, exc.message)

    # -- JSON API ----------------------------------------------------------------------------------

    @bp.get("/api/tables")
    def list_tables() -> Any:
        return answered(lambda: _json({"tables": [tables.describe(name) for name in tables.table_names]}))

    @bp.get("/api/tables/<name>")
    def describe_table(name: str) -> Any:
        return answered(lambda: _json(tables.describe(name)))

    @bp.get("/api/tables/<name>/items")
    def list_items(name: str) -> Any:
        def page() -> Response:
            fmt, shown = _format(), _page(tables, name)
            keys = [attribute.name for attribute in shown["keys"].attributes]
            items = [_shown(to_json(item, fmt), keys) for item in shown["items"]]
            return _json(
                {
                    "items": items,
                    "count": len(items),
                    "cursor": shown["cursor"],
                    "format": fmt,
                    "masked": not _reveal(),
                }
            )

        return answered(page)

    @bp.get("/api/tables/<name>/item")
    def get_item(name: str) -> Any:
        def item() -> Response:
            fmt = _format()
            found = tables.get_item(name, _key_param(fmt, required=True))
            keys = [attribute.name for attribute in tables.shape(name).keys.attributes]
            return _json({"item": _shown(to_json(found, fmt), keys), "format": fmt, "masked": not _reveal()})

        return answered(item)

    @bp.put("/api/tables/<name>/item")
    def put_item(name: str) -> Any:
        def put() -> Response:
            fmt = _format()
            item = parse_item(request.get_data(as_text=True), fmt)
            key = tables.put_item(name, item, edited_key=_key_param(fmt, required=False))
            return _json({"key": to_json(key, "dynamodb")})

        return answered(put)

    @bp.delete("/api/tables/<name>/item")
    def delete_item(name: str) -> Any:
        def delete() -> Response:
            key = _key_param(_format(), required=True)
            tables.delete_item(name, key)
            return _json({"deleted": to_json(key, "dynamodb")})

        return answered(delete)

    # -- pages -------------------------------------------------------------------------------------

    @bp.get("/tables")
    def tables_page() -> Any:
        described, problem = [], None
        try:
            described = [tables.describe(name) for name in tables.table_names]
        except (TableNotFound, DynamoDbRejected) as exc:
            problem = str(exc)
        return render_template("dashboard/tables.html", tables=described, problem=problem)

    @bp.get("/tables/<name>")
    def table_page(name: str) -> Any:
        try:
            table = tables.describe(name)
        except TableNotFound as exc:
            return render_template("dashboard/tables.html", tables=[], problem=str(exc)), 404
        except DynamoDbRejected as exc:
            return render_template("dashboard/tables.html", tables=[], problem=exc.message), exc.status
        problem, shown, status, limit = None, None, 200, DEFAULT_LIMIT
        try:
            limit = _limit()
            shown = _page(tables, name)
        except (ItemError, DynamoDbRejected) as exc:
            problem, status = str(exc), getattr(exc, "status", 400)
        return (
            render_template(
                "dashboard/table.html",
                table=table,
                query=_query(),
                limit=limit,
                limits=sorted({*PAGE_LIMITS, limit}),
                rows=_rows(shown) if shown else None,
                cursor=shown["cursor"] if shown else None,
                problem=problem,
                reveal=_reveal(),
                page_args={key: value for key, value in request.args.items() if key != "cursor"},
                reveal_args={key: value for key, value in request.args.items() if key != "reveal"},
            ),
            status,
        )


def _page(tables: TableBrowser, name: str) -> dict[str, Any]:
    cursor = request.args.get("cursor", "")
    return tables.items(
        name, limit=_limit(), cursor=decode_cursor(cursor) if cursor else None, query=_query()
    )


def _rows(shown: dict[str, Any]) -> dict[str, Any]:
    """The page's table: key columns first (the table's, then the index's), then the rest by name."""
    keys = [attribute.name for attribute in shown["keys"].attributes]
    columns = list(dict.fromkeys(keys + [attribute.name for attribute in shown["indexKeys"].attributes]))
    others = sorted({name for item in shown["items"] for name in item} - set(columns))
    rows = []
    for item in shown["items"]:
        wire = _shown(to_json(item, "dynamodb"), keys)
        key = {name: wire[name] for name in keys}
        rows.append({"key": json.dumps(key), "cells": [_cell(wire.get(name)) for name in columns + others]})
    return {"columns": columns + others, "keyCount": len(keys), "items": rows}


def _cell(value: dict[str, Any] | None) -> str:
    """An attribute as a table cell: a string or number as its text, anything else as compact JSON."""
    if value is None:
        return ""
    [(tag, inner)] = value.items()
    if tag in ("S", "N", "B"):  # binary: its base64
        return str(inner)
    return json.dumps(_unwrapped(value), ensure_ascii=False)


def _unwrapped(value: dict[str, Any]) -> Any:
    [(tag, inner)] = value.items()
    if tag == "M":
        return {key: _unwrapped(item) for key, item in inner.items()}
    if tag == "L":
        return [_unwrapped(item) for item in inner]
    if tag == "NULL":
        return None
    return inner


def _shown(item: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    """Secrets masked (unless revealed); key attributes as they are."""
    if _reveal():
        return item
    return {
        name: value if name in keys else masking.mask_tree({name: value})[name]
        for name, value in item.items()
    }


def _key_param(fmt: str, *, required: bool) -> dict[str, Any] | None:
    text = request.args.get("key", "")
    if not text:
        if required:
            raise ItemError(
                'key is required: the item\'s key attributes as JSON, e.g. key={"pk": {"S": "a"}}'
            )
        return None
    key_format = request.args.get("key_format", fmt)  # the page sends keys as DynamoDB JSON
    if key_format not in FORMATS:
        raise ItemError(f"key_format must be one of {', '.join(FORMATS)}")
    return parse_item(text, key_format, what="key")


def _query() -> ItemQuery:
    args = request.args
    return ItemQuery(
        index=args.get("index", ""),
        partition=args.get("pk", ""),
        sort_condition=args.get("sk_op", "") if args.get("sk", "") else "",  # no value: no condition
        sort=args.get("sk", ""),
    )


def _limit() -> int:
    text = request.args.get("limit", str(DEFAULT_LIMIT))
    try:
        limit = int(text)
    except ValueError:
        raise ItemError("limit must be a whole number") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise ItemError(f"limit must be from 1 to {MAX_LIMIT}")
    return limit


def _format() -> str:
    fmt = request.args.get("format", "dynamodb")
    if fmt not in FORMATS:
        raise ItemError(f"format must be one of {', '.join(FORMATS)}")
    return fmt


def _reveal() -> bool:
    return request.args.get("reveal", "") in ("1", "true", "yes")


def _json(body: dict[str, Any]) -> Response:
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response
