"""A change made in the admin site leaves its audit row like any other: every admin of account
data either refuses changes or writes one row per save naming each changed field, old and new,
in the transaction of the change; deleting an object there keeps its trail."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.contrib import admin
from django.db.models import Model
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.text import capfirst

from audit.models import AuditEvent
from erp.connections import connection_for
from integrations import models as m
from tenancy.models import Account, Membership
from tenancy.scoping import AccountScopedQuerySet
from tests.api.conftest import build_records
from tests.factories import UserFactory, member
from tests.route_walk_bodies import page_form
from tests.routes import project_models

pytestmark = pytest.mark.django_db


def holds_account_data(model: type[Model]) -> bool:
    return model is Account or isinstance(model._default_manager.all(), AccountScopedQuerySet)


ADMINS = [
    model
    for model in admin.site._registry
    if model in project_models() and holds_account_data(model)
]


def change_url(obj: Model) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def superuser() -> Any:
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def client(superuser: Any) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def world(account: Account) -> Account:
    build_records(account)
    member(account, username="pat")
    connection_for(account)
    return account


def one_of(model: type[Model], account: Account) -> Model | None:
    if model is Account:
        return account
    return model._default_manager.all().for_account(account).first()


def a_change(form: forms.BaseForm, body: dict[str, Any], account: Account) -> tuple[str, list[str]]:
    """Change one field of the shown form in ``body``: a flag flipped, else a text extended, a
    number raised, an empty choice of a related record of the account filled.
    Returns the field's name and its ``[old, new]`` as the trail writes them."""
    for name, field in form.fields.items():
        if isinstance(field, forms.BooleanField):
            was = name in body
            if was:
                del body[name]
            else:
                body[name] = ["on"]
            return name, ["Yes", "No"] if was else ["No", "Yes"]
    for name, field in form.fields.items():
        plain = type(field) is forms.CharField and not isinstance(field.widget, forms.Textarea)
        if plain and body.get(name, [""])[0]:
            old = body[name][0]
            body[name] = [f"{old} (revised)"]
            return name, [old, f"{old} (revised)"]
    for name, field in form.fields.items():
        if type(field) is forms.IntegerField and body.get(name, [""])[0]:
            old = body[name][0]
            body[name] = [str(int(old) + 1)]
            return name, [old, str(int(old) + 1)]
    for name, field in form.fields.items():
        empty = not body.get(name, [""])[0]
        if type(field) is forms.ModelChoiceField and not field.required and empty:
            queryset = field.queryset
            if isinstance(queryset, AccountScopedQuerySet):
                queryset = queryset.for_account(account)
            chosen = queryset.first()
            if chosen is not None:
                body[name] = [str(chosen.pk)]
                return name, ["", str(chosen)]
    raise AssertionError(f"no field to change in {type(form).__name__}")


def admin_refuses(model: type[Model], obj: Model | None, user: Any) -> bool:
    request = RequestFactory().get("/")
    request.user = user
    return not admin.site._registry[model].has_change_permission(request, obj)


def test_the_walk_covers_the_account_data_admins() -> None:
    labels = {model._meta.label for model in ADMINS}
    assert {"tenancy.Membership", "tenancy.Account", "erp.ErpConnection"} <= labels
    assert {"permissions.ToolGrant", "integrations.Commitment"} <= labels


@pytest.mark.parametrize("model", ADMINS, ids=lambda model: model._meta.label)
def test_an_admin_refuses_changes_or_audits_each_one(
    model: type[Model], world: Account, client: Client, superuser: Any
) -> None:
    obj = one_of(model, world)
    if admin_refuses(model, obj, superuser):
        if obj is None:  # nothing to show; nothing could be added either
            return
        url = change_url(obj)
        page = client.get(url)
        assert page.status_code == 200
        assert page_form(page.content.decode(), url).keys() <= {"csrfmiddlewaretoken"}
        assert client.post(url, {}).status_code == 403
        return
    assert obj is not None, f"no {model._meta.label} to change"
    url = change_url(obj)
    page = client.get(url)
    form = page.context["adminform"].form
    body = page_form(page.content.decode(), url)
    name, pair = a_change(form, body, world)
    before = set(AuditEvent.objects.values_list("pk", flat=True))

    response = client.post(url, body)

    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    rows = list(AuditEvent.objects.exclude(pk__in=before))
    assert len(rows) == 1
    row = rows[0]
    label = str(capfirst(model._meta.get_field(name).verbose_name))
    assert (row.verb, row.item_id, row.account_id, row.actor) == (
        "admin_changed",
        obj.pk,
        world.pk,
        superuser,
    )
    assert row.data["changed"] == {label: pair}


