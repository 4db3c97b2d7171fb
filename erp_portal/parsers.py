"""The API's JSON parser: a body nested deeper than any record needs is a 400, not a crash."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# Containers inside containers: a record with lines is 3 deep; 64 leaves room for any client.
MAX_DEPTH = 64
TOO_DEEP = "The JSON body is nested too deeply."


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than :data:`MAX_DEPTH` (a deep enough
    body makes the decoder raise ``RecursionError``: a server error without this)."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        if too_deep(data):
            raise ParseError(TOO_DEEP)
        return data


def too_deep(data: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether ``data`` nests lists and objects more than ``limit`` deep (walked without
    recursion)."""
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False
