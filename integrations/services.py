"""Writes to the domain records: create and update (with their lines), and the account's
settings. The web forms and the API call the same services; each checks the policy, enforces
locked fields and placement, validates constraints, runs in one transaction and writes its
audit row. They raise Django's ``PermissionDenied`` and ``ValidationError`` (a dict naming the
field)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar, cast

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError

from audit.services import Change, audit_rows
from connectors.base import Connector
from erp.connections import connector_class_for
from integrations.kinds import kind_of
from integrations.models import LOCKED_STATES, ErpLinkedModel, ErpState
from integrations.validation import lines_problems, record_problems, refuse
from permissions.access import require
from permissions.policy import Action
from permissions.resources import project_of
from tenancy.models import Account

M = TypeVar("M", bound=Model)
LineData = Mapping[str, Any]

LINES = "lines"


def locked_changes(instance: Model, changes: Mapping[str, Any]) -> dict[str, str]:
    """The locked fields ``changes`` would alter, each with the reason, or ``{}``: the model's
    ``locked_fields``, and its lines unless the ERP would receive them (see
    :func:`lines_locked`)."""
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
    lines = changes.get(LINES)
    if LINES not in errors and lines is not None and _lines_differ(instance, lines):
        reason = lines_locked(instance)
        if reason:
            errors[LINES] = reason
    return errors


def lines_locked(instance: Model) -> str | None:
    """Why the record's lines cannot change now, or ``None`` if they may.

    While the record waits for the ERP (pending, accepted, exporting, failed) its lines are
    what the approver decides on; once synced, they may change only where the connector takes
    updates of that type, so that the ERP can receive them (sent again as an update)."""
    state = getattr(instance, "erp_state", None)
    if instance.pk is None or state not in LOCKED_STATES or not _has_lines(instance):
        return None
    kind = kind_of(instance)
    label, state_label = _lines_label(instance), ErpState(state).label
    if state != ErpState.SYNCED:
        return (
            f"{label} cannot change while the record is '{state_label}': the ERP is to receive "
            "the record as it was sent. Retrieve it, or have it rejected, to change them."
        )
    connector = _connector(instance)
    if _takes_updates(instance, connector):
        return None
    return (
        f"{label} cannot change while the record is '{state_label}': {connector.label} does not "
        f"take updates of {kind.label_plural.lower()}, so the ERP would keep the old ones. "
        "Unlink the record to change them."
    )


def _connector(instance: Model) -> type[Connector]:
    return connector_class_for(Account.objects.get(pk=instance.account_id))  # type: ignore[attr-defined]


def _takes_updates(instance: Model, connector: type[Connector] | None = None) -> bool:
    """Whether the account's connector takes updates of this record's type."""
    erp = kind_of(instance).erp
    if erp is None:
        return False
    connector = connector or _connector(instance)
    return connector.capabilities.entity(erp.object_type).export_update


def _changes_synced(instance: Model, plain: Mapping[str, Any], lines: Any) -> bool:
    """Whether an edit makes a synced record differ from what the ERP holds (one the connector
    takes updates of: any other change of it is refused)."""
    if not isinstance(instance, ErpLinkedModel) or instance.erp_state != ErpState.SYNCED:
        return False
    changed = any(getattr(instance, name) != value for name, value in plain.items())
    if lines is not None and _lines_differ(instance, lines):
        changed = True
    return changed and _takes_updates(instance)


def _has_lines(instance: Model) -> bool:
    return any(rel.name == LINES for rel in instance._meta.related_objects)


def _lines_label(instance: Model) -> str:
    kind = kind_of(instance)
    label = kind.web.lines.label if kind.web and kind.web.lines else "Lines"
    return label if label != "Lines" else f"{kind.label} lines"


def _lines_differ(parent: Model, lines: Sequence[LineData]) -> bool:
    """Whether ``lines`` would change the parent's lines (an integrator that writes back what
    it read changes nothing)."""
    existing = list(getattr(parent, LINES).all())
    if len(existing) != len(lines):
        return True
    for position, (line, data) in enumerate(zip(existing, lines, strict=True), start=1):
        values = dict(data)
        if values.pop("id", None) != line.pk:
            return True
        values.setdefault("position", position)
        if any(getattr(line, name) != value for name, value in values.items()):
            return True
    return False


def record_create(
    *,
    actor: Any,
    account: Account,
    model: type[M],
    fields: Mapping[str, Any],
    lines: Sequence[LineData] | None = None,
) -> M:
    """Create a ``model`` record in ``account`` (with its lines), if ``actor`` may.

    The account and the creator are set here, never taken from input; the policy is asked
    about the record as it will be saved (so one placed on a project you may not edit is
    refused)."""
    plain, related = _split_many_to_many(model, fields)
    obj = model(**plain)
    obj.account = account  # type: ignore[attr-defined]  # every record is a TenantModel
    if hasattr(obj, "created_by_id"):
        obj.created_by = actor  # type: ignore[attr-defined]
    require(actor, kind_of(model).write_action(obj), account, obj=obj)
    _check_values(obj, plain, lines)
    _check_lines(obj, lines or ())
    with transaction.atomic():
        _validate_constraints(obj)
        obj.save()
        _set_many_to_many(obj, related)
        if lines:
            _replace_lines(obj, lines)
        _audit(actor, obj, "record_created", fields)
    return obj


def record_update(
    *,
    actor: Any,
    account: Account,
    instance: M,
    changes: Mapping[str, Any],
    lines: Sequence[LineData] | None = None,
) -> M:
    """Change ``instance`` (and replace its lines if ``lines`` is given), if ``actor`` may.

    Refused, naming the field: a locked field changed while the record is with the ERP, or a
    record moved to another parent (a record stays where it was created)."""
    kind = kind_of(instance)
    require(actor, kind.write_action(instance), account, obj=instance)
    if getattr(instance, "account_id", None) != account.pk:
        raise PermissionDenied("That record is not in this account.")
    refusal = kind.edit_refusal(account)
    if refusal is not None:
        raise ValidationError(refusal)
    asked = {**changes, LINES: lines} if lines is not None else dict(changes)
    errors = {
        **_moves(instance, changes),
        **locked_changes(instance, asked),
        **_foreign_cost_code(instance, changes),
    }
    if errors:
        raise ValidationError(errors)
    plain, related = _split_many_to_many(type(instance), changes)
    changed_since_sync = _changes_synced(instance, plain, lines)
    values = _before_after(instance, plain)
    for name, value in plain.items():
        setattr(instance, name, value)
    if changed_since_sync:
        instance.erp_changed = True  # type: ignore[attr-defined]  # checked: an ErpLinkedModel
    _check_values(instance, plain, lines)
    if lines is not None:
        _check_lines(instance, lines)
    with transaction.atomic():
        _validate_constraints(instance)
        instance.save()
        _set_many_to_many(instance, related)
        if lines is not None:
            _replace_lines(instance, lines)
        _audit(actor, instance, "record_updated", asked, values)
    return instance


def _audit(
    actor: Any,
    record: Model,
    verb: str,
    fields: Mapping[str, Any],
    values: Mapping[str, list[Any]] | None = None,
) -> None:
    data: dict[str, Any] = {"fields": sorted(fields)}
    if values:
        data["changes"] = dict(values)
    change = Change(
        account_id=record.account_id,  # type: ignore[attr-defined]  # a TenantModel
        item_type=kind_of(record).type_name,
        item_id=record.pk,
        verb=verb,
        data=data,
    )
    audit_rows(actor, [change])


def _before_after(instance: Model, plain: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` of the fields a change really changes, as plain values (a
    related record by its id)."""

    def shown(value: Any) -> Any:
        if isinstance(value, Model):
            return value.pk
        return value if value is None or isinstance(value, bool | int | str) else str(value)

    found = {}
    for name, value in plain.items():
        field = instance._meta.get_field(name)
        before = getattr(instance, getattr(field, "attname", name))
        after = value.pk if isinstance(value, Model) else value
        if shown(before) != shown(after):
            found[name] = [shown(before), shown(after)]
    return found


