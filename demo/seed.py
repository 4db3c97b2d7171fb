"""``seed_demo()``: load the demo account, Summit Ridge Builders (data in :mod:`demo.data`).

Idempotent: each record is looked up by its natural key (slug, username, name, number, code)
and created only when missing; lines are matched by their parent and position. Reseeding
duplicates nothing and overwrites nothing a demo user changed: an item sent to the ERP stays
sent, a changed password stays changed (a new user, or one without a usable password, gets
``demo``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.contrib.auth import get_user_model
from django.db import transaction

from demo.data.account import (
    ACCOUNT_NAME,
    ACCOUNT_SLUG,
    DEMO_COMPANY_TEMPLATES,
    DEMO_PASSWORD,
    DEMO_PEOPLE,
    DEMO_PROJECT_TEMPLATES,
)
from demo.data.projects import IMPORT_TEMPLATE
from demo.erp import demo_tryton_url, seed_erp_ledger
from demo.exports import seed_export_history
from demo.records import RecordSeeder
from demo.syncs import first_syncs
from integrations import models as m
from permissions.models import TemplateScope
from permissions.templates import seed_templates
from syncs.models import StagedRecord, StagedStatus
from tenancy.models import Account, Membership

if TYPE_CHECKING:
    from django.contrib.auth.models import User

__all__ = ["demo_summary", "seed_demo"]


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


@transaction.atomic
def seed_demo(*, stdout: Writer | None = None) -> Account:
    """Create the demo account, or complete it where records are missing; return it."""
    account, _ = Account.objects.get_or_create(slug=ACCOUNT_SLUG, defaults={"name": ACCOUNT_NAME})
    users = _seed_users(account)
    # What the portal exported before the demo begins is filed in the sandbox under the numbers
    # DEMO_ERP_IDS gives; a Tryton numbers what it receives itself, so there none starts sent.
    RecordSeeder(account, author=users["pm"], exports=not demo_tryton_url()).run()
    _seed_import_template(account)
    seed_export_history(account, sender=users["pm"], approver=users["approver"])
    seed_erp_ledger(account)
    first_syncs(account)
    if stdout is not None:
        for line in demo_summary(account):
            stdout.write(f"{line}\n")
    return account


def demo_summary(account: Account) -> list[str]:
    """One line per kind of record: how many the account has, and how many are synced."""
    kinds: list[tuple[str, type[m.TenantModel]]] = [
        ("Companies", m.Company),
        ("Projects", m.Project),
        ("Sub jobs", m.SubJob),
        ("Cost types", m.CostType),
        ("Standard cost codes", m.StandardCostCode),
        ("Project cost codes", m.CostCode),
        ("Budgets", m.Budget),
        ("Prime contracts", m.PrimeContract),
        ("Commitments", m.Commitment),
        ("Commitment change orders", m.CommitmentChangeOrder),
        ("Prime contract change orders", m.PrimeContractChangeOrder),
        ("Subcontractor invoices", m.SubcontractorInvoice),
        ("Owner invoices", m.OwnerInvoice),
        ("Direct costs", m.DirectCost),
        ("Job cost transactions", m.JobCostTransaction),
        ("Payments", m.Payment),
    ]
    lines = [f"{account.name} ({account.slug}):"]
    for label, model in kinds:
        line = f"  {label}: {model._default_manager.filter(account=account).count()}"
        if issubclass(model, m.ErpLinkedModel):
            synced = model._default_manager.filter(account=account, erp_state=m.ErpState.SYNCED)
            line += f" ({synced.count()} synced)"
        lines.append(line)
    waiting = StagedRecord.objects.filter(account=account, parent=None, status=StagedStatus.STAGED)
    lines.append(f"  ERP records waiting in Ready to Import: {waiting.count()}")
    return lines


def _seed_users(account: Account) -> dict[str, User]:
    """The demo's users and their memberships of the account, by username."""
    user_model = get_user_model()
    users: dict[str, User] = {}
    for person in DEMO_PEOPLE:
        user, created = user_model._default_manager.get_or_create(
            username=person.username,
            defaults={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": f"{person.username}@example.com",
                "is_staff": person.superuser,
                "is_superuser": person.superuser,
            },
        )
        if created or not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(
            account=account,
            user=user,
            defaults={"job_title": person.job_title, **{p.value: True for p in person.privileges}},
        )
        users[person.username] = user
    _seed_grants(account, users)
    return users


def _seed_grants(account: Account, users: dict[str, User]) -> None:
    """The permission templates, and each person's company template; a person who already has
    one (or adjustments) is left alone."""
    company = seed_templates(account, TemplateScope.COMPANY, DEMO_COMPANY_TEMPLATES)
    seed_templates(account, TemplateScope.PROJECT, DEMO_PROJECT_TEMPLATES)
    for person in DEMO_PEOPLE:
        user = users[person.username]
        if (
            person.template is None
            or user.groups.filter(permission_template__account=account).exists()
        ):
            continue
        group = company[person.template].group
        assert group is not None  # a company template's
        user.groups.add(group)


def _seed_import_template(account: Account) -> None:
    """The template projects added from ERP jobs start from; it takes the mark for imported
    jobs only if no other template has it (a demo user may have chosen another)."""
    settings = IMPORT_TEMPLATE._asdict()
    name = settings.pop("name")
    marked = m.ProjectTemplate.objects.filter(account=account, for_imports=True).exists()
    m.ProjectTemplate.objects.get_or_create(
        account=account, name=name, defaults={**settings, "for_imports": not marked}
    )
