"""A database created by the previous version migrates forward without losing anything.

``Account`` and ``Membership`` moved from ``integrations`` to ``tenancy``, ``ErpConnection`` and
``ErpCall`` to ``erp``, all keeping their tables; ``ErpCall`` lost its foreign key to the export
request and keeps the request's label in its summary instead. The test migrates the database back
to the previous version, fills it with the historical models, migrates it forward and reads the
rows back with the current models.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from approvals.models import ExportRequest
from audit.models import AuditEvent
from erp.models import ErpCall, ErpConnection
from integrations.models import Commitment
from permissions.grants import load_member
from permissions.levels import Level, Tool
from permissions.models import ToolGrant
from tenancy.models import Account, Membership

# The previous version: the last migrations it shipped, and none of the new apps.
BEFORE = [
    ("integrations", "0003_erpconnection_auth_failures_erpconnection_secrets_and_more"),
    ("approvals", "0003_queue_order_index"),
    ("permissions", "0001_initial"),
    ("tenancy", None),
    ("erp", None),
    ("audit", None),
]
# With every app listed as available, the flush after the test skips the post_migrate signal,
# which would re-create the content types under new ids: a later ``serialized_rollback`` test
# could then not load the ones it saved.
ALL_APPS = [config.name for config in apps.get_app_configs()]
# Where each moved model's content type belongs now.
MOVED = {
    "account": ("integrations", "tenancy"),
    "membership": ("integrations", "tenancy"),
    "erpconnection": ("integrations", "erp"),
    "erpcall": ("integrations", "erp"),
    "auditevent": ("approvals", "audit"),
}


# Columns added after the previous version, and the value an existing row gets.
ADDED_SINCE: dict[Any, dict[str, Any]] = {
    Account: {
        "job_cost_date": "post",
        "time_zone": "UTC",
        "update_companies_on_refresh": True,
        # Advanced settings: an account keeps doing what it did (the portal's numbers, nothing
        # added to budgets or exported besides, every cost code, synced job costs read-only).
        "use_portal_contract_numbers": True,
        "use_portal_change_order_numbers": True,
        "add_budget_pairs": False,
        "allow_editing_synced_job_costs": False,
        "standard_code_filter": "",
        "export_budget_billing_amount": False,
    },
    Commitment: {"erp_changed": False},  # an existing record was not changed since its sync
    ExportRequest: {"claim": None, "next_attempt_at": None},  # no worker holds it, not waiting
}


def _values(model: Any, pk: int, *, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """The row as the database holds it, by column attribute name."""
    row = model.objects.filter(pk=pk).values().get()
    for name in drop:
        row.pop(name)
    return row


def _hand_content_types_back(old_apps: Any) -> dict[str, int]:
    """Leave the moved models' content types where the previous version had them (under
    ``integrations``) and return their ids. A test database was set up by the current code, so
    it may hold them under the new apps instead."""
    content_type = old_apps.get_model("contenttypes", "ContentType")
    ids = {}
    for model, (old_app, app_label) in MOVED.items():
        current = content_type.objects.filter(app_label=app_label, model=model)
        if content_type.objects.filter(app_label=old_app, model=model).exists():
            current.delete()
        elif not current.update(app_label=old_app):
            content_type.objects.create(app_label=old_app, model=model)
        ids[model] = content_type.objects.get(app_label=old_app, model=model).pk
    return ids


def _fill_previous_version(old_apps: Any) -> dict[str, Any]:
    """One account with a bit of everything that refers to the moved models, made with the
    previous version's models. Returns the ids and the rows as stored."""
    user_model = old_apps.get_model("auth", "User")
    account_model = old_apps.get_model("integrations", "Account")
    membership_model = old_apps.get_model("integrations", "Membership")
    grant_model = old_apps.get_model("permissions", "ToolGrant")
    project_model = old_apps.get_model("integrations", "Project")
    company_model = old_apps.get_model("integrations", "Company")
    commitment_model = old_apps.get_model("integrations", "Commitment")
    connection_model = old_apps.get_model("integrations", "ErpConnection")
    request_model = old_apps.get_model("approvals", "ExportRequest")
    call_model = old_apps.get_model("integrations", "ErpCall")
    event_model = old_apps.get_model("approvals", "AuditEvent")

    account = account_model.objects.create(
        name="Summit Builders",
        slug="summit",
        allow_standard_approvers=True,
        notify_approvers_on_send=True,
        direct_export_change_orders=True,
    )
    admin = user_model.objects.create(username="ada", email="ada@example.com")
    approver = user_model.objects.create(username="bo", email="bo@example.com")
    admin_membership = membership_model.objects.create(
        account=account, user=admin, job_title="Controller", can_create_project=True
    )
    approver_membership = membership_model.objects.create(
        account=account,
        user=approver,
        job_title="Accountant",
        can_push_to_accounting=True,
        subscribe_erp_digest=True,
    )
    project = project_model.objects.create(
        account=account, number="24-001", name="Harbor Library", estimated_value=Decimal("1250000")
    )
    grant = grant_model.objects.create(
        account=account, user=approver, tool="erp_integrations", level=2, granted_by=admin
    )
    company = company_model.objects.create(account=account, name="Granite Concrete", city="Reno")
    commitment = commitment_model.objects.create(
        account=account,
        project=project,
        vendor=company,
        number="SC-001",
        title="Concrete",
        status="approved",
        retainage_percent=Decimal("10.00"),
        contract_date=date(2026, 3, 2),
        created_by=admin,
    )
    erp_connection = connection_model.objects.create(
        account=account,
        connector_key="tryton",
        settings={"base_url": "https://erp.example.com", "company": 7},
        secrets="gAAAAABencrypted-token",
        auth_failures=2,
    )
    request = request_model.objects.create(
        account=account,
        item_type="commitment",
        item_id=commitment.pk,
        project=project,
        state="accepted",
        summary={"label": "SC-001: Concrete", "amount": "125000.00"},
        sent_by=admin,
        sent_at=timezone.now(),
        decided_by=approver,
        decided_at=timezone.now(),
    )
    event = event_model.objects.create(
        account=account,
        actor=approver,
        verb="accept",
        item_type="commitment",
        item_id=commitment.pk,
        request=request,
        before="pending",
        after="accepted",
        data={"vendor_id": "V-1007"},
    )
    request_call = call_model.objects.create(
        account=account,
        connection=erp_connection,
        export_request=request,
        action="export",
        item_type="commitment",
        item_id=commitment.pk,
        idempotency_key=f"export:{request.pk}:1",
        payload_summary={},
        outcome="success",
        response={"id": "PO-88"},
        started_at=timezone.now(),
        duration_ms=420,
    )
    plain_call = call_model.objects.create(
        account=account,
        connection=erp_connection,
        action="lookup",
        item_type="company",
        item_id=company.pk,
        payload_summary={"label": "Granite Concrete", "query": "granite"},
        outcome="transient",
        error="timed out",
        attempt=3,
        worker="celery@w1",
        started_at=timezone.now(),
    )

    rows = {
        Account: (account_model, account.pk),
        Membership: (membership_model, admin_membership.pk),
        Commitment: (commitment_model, commitment.pk),
        ErpConnection: (connection_model, erp_connection.pk),
        ExportRequest: (request_model, request.pk),
        AuditEvent: (event_model, event.pk),
    }
    return {
        "account": account.pk,
        "users": (admin.pk, approver.pk),
        "memberships": (admin_membership.pk, approver_membership.pk),
        "grant": grant.pk,
        "project": project.pk,
        "commitment": commitment.pk,
        "connection": erp_connection.pk,
        "request": request.pk,
        "event": event.pk,
        "calls": (request_call.pk, plain_call.pk),
        "rows": {current: _values(old, pk) for current, (old, pk) in rows.items()},
        "approver_membership": _values(membership_model, approver_membership.pk),
        "calls_rows": [
            _values(call_model, pk, drop=("export_request_id",))
            for pk in (request_call.pk, plain_call.pk)
        ],
    }


