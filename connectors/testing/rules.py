"""Breaking a declared rule on a sample payload, for the checks of the rules' messages."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from connectors.base import Check as C
from connectors.base import Rule
from connectors.payloads import Payload


def _optional(owner: Any, name: str) -> bool:
    for f in dataclasses.fields(owner):
        if f.name == name:
            return "None" in str(f.type)
    return True


def _bad_value(owner: Any, name: str, rule: Rule) -> Any:
    current = getattr(owner, name)
    match rule.check:
        case C.PRESENT:
            if isinstance(current, str) and not _optional(owner, name):
                return ""
            return None
        case C.MAX_LENGTH:
            return "X" * (int(rule.value) + 1)
        case C.POSITIVE:
            return Decimal("0")
        case C.ONE_OF:
            candidates: list[Any] = [not current] if isinstance(current, bool) else []
            candidates += [f"not-{current}", None]
            return next(c for c in candidates if c not in rule.value)
        case C.NOT_EMPTY:
            return type(current)()
    raise ValueError(f"Cannot break a {rule.check} rule.")


def violate(payload: Payload, rule: Rule) -> tuple[Payload, int | None]:
    """``payload`` changed to break ``rule``: a rule on ``lines.x`` breaks the last line (its
    position is returned), one on ``address.x`` the nested record, others the field itself."""
    record: Any = payload  # replace() of a union of dataclasses takes no **changes in mypy
    head, _, attr = rule.field.partition(".")
    parent = getattr(record, head)
    if not attr:
        return dataclasses.replace(record, **{head: _bad_value(record, head, rule)}), None
    if isinstance(parent, list | tuple):
        if not parent:
            raise ValueError(f"The sample has no {head} to break {rule.field} on.")
        line = parent[-1]
        bad = dataclasses.replace(line, **{attr: _bad_value(line, attr, rule)})
        lines = type(parent)([*parent[:-1], bad])
        return dataclasses.replace(record, **{head: lines}), int(line.position)
    nested = dataclasses.replace(parent, **{attr: _bad_value(parent, attr, rule)})
    return dataclasses.replace(record, **{head: nested}), None
