"""Every change of templates and of what members hold is audited: one row per change, in the same
transaction (a service that fails after writing its row leaves no row and changes nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission

from audit.models import AuditEvent
from permissions import services, templates
from permissions.models import PermissionTemplate
from permissions.templates import TemplateData, template_delete, template_update
from tenancy.models import Account
from tests.factories import ProjectFactory, member
from tests.permissions.template_helpers import (
    ADMIN,
    COMPANY,
    PROJECT,
    RO,
    STD,
    T,
    audit_count,
    fresh,
    give,
    make,
)

pytestmark = pytest.mark.django_db


def _events(account: Account, since: int) -> list[tuple[str, str]]:
    rows = AuditEvent.objects.filter(account=account, pk__gt=since).order_by("pk")
    return list(rows.values_list("item_type", "verb"))


def _last_event(account: Account) -> int:
    return (
        AuditEvent.objects.filter(account=account)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
        or 0
    )


def test_every_change_is_audited_once(account, admin):
    user = member(account, username="holder")
    project = ProjectFactory(account=account)
    start = _last_event(account)
    company = make(admin, account, "Field", COMPANY, {T.BUDGET: RO})
    on_project = make(admin, account, "Viewer", PROJECT, {T.BUDGET: RO})
    template_update(
        actor=admin,
        account=account,
        template=company,
        data=TemplateData("Field", COMPANY, {T.BUDGET: STD}),
    )
    template_update(  # nothing changes: nothing to audit
        actor=admin,
        account=account,
        template=company,
        data=TemplateData("Field", COMPANY, {T.BUDGET: STD}),
    )
    give(admin, account, user, company=company, on_projects=[(project, on_project)])
    give(admin, account, user, company=company, on_projects=[(project, on_project)])  # the same
    give(admin, account, user)
    template_delete(actor=admin, account=account, template=on_project)
    assert _events(account, start) == [
        ("permission_template", "permission_template_created"),
        ("permission_template", "permission_template_created"),
        ("permission_template", "permission_template_changed"),
        ("membership", "permissions_changed"),
        ("membership", "permissions_changed"),
        ("permission_template", "permission_template_deleted"),
    ]
    changed = AuditEvent.objects.get(verb="permission_template_changed")
    assert changed.actor == admin
    assert changed.data["changed"]["Budget"] == ["Read Only", "Standard"]


@contextmanager
def audit_then_fail(module: Any) -> Iterator[None]:
    """The service writes its audit row, then fails before returning."""
    real = module.audit_rows

    def write_then_fail(actor: Any, changes: Any) -> Any:
        real(actor, changes)
        raise RuntimeError("the database went away")

    module.audit_rows = write_then_fail
    try:
        with pytest.raises(RuntimeError):
            yield
    finally:
        module.audit_rows = real


def test_a_failed_change_leaves_no_audit_row_and_nothing_changed(account, admin):
    company = make(admin, account, "Field", COMPANY, {T.BUDGET: RO})
    spare = make(admin, account, "Spare", PROJECT, {T.BUDGET: RO})
    user = member(account, username="holder")
    before, groups = audit_count(account), Group.objects.count()
    with audit_then_fail(templates):
        make(admin, account, "New", COMPANY, {T.BUDGET: ADMIN})
    with audit_then_fail(templates):
        template_update(
            actor=admin,
            account=account,
            template=company,
            data=TemplateData("Field", COMPANY, {T.BUDGET: ADMIN}),
        )
    with audit_then_fail(templates):
        template_delete(actor=admin, account=account, template=spare)
    with audit_then_fail(services):
        give(admin, account, user, company=company)
    assert audit_count(account) == before
    assert set(PermissionTemplate.objects.filter(account=account)) == {company, spare}
    assert Group.objects.count() == groups
    company.refresh_from_db()
    assert company.levels == {T.BUDGET.value: int(RO)}
    assert Permission.objects.filter(codename=spare.codename).exists()
    assert not fresh(user).groups.exists()
