"""Bodies for the web walk with another account's ids, and what tells that none was taken.

- :func:`page_form` reads the form a page shows for its own address, filled as the page fills
  it (what a browser would send back);
- :func:`with_ids` puts other ids in every field that names an object;
- :func:`account_fingerprint` hashes one account's rows (a request in another account may
  change that one's, never these);
- :func:`cross_links` lists the rows of one account that point at another account's objects.

Nothing here knows about particular routes; ``tests/test_every_route_guarded.py`` holds that.
"""

from __future__ import annotations

import functools
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from django.db.models import Model
from django.db.models.fields.related import RelatedField

from tenancy.scoping import AccountScopedQuerySet, account_path
from tests.routes import project_models

Body = dict[str, Any]
SKIPPED_INPUTS = {"submit", "button", "reset", "file", "image"}


class _Forms(HTMLParser):
    """The POST forms of a page: (action, fields as a browser sends them)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, Body]] = []
        self.form: Body | None = None
        self.select: tuple[str, bool] | None = None  # name, multiple
        self.first_option: str | None = None
        self.textarea: str | None = None

    def add(self, name: str, value: str) -> None:
        assert self.form is not None
        self.form.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self.form = {}
            self.forms.append((a.get("action", ""), self.form))
        if self.form is None or "disabled" in a:
            return
        name = a.get("name", "")
        if tag == "input" and name and a.get("type", "text").lower() not in SKIPPED_INPUTS:
            if a.get("type", "").lower() not in ("checkbox", "radio") or "checked" in a:
                self.add(name, a.get("value", "on" if a.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self.select, self.first_option = (name, "multiple" in a), None
        elif tag == "option" and self.select is not None:
            if self.first_option is None:
                self.first_option = a.get("value", "")
            if "selected" in a:
                self.add(self.select[0], a.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self.add(name, "")

    def handle_data(self, data: str) -> None:
        if self.form is not None and self.textarea is not None:
            self.form[self.textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self.select is not None and self.form is not None:
            name, multiple = self.select
            if name not in self.form and not multiple and self.first_option is not None:
                self.add(name, self.first_option)
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.form = None


def page_form(html: str, path: str) -> Body:
    """The fields of the POST forms of ``html`` that post to ``path`` (or to the page itself)."""
    parser = _Forms()
    parser.feed(html)
    body: Body = {}
    for action, fields in parser.forms:
        if not action or urlsplit(action).path == path:
            body.update(fields)
    return body


def with_ids(body: Body, ids: Body) -> Body:
    """``body`` with ``ids`` in every field they name, and in a formset's first row
    (``lines-0-vendor`` takes ``vendor``: the other rows keep theirs, rows may not repeat one
    another), and the names no field has added."""
    out = dict(ids)
    for name, value in body.items():
        row, _, key = name.rpartition("-")
        first_row = row.rpartition("-")[2] in ("", "0")
        out[name] = ids.get(key, value) if first_row and not _links_parent(body, name) else value
    return out


def _links_parent(body: Body, name: str) -> bool:
    """Whether ``name`` is an inline formset's link to the record of the page: the same value,
    not empty, in every row of the formset (``lines-0-invoice``, ``lines-1-invoice``...)."""
    prefix, _, rest = name.partition("-")
    index, _, key = rest.partition("-")
    if not index.isdigit() or not key:
        return False
    values = {
        str(value)
        for other, value in body.items()
        if other.startswith(f"{prefix}-") and other.endswith(f"-{key}")
    }
    rows = sum(1 for other in body if other.startswith(f"{prefix}-") and other.endswith(f"-{key}"))
    return rows > 1 and len(values) == 1 and values != {""}


@functools.cache
def scoped_models() -> tuple[type[Model], ...]:
    """The models of account data (their manager narrows to one account)."""
    return tuple(
        m for m in project_models() if isinstance(m._default_manager.all(), AccountScopedQuerySet)
    )


def _rows(model: type[Model], account: Any) -> Any:
    return model._default_manager.all().for_account(account)


def account_fingerprint(account: Any) -> dict[str, int]:
    """A hash of every row of ``account``'s data, model by model."""
    out = {}
    for model in scoped_models():
        fields = [f.attname for f in model._meta.concrete_fields]
        rows = _rows(model, account).order_by("pk").values_list(*fields)
        out[model._meta.label] = hash(repr(list(rows)))
    return out


def cross_links(inside: Any, outside: Any) -> list[str]:
    """``Model.field`` for each row of ``inside`` that points at an object of ``outside``."""
    found = []
    for model in scoped_models():
        for field in model._meta.get_fields():
            target = field.related_model
            if not isinstance(field, RelatedField) or target not in scoped_models():
                continue
            path = f"{field.name}__{account_path(target)}"
            if _rows(model, inside).filter(**{path: outside}).exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found