def test_can_push_to_accounting_changed_in_the_admin_is_audited(
    world: Account, client: Client, superuser: Any
) -> None:
    membership = Membership.objects.get(account=world, user__username="pat")
    url = change_url(membership)
    body = page_form(client.get(url).content.decode(), url)
    body["can_push_to_accounting"] = ["on"]

    assert client.post(url, body).status_code == 302

    membership.refresh_from_db()
    assert membership.can_push_to_accounting
    row = AuditEvent.objects.get(account=world, verb="admin_changed")
    assert (row.item_type, row.item_id, row.actor) == ("membership", membership.pk, superuser)
    assert row.data["changed"] == {"Can Push to Accounting": ["No", "Yes"]}
    assert row.data["object"] == str(membership)


def test_deleting_in_the_admin_keeps_the_trail(
    world: Account, client: Client, superuser: Any
) -> None:
    membership = Membership.objects.get(account=world, user__username="pat")
    url = change_url(membership)
    body = page_form(client.get(url).content.decode(), url)
    body["job_title"] = ["Estimator"]
    client.post(url, body)
    delete = reverse("admin:tenancy_membership_delete", args=[membership.pk])

    assert client.post(delete, {"post": "yes"}).status_code == 302

    assert not Membership.objects.filter(pk=membership.pk).exists()
    trail = AuditEvent.objects.filter(account=world, item_type="membership", item_id=membership.pk)
    assert [row.verb for row in trail] == ["admin_changed", "admin_deleted"]
    assert trail[0].data["changed"] == {"Job title": ["", "Estimator"]}


def test_a_change_whose_row_cannot_be_written_is_undone(
    world: Account, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the trail cannot be written")

    monkeypatch.setattr("audit.admin_audit.audit_rows", refuse)
    membership = Membership.objects.get(account=world, user__username="pat")
    url = change_url(membership)
    body = page_form(client.get(url).content.decode(), url)
    body["can_push_to_accounting"] = ["on"]

    with pytest.raises(RuntimeError):
        client.post(url, body)

    membership.refresh_from_db()
    assert not membership.can_push_to_accounting


def test_lines_changed_in_the_admin_are_audited_on_their_record(
    world: Account, client: Client
) -> None:
    commitment = m.Commitment.objects.for_account(world).get()
    line = commitment.lines.get()
    url = change_url(commitment)
    body = page_form(client.get(url).content.decode(), url)
    amount = next(name for name in body if name.endswith("-0-amount"))
    body[amount] = ["130000.00"]

    assert client.post(url, body).status_code == 302

    line.refresh_from_db()
    assert line.amount == Decimal("130000.00")
    row = AuditEvent.objects.get(account=world, verb="admin_lines_changed")
    assert (row.item_type, row.item_id) == ("commitment", commitment.pk)
    assert row.data["changed"] == {f"{line}: Amount": ["125000.00", "130000.00"]}


def test_the_erp_connection_admin_shows_no_secret_and_leaves_pausing_to_the_portal(
    world: Account, client: Client
) -> None:
    connection = connection_for(world)
    page = client.get(change_url(connection))
    form = page.context["adminform"].form
    assert "secrets" not in form.fields
    assert "is_paused" not in form.fields


def test_deleting_several_at_once_in_the_admin_writes_a_row_for_each(
    world: Account, client: Client
) -> None:
    member(world, username="sam")
    people = ["pat", "sam"]
    memberships = list(Membership.objects.for_account(world).filter(user__username__in=people))
    changelist = reverse("admin:tenancy_membership_changelist")
    chosen = [str(membership.pk) for membership in memberships]

    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": chosen, "post": "yes"}
    )

    assert response.status_code == 302
    assert not Membership.objects.filter(pk__in=chosen).exists()
    deleted = AuditEvent.objects.filter(account=world, verb="admin_deleted")
    assert sorted(row.data["object"] for row in deleted) == sorted(map(str, memberships))
