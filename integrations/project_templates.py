"""Project templates: how a project added to the portal from an ERP job starts (its stage,
whether it syncs job costs, whether it gets every code of the ERP standard cost code list).

The account's *template for imported jobs* is the one marked ``for_imports``; marking one
clears the mark on the others in the same transaction. Each write asks *Configure Advanced
Settings* and writes its audit rows in its transaction; bad input is a ``ValidationError`` by
field that changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.services import Change, audit_rows
from integrations.models import ProjectTemplate
from integrations.validation import record_problems, refuse
from permissions.access import require
from permissions.policy import Action
from tenancy.models import Account

FIELDS = ("name", "stage", "sync_job_costs", "add_all_cost_codes", "for_imports")
ITEM_TYPE = "project_template"


# --- Reads -------------------------------------------------------------------------------------


def account_templates(account: Account) -> QuerySet[ProjectTemplate]:
    """The account's templates, the one for imported jobs first, then by name."""
    return ProjectTemplate.objects.filter(account=account).order_by("-for_imports", "name")


def import_template(account: Account) -> ProjectTemplate | None:
    """The template a project added from an ERP job starts from, or None."""
    return ProjectTemplate.objects.filter(account=account, for_imports=True).first()


# --- Writes ------------------------------------------------------------------------------------


def project_template_create(
    *, actor: Any, account: Account, fields: Mapping[str, Any]
) -> ProjectTemplate:
    """A new template from ``fields`` (those of :data:`FIELDS` given; the rest default)."""
    require(actor, Action.CONFIGURE_ADVANCED_SETTINGS, account)
    with transaction.atomic():
        _lock(account)
        template = ProjectTemplate(account=account)
        _write(actor, template, fields, "project_template_created")
    return template


def project_template_update(
    *, actor: Any, account: Account, template: ProjectTemplate, fields: Mapping[str, Any]
) -> ProjectTemplate:
    """Change the ``fields`` given (of :data:`FIELDS`); nothing changed writes nothing."""
    require(actor, Action.CONFIGURE_ADVANCED_SETTINGS, account)
    with transaction.atomic():
        _lock(account)
        current = ProjectTemplate.objects.get(pk=template.pk, account=account)
        _write(actor, current, fields, "project_template_updated")
    return current


def project_template_choose_for_imports(
    *, actor: Any, account: Account, template: ProjectTemplate | None
) -> ProjectTemplate | None:
    """Make ``template`` the one projects added from ERP jobs start from (None: no template,
    such projects start as they did before templates)."""
    if template is not None:
        return project_template_update(
            actor=actor, account=account, template=template, fields={"for_imports": True}
        )
    require(actor, Action.CONFIGURE_ADVANCED_SETTINGS, account)
    with transaction.atomic():
        _lock(account)
        audit_rows(actor, _clear_for_imports(account, keep=None))
    return None


def project_template_delete(*, actor: Any, account: Account, template: ProjectTemplate) -> None:
    """Delete the template (the projects it started keep their settings)."""
    require(actor, Action.CONFIGURE_ADVANCED_SETTINGS, account)
    with transaction.atomic():
        _lock(account)
        current = ProjectTemplate.objects.get(pk=template.pk, account=account)
        change = Change(
            account.pk,
            ITEM_TYPE,
            current.pk,
            "project_template_deleted",
            data={"name": current.name, "for_imports": current.for_imports},
        )
        current.delete()
        audit_rows(actor, [change])


def _lock(account: Account) -> None:
    """The account's row is the lock: two writes of its templates (a name checked free, the
    mark for imports moved) happen one after the other."""
    list(Account.objects.select_for_update().filter(pk=account.pk).values_list("pk", flat=True))


def _write(actor: Any, template: ProjectTemplate, fields: Mapping[str, Any], verb: str) -> None:
    before = {name: getattr(template, name) for name in FIELDS} if template.pk else {}
    for name in FIELDS:
        if name in fields:
            setattr(template, name, fields[name])
    template.name = str(template.name or "").strip()
    _check(template)
    changed = {
        name: [before.get(name), getattr(template, name)]
        for name in FIELDS
        if not before or before[name] != getattr(template, name)
    }
    if not changed:
        return
    cleared = _clear_for_imports(template.account, keep=template) if template.for_imports else []
    template.save()
    change = Change(template.account_id, ITEM_TYPE, template.pk, verb, data={"changed": changed})
    audit_rows(actor, [*cleared, change])


def _check(template: ProjectTemplate) -> None:
    if not template.name:
        raise ValidationError({"name": "Give the template a name."})
    refuse(record_problems(template, FIELDS))
    taken = ProjectTemplate.objects.filter(account=template.account, name__iexact=template.name)
    if taken.exclude(pk=template.pk).exists():
        raise ValidationError(
            {"name": f"There is already a template named “{template.name}”: choose another name."}
        )
    template.full_clean(exclude=["account"], validate_constraints=False)


def _clear_for_imports(account: Account, keep: ProjectTemplate | None) -> list[Change]:
    """Take the mark for imports off the account's templates (but ``keep``); their audit rows."""
    marked = ProjectTemplate.objects.filter(account=account, for_imports=True)
    if keep is not None and keep.pk is not None:
        marked = marked.exclude(pk=keep.pk)
    ids = list(marked.values_list("pk", flat=True))
    ProjectTemplate.objects.filter(pk__in=ids).update(for_imports=False, updated_at=timezone.now())
    data = {"changed": {"for_imports": [True, False]}}
    return [Change(account.pk, ITEM_TYPE, pk, "project_template_updated", data=data) for pk in ids]
