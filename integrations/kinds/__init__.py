"""The one registry of record kinds (see :mod:`integrations.kinds.base`); importing this package
declares them all."""

from importlib import import_module

from integrations.kinds.base import (
    TABS,
    Api,
    Erp,
    IdFilter,
    Kind,
    Lines,
    Web,
    by_object_type,
    exportable,
    exportable_types,
    is_exportable,
    kind,
    kind_of,
    kinds,
    kinds_in_tab,
    register,
)

# The modules that declare kinds, in the order users see the kinds (tabs, tiles, queue tabs).
for _module in ("directory", "contracts", "costs"):
    import_module(f"integrations.kinds.{_module}")

__all__ = [
    "TABS",
    "Api",
    "Erp",
    "IdFilter",
    "Kind",
    "Lines",
    "Web",
    "by_object_type",
    "exportable",
    "exportable_types",
    "is_exportable",
    "kind",
    "kind_of",
    "kinds",
    "kinds_in_tab",
    "register",
]
