"""Changes made in the admin site, on the audit trail like every other change.

:class:`AuditedModelAdmin` writes one row per admin action, in the transaction of the change
(the admin's add, change and delete views run in one, and so does every request:
``ATOMIC_REQUESTS``), so a change whose row cannot be written is undone:

* ``admin_created`` / ``admin_changed`` / ``admin_deleted``: the object, by its item type (a
  record's kind, ``membership``, ``account``...) and id, in the account it belongs to (found
  through ``tenancy.scoping.account_path``); a change names each changed field by its label with
  its value before and after (``{"changed": {"Can Push to Accounting": ["No", "Yes"]}}``), a
  secret field by its name only (``secrets_changed``), never its value;
* ``admin_lines_changed``: lines added, changed or deleted in an inline, on the parent's row.

A row keeps plain ids, so deleting the object keeps its trail.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.forms import BaseModelFormSet, ModelForm
from django.http import HttpRequest
from django.utils.text import capfirst

from audit.services import Change, audit_rows
from tenancy.models import Account
from tenancy.scoping import DIRECT, account_path

CREATED, CHANGED, DELETED, LINES_CHANGED = (
    "admin_created",
    "admin_changed",
    "admin_deleted",
    "admin_lines_changed",
)


def shown(value: Any) -> str:
    """A field's value as the trail writes it: a flag as "Yes"/"No" (as the permission rows
    do), a related record by its name, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dict | list):  # a JSON field's value
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def names(related: Iterable[Any]) -> str:
    """Related records (a many-to-many field's) by their names."""
    return ", ".join(sorted(str(v) for v in related))


def field_value(obj: models.Model, field: Any) -> str:
    """``field`` of ``obj`` in words: a choice by its label."""
    if field.many_to_many:
        return names(getattr(obj, field.name).all()) if obj.pk else ""
    value = getattr(obj, field.name) if field.is_relation else field.value_from_object(obj)
    choices = dict(field.flatchoices) if field.choices else {}
    return str(choices.get(value, value)) if choices and value in choices else shown(value)


def account_id_of(obj: models.Model) -> int:
    """The account ``obj`` belongs to (the account itself for an account)."""
    if isinstance(obj, Account):
        return int(obj.pk)
    current: Any = obj
    for step in account_path(type(obj)).split("__")[:-1]:
        current = getattr(current, step)
    return int(getattr(current, f"{DIRECT}_id"))


class AuditedModelAdmin(admin.ModelAdmin):
    """A model admin whose every save and delete writes its audit row (see the module)."""

    # Fields whose values never reach the trail: a change names them only.
    audit_secret_fields: tuple[str, ...] = ()

    def audit_item_type(self, obj: models.Model) -> str:
        """The object's type in the trail: the model's name in snake case (``erp_connection``),
        as the services' rows name it."""
        return str(type(obj)._meta.verbose_name).replace(" ", "_")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # An object stays in the account it was created in, as everywhere in the portal.
        fields = tuple(super().get_readonly_fields(request, obj))
        direct = any(f.name == DIRECT for f in self.model._meta.concrete_fields)
        return (*fields, DIRECT) if obj is not None and direct and DIRECT not in fields else fields

    # --- Writing the rows ------------------------------------------------------------------

    def _write(
        self, request: HttpRequest, obj: models.Model, verb: str, data: Mapping[str, Any]
    ) -> None:
        change = Change(
            account_id=account_id_of(obj),
            item_type=self.audit_item_type(obj),
            item_id=int(obj.pk),
            verb=verb,
            data={"object": str(obj), **data},
        )
        audit_rows(request.user, [change])

    def _changes(
        self, before: models.Model, after: models.Model, form: ModelForm[Any] | None, names: Any
    ) -> dict[str, Any]:
        """``{"changed": {label: [old, new]}, "secrets_changed": [labels]}`` of the fields
        ``names`` whose values really differ (a form reports some that do not)."""
        changed: dict[str, list[str]] = {}
        secrets: list[str] = []
        for name in names:
            try:
                field = type(after)._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if not isinstance(field, models.Field):
                continue
            label = str(capfirst(field.verbose_name))
            if field.many_to_many and form is not None:
                new = names(form.cleaned_data.get(name) or [])
            else:
                new = field_value(after, field)
            old = field_value(before, field)
            if old == new:
                continue
            if name in self.audit_secret_fields:
                secrets.append(label)
            else:
                changed[label] = [old, new]
        data: dict[str, Any] = {"changed": changed} if changed else {}
        if secrets:
            data["secrets_changed"] = sorted(secrets)
        return data

    @staticmethod
    def _stored(obj: models.Model) -> models.Model:
        return type(obj)._base_manager.get(pk=obj.pk)

    # --- The admin's hooks -----------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = self._stored(obj) if change and obj.pk else None
            super().save_model(request, obj, form, change)
            if before is None:
                self._write(request, obj, CREATED, {})
                return
            data = self._changes(before, obj, form, form.changed_data)
            if data:
                self._write(request, obj, CHANGED, data)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            self._write(request, obj, DELETED, {})
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                self._write(request, obj, DELETED, {})
            super().delete_queryset(request, queryset)

    def save_formset(
        self, request: HttpRequest, form: Any, formset: BaseModelFormSet[Any, Any], change: bool
    ) -> None:
        with transaction.atomic():
            stored = {
                line.instance.pk: self._stored(line.instance)
                for line in formset.forms
                if line.instance.pk and line.has_changed()
            }
            super().save_formset(request, form, formset, change)
            self._lines_row(request, form.instance, formset, stored)

    def _lines_row(
        self,
        request: HttpRequest,
        parent: models.Model,
        formset: BaseModelFormSet[Any, Any],
        stored: Mapping[Any, models.Model],
    ) -> None:
        changed: dict[str, Any] = {}
        for line, names in formset.changed_objects:
            if line.pk not in stored:
                continue
            found = self._changes(stored[line.pk], line, None, names)
            for label, pair in found.get("changed", {}).items():
                changed[f"{line}: {label}"] = pair
        lines = type(parent)._meta if formset.model is None else formset.model._meta
        data: dict[str, Any] = {"lines": str(capfirst(lines.verbose_name_plural))}
        if formset.new_objects:
            data["added"] = "; ".join(str(line) for line in formset.new_objects)
        if changed:
            data["changed"] = changed
        if formset.deleted_objects:
            data["deleted"] = "; ".join(str(line) for line in formset.deleted_objects)
        if len(data) > 1:
            self._write(request, parent, LINES_CHANGED, data)


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """An admin that shows, never adds, changes or deletes: for data whose every change goes
    through a service that checks who may make it and writes its audit row."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