def _split_many_to_many(
    model: type[Model], fields: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    names = {f.name for f in model._meta.many_to_many}
    plain = {k: v for k, v in fields.items() if k not in names}
    return plain, {k: v for k, v in fields.items() if k in names}


def _set_many_to_many(obj: Model, related: Mapping[str, Any]) -> None:
    for name, values in related.items():
        getattr(obj, name).set(values)


def _label(instance: Model, name: str) -> str:
    """The field as its pages name it (the kind's word, else its verbose name)."""
    if name == LINES:
        return "Lines"
    try:
        web = kind_of(instance).web
    except LookupError:
        web = None
    if web is not None:
        return web.label(type(instance), name)
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
    name = kind_of(instance).placement
    if name is None or name not in changes or changes[name] == getattr(instance, name):
        return {}
    return {name: f"A record cannot move to another {_label(instance, name).lower()}."}


def _foreign_cost_code(instance: Model, changes: Mapping[str, Any]) -> dict[str, str]:
    """A record's own cost code (not its lines') must be one of its project's."""
    code = changes.get("cost_code")
    project = project_of(instance)
    if code is None or project is None or code.project_id == project.pk:
        return {}
    return {"cost_code": f"Cost code {code} is not on this record's project."}


def _check_values(
    record: Model, given: Mapping[str, Any], lines: Sequence[LineData] | None
) -> None:
    """What was typed must be storable (:mod:`integrations.validation`): checked before
    anything is saved, so a refusal changes nothing."""
    errors: dict[str, list[str]] = record_problems(record, given)
    if lines:
        line_model = cast(type[Model], record._meta.get_field(LINES).related_model)
        line_errors = lines_problems(line_model, lines)
        if line_errors:
            errors[LINES] = line_errors
    refuse(errors)


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


# The account's switches on the Settings page, and the action each needs.
SETTINGS_FIELDS = (
    "allow_standard_approvers",
    "notify_approvers_on_send",
    "direct_export_commitments",
    "direct_export_change_orders",
    "direct_export_invoices",
    "use_portal_contract_numbers",
    "use_portal_change_order_numbers",
    "add_budget_pairs",
    "export_budget_billing_amount",
    "update_companies_on_refresh",
    "standard_code_filter",
    "job_cost_date",
    "allow_editing_synced_job_costs",
    "time_zone",
)
DIRECT_EXPORT_FLAGS = frozenset(f for f in SETTINGS_FIELDS if f.startswith("direct_export_"))


@transaction.atomic
def account_settings_update(*, actor: Any, account: Account, changes: dict[str, Any]) -> Account:
    """Change the account's name and switches (advanced settings; direct exports need their
    own permission)."""
    require(actor, Action.CONFIGURE_ADVANCED_SETTINGS, account)
    # Compared with what is stored: a bound ModelForm has already set its values on ``account``.
    account = Account.objects.select_for_update().get(pk=account.pk)
    fields = [
        name
        for name in ("name", *SETTINGS_FIELDS)
        if name in changes and getattr(account, name) != changes[name]
    ]
    if any(f in DIRECT_EXPORT_FLAGS for f in fields):
        require(actor, Action.TOGGLE_DIRECT_EXPORTS, account)
    if not fields:
        return account
    refuse(record_problems(Account(**{name: changes[name] for name in fields}), fields))
    changed = {name: [str(getattr(account, name)), str(changes[name])] for name in fields}
    for name in fields:
        setattr(account, name, changes[name])
    account.save(update_fields=fields)
    audit_rows(actor, [Change(account.pk, "account", account.pk, "settings_changed", data=changed)])
    return account
