"""``{% load records %}``: a record's fields as its pages name them."""

from __future__ import annotations

from django import template
from django.db.models import Model
from django.utils.text import capfirst

from integrations.kinds import kind_of

register = template.Library()


@register.filter
def locked_labels(record: Model) -> list[str]:
    """The fields of ``record`` locked while it is with the ERP, in the page's words
    (``Retainage %``, not ``retainage_percent``); none: an empty list."""
    names = getattr(record, "locked_fields", ())
    try:
        web = kind_of(record).web
    except LookupError:
        web = None
    if web is None:
        fields = [record._meta.get_field(n) for n in names]
        return [capfirst(str(getattr(f, "verbose_name", f.name))) for f in fields]
    return [web.label(type(record), name) for name in names]


@register.filter
def lookup(mapping: dict[str, object] | None, key: str) -> object:
    """``row|lookup:key``: a dict's value by a key held in a variable (a report's columns)."""
    return (mapping or {}).get(key)
