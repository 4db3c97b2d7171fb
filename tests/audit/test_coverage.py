"""Every change to who may do what, to the ERP connection and to the sync schedules leaves one
audit row, written with the change (the change is undone when the row cannot be written), naming
the actor and each value before and after; a secret's value never appears in the trail."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.forms.models import model_to_dict

from audit.models import AuditEvent
from erp.connections import connection_for
from erp.services import connection_configure, connection_set_paused
from permissions.levels import Level, Privilege, Tool
from permissions.models import ToolGrant
from permissions.services import ProjectGrant, member_permissions_set
from syncs.models import Every
from syncs.schedules import schedule_update
from tenancy.models import Membership
from tests.factories import ProjectFactory, member

pytestmark = pytest.mark.django_db


class WriteFailed(Exception):
    pass


def rows(account: Any, verb: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(account=account, verb=verb))


def fail_audit(monkeypatch: Any, module: str) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise WriteFailed

    monkeypatch.setattr(f"{module}.audit_rows", refuse)


@pytest.fixture
def erp_admin(account):
    return member(account, username="morgan", levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})


@pytest.fixture
def directory_admin(account):
    return member(
        account, username="dana", levels={Tool.DIRECTORY: Level.ADMIN}, can_push_to_accounting=True
    )


def set_permissions(actor: Any, account: Any, target: Any, project: Any) -> None:
    member_permissions_set(
        actor=actor,
        account=account,
        membership=Membership.objects.get(account=account, user=target),
        levels={Tool.ERP_INTEGRATIONS: Level.STANDARD, Tool.COMMITMENTS: Level.READ_ONLY},
        privileges={Privilege.CAN_PUSH_TO_ACCOUNTING: True},
        project_grants=[ProjectGrant(project, Tool.COMMITMENTS, Level.ADMIN)],
    )


def test_a_grant_names_each_privilege_and_level_before_and_after(account, directory_admin):
    target = member(account, username="priya", levels={Tool.COMMITMENTS: Level.STANDARD})
    project = ProjectFactory(account=account)
    set_permissions(directory_admin, account, target, project)
    (row,) = rows(account, "permissions_changed")
    assert row.actor == directory_admin
    assert row.item_type == "membership"
    assert row.data == {
        "member": "priya",
        "changed": {
            "Can Push to Accounting": ["No", "Yes"],
            "Commitments": ["Standard", "Read Only"],
            f"Commitments on project {project.pk}": ["Not set", "Admin"],
            "ERP Integrations": ["Not set", "Standard"],
        },
    }
    # Withdrawing everything is named too; saving the same again adds no row.
    member_permissions_set(
        actor=directory_admin,
        account=account,
        membership=Membership.objects.get(user=target),
        levels={},
        privileges={Privilege.CAN_PUSH_TO_ACCOUNTING: False},
        project_grants=[],
    )
    withdrawn = rows(account, "permissions_changed")[-1].data["changed"]
    assert withdrawn["Can Push to Accounting"] == ["Yes", "No"]
    assert withdrawn[f"Commitments on project {project.pk}"] == ["Admin", "Not set"]
    member_permissions_set(
        actor=directory_admin,
        account=account,
        membership=Membership.objects.get(user=target),
        levels={},
        privileges={Privilege.CAN_PUSH_TO_ACCOUNTING: False},
        project_grants=[],
    )
    assert len(rows(account, "permissions_changed")) == 2


def test_a_grant_is_undone_when_its_audit_row_cannot_be_written(
    account, directory_admin, monkeypatch
):
    target = member(account, username="priya")
    fail_audit(monkeypatch, "permissions.services")
    with pytest.raises(WriteFailed):
        set_permissions(directory_admin, account, target, ProjectFactory(account=account))
    assert Membership.objects.get(user=target).can_push_to_accounting is False
    assert not ToolGrant.objects.filter(user=target).exists()


def test_connection_settings_are_audited_and_secret_values_never_are(account, erp_admin):
    values = {"url": "https://erp.example.com", "database": "live", "user": "portal"}
    connection_configure(
        account=account,
        actor=erp_admin,
        connector_key="tryton",
        values={**values, "password": "hunter2-first"},
    )
    connection_configure(
        account=account,
        actor=erp_admin,
        connector_key="tryton",
        values={**values, "database": "test", "password": "hunter2-second"},
    )
    first, second = rows(account, "connection_configured")
    assert first.actor == erp_admin and first.item_type == "erp_connection"
    assert first.data["connector"] == ["sandbox", "tryton"]
    assert first.data["settings"]["url"] == ["", "https://erp.example.com"]
    assert first.data["secrets_changed"] == ["password"]
    assert second.data == {
        "settings": {"database": ["live", "test"]},
        "secrets_changed": ["password"],
    }
    # Saved again with the password left blank (kept): nothing changed, no row.
    connection_configure(
        account=account,
        actor=erp_admin,
        connector_key="tryton",
        values={**values, "database": "test"},
    )
    assert len(rows(account, "connection_configured")) == 2
    everything = json.dumps(
        [model_to_dict(r) for r in AuditEvent.objects.filter(account=account)], default=str
    )
    assert "hunter2" not in everything


def test_pause_and_resume_are_audited_with_the_reason(account, erp_admin):
    connection_set_paused(account=account, actor=erp_admin, paused=True, reason="Month-end close")
    connection_set_paused(account=account, actor=erp_admin, paused=False)
    paused, resumed = (
        rows(account, verb)[0] for verb in ("connection_paused", "connection_resumed")
    )
    assert (paused.actor, paused.before, paused.after) == (erp_admin, "running", "paused")
    assert paused.reason == "Month-end close"
    assert (resumed.actor, resumed.before, resumed.after) == (erp_admin, "paused", "running")
    assert paused.item_id == resumed.item_id == connection_for(account).pk


def test_a_pause_is_undone_when_its_audit_row_cannot_be_written(account, erp_admin, monkeypatch):
    fail_audit(monkeypatch, "erp.services")
    with pytest.raises(WriteFailed):
        connection_set_paused(account=account, actor=erp_admin, paused=True, reason="Close")
    assert connection_for(account).is_paused is False


def test_a_schedule_change_names_what_it_was_and_what_it_is(account, erp_admin):
    schedule_update(
        actor=erp_admin, account=account, kind="payments", every=Every.DAILY, at=dt.time(5, 30)
    )
    schedule_update(
        actor=erp_admin, account=account, kind="payments", every=Every.CRON, cron="15 6 * * 1-5"
    )
    daily, cron = rows(account, "schedule_changed")
    assert daily.actor == erp_admin and daily.data["kind"] == "payments"
    assert daily.data["changed"]["at"][1] == "05:30:00"
    assert (cron.before, cron.after) == (Every.DAILY, Every.CRON)
    assert cron.data["changed"] == {
        "every": [Every.DAILY, Every.CRON],
        "at": ["05:30:00", ""],
        "cron": ["", "15 6 * * 1-5"],
    }