@pytest.mark.django_db(transaction=True, available_apps=ALL_APPS)
def test_previous_version_database_migrates_forward_without_loss():
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    for app_label, name in BEFORE:
        assert name is None or (app_label, name) in graph.nodes, (app_label, name)
    leaves = graph.leaf_nodes()
    # The historical models also need the current auth and contenttypes (ContentType has no
    # ``name`` column any more), which the previous version's targets do not all depend on.
    state_nodes = [node for node in BEFORE if node[1] is not None] + [
        graph.leaf_nodes("contenttypes")[0],
        graph.leaf_nodes("auth")[0],
    ]
    try:
        executor.migrate(BEFORE)
        executor.loader.build_graph()
        old_apps = executor.loader.project_state(state_nodes).apps
        content_type_ids = _hand_content_types_back(old_apps)
        permission_ids = {
            model: sorted(
                old_apps.get_model("auth", "Permission")
                .objects.filter(content_type_id=ct_id)
                .values_list("pk", flat=True)
            )
            for model, ct_id in content_type_ids.items()
        }
        before = _fill_previous_version(old_apps)

        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
        executor.loader.build_graph()
        assert not executor.migration_plan(leaves)
    finally:
        MigrationExecutor(connection).migrate(leaves)
        ContentType.objects.clear_cache()

    # Every row is still there with the same values, now read through the current models.
    for model, row in before["rows"].items():
        added = ADDED_SINCE.get(model, {})
        now = _values(model, row["id"])
        assert {name: now.pop(name) for name in added} == added, model  # their defaults
        assert now == row, model
    assert _values(Membership, before["memberships"][1]) == before["approver_membership"]
    assert Account.objects.count() == 1
    assert Membership.objects.count() == 2
    assert ErpCall.objects.count() == 2

    # The foreign keys resolve to the moved models.
    account = Account.objects.get(pk=before["account"])
    assert account.slug == "summit"
    assert account.allow_standard_approvers
    assert account.notify_approvers_on_send
    assert account.direct_export_change_orders
    assert not account.direct_export_commitments
    admin_membership, approver_membership = (
        Membership.objects.select_related("account", "user").get(pk=pk)
        for pk in before["memberships"]
    )
    assert admin_membership.account == account
    assert admin_membership.user_id == before["users"][0]
    assert admin_membership.can_create_project
    assert not admin_membership.can_push_to_accounting
    assert approver_membership.account == account
    assert approver_membership.user.username == "bo"
    assert approver_membership.can_push_to_accounting
    assert approver_membership.subscribe_erp_digest
    assert set(account.memberships.values_list("pk", flat=True)) == set(before["memberships"])
    # The grant became a company template the approver holds (permissions 0004).
    assert not ToolGrant.objects.filter(pk=before["grant"]).exists()
    held = load_member(account, before["users"][1])
    assert held.company_template is not None
    assert held.company[Tool.ERP_INTEGRATIONS].level == Level.STANDARD
    commitment = Commitment.objects.select_related("account", "project", "vendor").get(
        pk=before["commitment"]
    )
    assert commitment.account == account
    assert commitment.project.pk == before["project"]
    assert commitment.vendor.name == "Granite Concrete"
    request = ExportRequest.objects.select_related("account").get(pk=before["request"])
    assert request.account == account
    assert list(account.export_requests.all()) == [request]
    erp_connection = ErpConnection.objects.select_related("account").get(pk=before["connection"])
    assert erp_connection.account == account
    assert account.erp_connection == erp_connection
    assert erp_connection.settings == {"base_url": "https://erp.example.com", "company": 7}
    assert erp_connection.secrets == "gAAAAABencrypted-token"

    # The call made for the export request names it in its summary; the other keeps its own.
    request_call, plain_call = (
        ErpCall.objects.select_related("connection__account").get(pk=pk) for pk in before["calls"]
    )
    assert request_call.connection.account == account
    assert request_call.account_id == account.pk
    assert request_call.label == request.summary["label"] == "SC-001: Concrete"
    assert request_call.payload_summary == {"label": "SC-001: Concrete", "request": request.pk}
    old_request_call = before["calls_rows"][0]
    assert _values(ErpCall, request_call.pk, drop=("payload_summary",)) == {
        key: value for key, value in old_request_call.items() if key != "payload_summary"
    }
    assert _values(ErpCall, plain_call.pk) == before["calls_rows"][1]
    assert plain_call.label == "Granite Concrete"
    assert plain_call.payload_summary == {"label": "Granite Concrete", "query": "granite"}
    assert plain_call.connection.account == account
    assert set(erp_connection.calls.values_list("pk", flat=True)) == set(before["calls"])

    # The content types (and the permissions on them) followed the models to their new apps.
    for model, (_, app_label) in MOVED.items():
        content_type = ContentType.objects.get(pk=content_type_ids[model])
        assert (content_type.app_label, content_type.model) == (app_label, model)
        permissions = Permission.objects.filter(content_type=content_type)
        assert sorted(permissions.values_list("pk", flat=True)) == permission_ids[model]
    for model, (old_app, _) in MOVED.items():
        assert not ContentType.objects.filter(app_label=old_app, model=model).exists()
    assert AuditEvent.objects.get(pk=before["event"]).request_id == before["request"]
    assert ContentType.objects.get_for_model(Account).pk == content_type_ids["account"]
    assert ContentType.objects.get_for_model(ErpCall).pk == content_type_ids["erpcall"]

    # The migrations describe the models exactly: nothing left to generate.
    out = StringIO()
    call_command("makemigrations", check=True, dry_run=True, stdout=out)
    assert "No changes detected" in out.getvalue()
