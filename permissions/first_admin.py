"""The first administrator of an install (``manage.py create_admin``), and their account.

A production install starts with an empty database: no demo users, no account. The first admin
is a Django superuser (the admin site, every account); with an account name they also get that
account, as a member with Admin on every tool and every account-wide privilege, so they appear
in its Directory and keep their rights there should the superuser flag be withdrawn later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from permissions.levels import Level, Privilege, Tool
from permissions.models import TemplateScope
from permissions.templates import seed_templates
from tenancy.models import Account, Membership


@dataclass(frozen=True)
class FirstAdmin:
    user: Any
    account: Account | None


def username_errors(username: str) -> list[str]:
    """Why a username cannot be used (empty: it can)."""
    if not username.strip():
        return ["Type a username."]
    user_model = get_user_model()
    try:
        user_model(username=username).clean_fields(exclude=_all_fields_but("username"))
    except ValidationError as exc:
        return list(exc.messages)
    if user_model._default_manager.filter(username=username).exists():
        return [f"A user named {username!r} exists already."]
    return []


def password_errors(*, password: str, username: str, email: str) -> list[str]:
    """What the password validators (``AUTH_PASSWORD_VALIDATORS``) say of it."""
    try:
        validate_password(password, user=get_user_model()(username=username, email=email))
    except ValidationError as exc:
        return list(exc.messages)
    return []


def account_slug(name: str) -> str:
    return slugify(name)[: Account._meta.get_field("slug").max_length or 60].strip("-")


@transaction.atomic
def first_admin_create(
    *, username: str, email: str, password: str, account_name: str = ""
) -> FirstAdmin:
    """Create a superuser; with ``account_name``, also that account with them as its admin.

    Raises ValidationError (by field: username, email, password, account) and writes nothing
    when any value is refused.
    """
    errors: dict[str, list[str]] = {}
    user_model = get_user_model()
    user = user_model(username=username, email=email, is_staff=True, is_superuser=True)
    _collect(errors, "username", username_errors(username))
    try:
        user.clean_fields(exclude=_all_fields_but("email"))
    except ValidationError as exc:
        _collect(errors, "email", exc.messages)
    _collect(errors, "password", password_errors(password=password, username=username, email=email))
    account = _new_account(account_name, errors) if account_name.strip() else None
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
    if account is not None:
        account.save()
        _make_admin(account, user)
    return FirstAdmin(user=user, account=account)


def _new_account(name: str, errors: dict[str, list[str]]) -> Account:
    name = name.strip()
    account = Account(name=name, slug=account_slug(name))
    if not account.slug:
        _collect(errors, "account", ["Name the account with at least one letter or digit."])
        return account
    if Account.objects.filter(slug=account.slug).exists():
        _collect(errors, "account", [f"An account {account.slug!r} exists already."])
        return account
    try:
        account.full_clean()
    except ValidationError as exc:
        _collect(errors, "account", exc.messages)
    return account


COMPANY_ADMIN = "Company Admin"  # the first admin's company template


def _make_admin(account: Account, user: Any) -> None:
    Membership.objects.create(account=account, user=user, **{p.value: True for p in Privilege})
    templates = seed_templates(
        account,
        TemplateScope.COMPANY,
        {COMPANY_ADMIN: dict.fromkeys(Tool, Level.ADMIN)},
        can_create_project=True,
    )
    user.groups.add(templates[COMPANY_ADMIN].group_id)


def _all_fields_but(name: str) -> list[str]:
    return [f.name for f in get_user_model()._meta.get_fields() if f.name != name]


def _collect(errors: dict[str, list[str]], field: str, messages: list[str]) -> None:
    if messages:
        errors.setdefault(field, []).extend(messages)
