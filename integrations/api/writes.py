"""Create and update records (and replace their lines) under the policy, in one transaction.

These are the services the API's serializers call; they know nothing of DRF and raise Django's
``PermissionDenied`` and ``ValidationError`` (a dict naming the field). They are general enough
to move to ``integrations/services.py`` when the web pages need them too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError

from integrations.models import LOCKED_STATES, ErpLinkedModel, ErpState, Project
from permissions.access import require
from permissions.policy import write_action
from permissions.resources import container_field, resource_for
from tenancy.models import Account

M = TypeVar("M", bound=Model)
LineData = Mapping[str, Any]

LINES = "lines"


def project_of(obj: Model) -> Project | None:
    """The project an (even unsaved) record belongs to, by its permission resource's path."""
    path = resource_for(obj).project_path
    if path is None:
        return None
    if path == "pk":
        return obj if isinstance(obj, Project) and obj.pk is not None else None
    target: Any = obj
    for hop in path.split("__"):
        target = getattr(target, hop, None)
        if target is None:
            return None
    return target if isinstance(target, Project) else None


def locked_changes(instance: Model, changes: Mapping[str, Any]) -> dict[str, str]:
    """The locked fields ``changes`` would alter, each with the reason, or ``{}``."""
    if not isinstance(instance, ErpLinkedModel) or instance.erp_state not in LOCKED_STATES:
        return {}
    state = ErpState(instance.erp_state).label
    errors = {}
    for name in instance.locked_fields:
        if name in changes and (name == LINES or changes[name] != getattr(instance, name)):
            label = _label(instance, name)
            errors[name] = (
                f"{label} is locked while the record is '{state}' with the ERP; it cannot change "
                f"until the record is retrieved, rejected or unlinked."
            )
    return errors


def record_create(
    *,
    actor: Any,
    account: Account,
    model: type[M],
    fields: Mapping[str, Any],
    lines: Sequence[LineData] | None = None,
) -> M:
    """Create a ``model`` record in ``account`` (with its lines), if ``actor`` may."""
    obj = model(**fields)
    obj.account = account  # type: ignore[attr-defined]  # every record is a TenantModel
    if hasattr(obj, "created_by_id"):
        obj.created_by = actor  # type: ignore[attr-defined]
    require(actor, write_action(obj), account, obj=obj)
    _check_lines(obj, lines or ())
    with transaction.atomic():
        _validate_constraints(obj)
        obj.save()
        if lines:
            _replace_lines(obj, lines)
    return obj


def record_update(
    *,
    actor: Any,
    account: Account,
    instance: M,
    changes: Mapping[str, Any],
    lines: Sequence[LineData] | None = None,
) -> M:
    """Change ``instance`` (and replace its lines if ``lines`` is given), if ``actor`` may."""
    require(actor, write_action(instance), account, obj=instance)
    asked = {**changes, LINES: lines} if lines is not None else dict(changes)
    errors = {**_moves(instance, changes), **locked_changes(instance, asked)}
    if errors:
        raise ValidationError(errors)
    for name, value in changes.items():
        setattr(instance, name, value)
    if lines is not None:
        _check_lines(instance, lines)
    with transaction.atomic():
        _validate_constraints(instance)
        instance.save()
        if lines is not None:
            _replace_lines(instance, lines)
    return instance


def _label(instance: Model, name: str) -> str:
    if name == LINES:
        return "Lines"
    field = instance._meta.get_field(name)
    return str(getattr(field, "verbose_name", name)).capitalize()


def _validate_constraints(obj: Model) -> None:
    """Unique constraints, with a duplicate reported on the field that makes it one (the
    ``number`` of ``(project, number)``), not on the record as a whole."""
    try:
        obj.validate_constraints()
    except ValidationError as exc:
        errors: dict[str, list[ValidationError]] = {}
        for name, problems in exc.update_error_dict({}).items():
            for problem in problems:
                check = (problem.params or {}).get("unique_check") or ()
                key = check[-1] if name == NON_FIELD_ERRORS and check else name
                errors.setdefault(key, []).append(problem)
        raise ValidationError(errors) from exc


def _moves(instance: Model, changes: Mapping[str, Any]) -> dict[str, str]:
    name = container_field(type(instance))
    if name is None or name not in changes or changes[name] == getattr(instance, name):
        return {}
    return {name: f"A record cannot move to another {_label(instance, name).lower()}."}


def _check_lines(parent: Model, lines: Sequence[LineData]) -> None:
    """Each line's references must fit its parent: cost codes of the parent's project, and
    contract lines of the parent's own commitment or prime contract."""
    project = project_of(parent)
    project_id = project.pk if project is not None else None
    errors = []
    for number, line in enumerate(lines, start=1):
        code = line.get("cost_code")
        if code is not None and code.project_id != project_id:
            errors.append(f"Line {number}: cost code {code} is not on this record's project.")
        own = line.get("commitment_line")
        if own is not None and own.commitment_id != getattr(parent, "commitment_id", None):
            errors.append(f"Line {number}: commitment line {own.pk} is not on this commitment.")
        prime = line.get("prime_line")
        if prime is not None and prime.contract_id != getattr(parent, "prime_contract_id", None):
            errors.append(f"Line {number}: prime line {prime.pk} is not on this prime contract.")
    if errors:
        raise ValidationError({LINES: errors})


def _replace_lines(parent: Model, lines: Sequence[LineData]) -> None:
    """Make the parent's lines exactly ``lines``, in that order: a line with an ``id`` updates
    that line, one without is added, and lines not sent are deleted (refused if something
    refers to them)."""
    manager = getattr(parent, LINES)
    line_model, parent_field = manager.model, manager.field.name
    existing = {line.pk: line for line in manager.all()}
    kept: set[int] = set()
    for position, data in enumerate(lines, start=1):
        values = dict(data)
        pk = values.pop("id", None)
        line = existing.get(pk) if pk is not None else line_model(**{parent_field: parent})
        if line is None:
            raise ValidationError(
                {LINES: [f"Line {position}: id {pk} is not a line of this record."]}
            )
        values.setdefault("position", position)  # the order sent, unless given
        for name, value in values.items():
            setattr(line, name, value)
        line.save()
        kept.add(line.pk)
    stale = [pk for pk in existing if pk not in kept]
    try:
        line_model.objects.filter(pk__in=stale).delete()
    except ProtectedError as exc:
        users = sorted({str(obj._meta.verbose_name_plural) for obj in exc.protected_objects})
        ids = ", ".join(str(pk) for pk in stale)
        raise ValidationError(
            {LINES: [f"Lines with ids {ids} cannot be removed: {', '.join(users)} refer to them."]}
        ) from exc
