"""factory_boy factories for the domain, and a helper to grant tool levels."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.test import Client

from integrations import models as m
from permissions.grants import store_project_levels
from permissions.levels import Level, Tool
from permissions.models import ToolGrant
from tenancy.models import Account, Membership


class UserFactory(factory.django.DjangoModelFactory[Any]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("pw")


class AccountFactory(factory.django.DjangoModelFactory[Account]):
    class Meta:
        model = Account
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Contractor {n}")
    slug = factory.Sequence(lambda n: f"contractor-{n}")


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    account = factory.SubFactory(AccountFactory)
    user = factory.SubFactory(UserFactory)


class CompanyFactory(factory.django.DjangoModelFactory[m.Company]):
    class Meta:
        model = m.Company

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"Vendor {n} LLC")
    city = "Denver"
    state_code = "CO"


class ProjectFactory(factory.django.DjangoModelFactory[m.Project]):
    class Meta:
        model = m.Project

    account = factory.SubFactory(AccountFactory)
    number = factory.Sequence(lambda n: f"P-{n:04d}")
    name = factory.Sequence(lambda n: f"Project {n}")


class CostTypeFactory(factory.django.DjangoModelFactory[m.CostType]):
    class Meta:
        model = m.CostType
        django_get_or_create = ("account", "code")

    account = factory.SubFactory(AccountFactory)
    code = "L"
    name = "Labor"


class StandardCostCodeListFactory(factory.django.DjangoModelFactory[m.StandardCostCodeList]):
    class Meta:
        model = m.StandardCostCodeList
        django_get_or_create = ("account", "name")

    account = factory.SubFactory(AccountFactory)
    name = "ERP Standard Cost Codes"
    is_erp = True


class StandardCostCodeFactory(factory.django.DjangoModelFactory[m.StandardCostCode]):
    class Meta:
        model = m.StandardCostCode

    account = factory.SubFactory(AccountFactory)
    code_list = factory.SubFactory(
        StandardCostCodeListFactory, account=factory.SelfAttribute("..account")
    )
    code = factory.Sequence(lambda n: f"{n:03d}")
    full_code = factory.LazyAttribute(lambda o: f"03-{o.code}")
    name = factory.Sequence(lambda n: f"Concrete work {n}")


class CostCodeFactory(factory.django.DjangoModelFactory[m.CostCode]):
    class Meta:
        model = m.CostCode

    account = factory.SubFactory(AccountFactory)
    project = factory.SubFactory(ProjectFactory, account=factory.SelfAttribute("..account"))
    standard_code = factory.SubFactory(
        StandardCostCodeFactory, account=factory.SelfAttribute("..account")
    )


class CommitmentFactory(factory.django.DjangoModelFactory[m.Commitment]):
    class Meta:
        model = m.Commitment

    account = factory.SubFactory(AccountFactory)
    project = factory.SubFactory(ProjectFactory, account=factory.SelfAttribute("..account"))
    vendor = factory.SubFactory(CompanyFactory, account=factory.SelfAttribute("..account"))
    number = factory.Sequence(lambda n: f"SC-{n:03d}")
    title = factory.Sequence(lambda n: f"Subcontract {n}")
    status = m.ContractStatus.APPROVED
    retainage_percent = Decimal("10.00")
    contract_date = datetime.date(2026, 3, 1)


class CommitmentLineItemFactory(factory.django.DjangoModelFactory[m.CommitmentLineItem]):
    class Meta:
        model = m.CommitmentLineItem

    commitment = factory.SubFactory(CommitmentFactory)
    description = "Scope of work"
    amount = Decimal("125000.00")


class PrimeContractFactory(factory.django.DjangoModelFactory[m.PrimeContract]):
    class Meta:
        model = m.PrimeContract

    account = factory.SubFactory(AccountFactory)
    project = factory.SubFactory(ProjectFactory, account=factory.SelfAttribute("..account"))
    number = factory.Sequence(lambda n: f"PC-{n:03d}")
    title = "Prime contract"
    status = m.ContractStatus.APPROVED


def grant(user: Any, account: Account, tool: Tool, level: Level, project: Any = None) -> None:
    """Give ``user`` ``level`` on ``tool``: a company adjustment, or on ``project`` a project
    adjustment."""
    if project is not None:
        store_project_levels([(user.pk, project.pk, tool, level)])
    else:
        ToolGrant.objects.update_or_create(
            account=account, user=user, tool=tool, defaults={"level": level}
        )


def member(
    account: Account,
    *,
    username: str | None = None,
    levels: dict[Tool, Level] | None = None,
    **privileges: bool,
) -> Any:
    """A user who is a member of ``account`` with the given company-level tool levels."""
    user: Any = UserFactory(username=username) if username else UserFactory()
    Membership.objects.create(account=account, user=user, **privileges)
    for tool, level in (levels or {}).items():
        grant(user, account, tool, level)
    return user


def demo_user(username: str) -> Any:
    """A user (of the demo data, or any other) by username."""
    return get_user_model().objects.get(username=username)


def signed_in(user: Any) -> Client:
    """A test client signed in as ``user`` (a user, or a username)."""
    client = Client()
    client.force_login(demo_user(user) if isinstance(user, str) else user)
    return client
