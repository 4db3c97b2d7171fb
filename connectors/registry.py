"""The closed registry of connectors: the built-ins, plus those other packages register through
the ``erp_portal.connectors`` entry-point group."""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points
from typing import TypeVar

from connectors.base import Connector

ENTRY_POINT_GROUP = "erp_portal.connectors"
_BUILT_INS: dict[str, type[Connector]] = {}
C = TypeVar("C", bound=type[Connector])


def builtin(cls: C) -> C:
    """Class decorator: list a connector that ships with the portal."""
    _BUILT_INS[cls.key] = cls
    return cls


@cache
def available() -> dict[str, type[Connector]]:
    """Every connector by key: built-ins first; a plugin may not replace one."""
    import connectors.sandbox  # noqa: F401  (registers itself)
    from connectors import tryton  # noqa: F401  (registers itself)

    found = dict(_BUILT_INS)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        cls = entry.load()
        if not (isinstance(cls, type) and issubclass(cls, Connector)):
            raise TypeError(f"Entry point {entry.name} is not a Connector class.")
        found.setdefault(cls.key, cls)
    return found


def connector_class(key: str) -> type[Connector]:
    try:
        return available()[key]
    except KeyError:
        raise LookupError(f"No connector is registered as {key!r}.") from None
