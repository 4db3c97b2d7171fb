"""Granting tool levels and privileges (the Directory's permissions page)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model

from audit.services import Change, audit_rows
from permissions.access import can, forget_holdings, require
from permissions.levels import COMPANY_ONLY_TOOLS, Level, Privilege, Tool
from permissions.models import ToolGrant
from permissions.policy import Action
from tenancy.models import Account, Membership


@dataclass(frozen=True)
class ProjectGrant:
    project: Model  # a project of the account
    tool: Tool
    level: Level


@transaction.atomic
def member_permissions_set(
    *,
    actor: Any,
    account: Account,
    membership: Membership,
    levels: dict[Tool, Level],
    privileges: dict[Privilege, bool],
    project_grants: list[ProjectGrant],
) -> None:
    """Replace a member's company-level levels, privileges and per-project levels.

    Only a Directory Admin may do it; only one who holds 'Can Push to Accounting' may grant or
    withdraw it. One audit row names each privilege and level that changed, old and new.
    """
    require(actor, Action.MANAGE_DIRECTORY, account)
    if membership.account_id != account.pk:
        raise PermissionDenied("That person is not a member of this account.")
    cpa = Privilege.CAN_PUSH_TO_ACCOUNTING
    changes_cpa = cpa in privileges and privileges[cpa] != membership.can_push_to_accounting
    if changes_cpa and not can(actor, Action.GRANT_CAN_PUSH_TO_ACCOUNTING, account):
        raise PermissionDenied(
            "Only a Directory Admin who holds 'Can Push to Accounting' may grant or withdraw it."
        )
    user = membership.user
    # What is stored, locked: two admins saving the same member are audited one after the other.
    before = _holdings(account, Membership.objects.select_for_update().get(pk=membership.pk))
    for privilege, value in privileges.items():
        setattr(membership, privilege.value, value)
    membership.save()
    ToolGrant.objects.filter(account=account, user=user).delete()
    rows = [
        ToolGrant(account=account, user=user, tool=tool, level=level, granted_by=actor)
        for tool, level in levels.items()
        if level > Level.NONE
    ]
    seen: set[tuple[int, str]] = set()
    for grant in project_grants:
        key = (grant.project.pk, grant.tool.value)
        if (
            getattr(grant.project, "account_id", None) != account.pk
            or grant.tool in COMPANY_ONLY_TOOLS
            or key in seen
        ):
            raise ValidationError(
                f"The grant of {grant.tool.label} on {grant.project} is not valid."
            )
        seen.add(key)
        rows.append(
            ToolGrant(
                account=account,
                user=user,
                project_id=grant.project.pk,
                tool=grant.tool,
                level=grant.level,
                granted_by=actor,
            )
        )
    ToolGrant.objects.bulk_create(rows)
    _audit(actor, membership, before, _holdings(account, membership))
    forget_holdings(user)
    forget_holdings(actor)


def _holdings(account: Account, membership: Membership) -> dict[str, str]:
    """A member's privileges and levels in words, by name: ``Commitments`` for the company
    level, ``Commitments on project 12`` for a project's."""
    held = {p.label: "Yes" if getattr(membership, p.value) else "No" for p in Privilege}
    for grant in ToolGrant.objects.filter(account=account, user_id=membership.user_id):
        name = Tool(grant.tool).label
        if grant.project_id is not None:
            name = f"{name} on project {grant.project_id}"
        held[name] = Level(grant.level).label
    return held


def _audit(
    actor: Any, membership: Membership, before: dict[str, str], after: dict[str, str]
) -> None:
    none = Level.NONE.label
    changed = {
        name: [before.get(name, none), after.get(name, none)]
        for name in sorted(before.keys() | after.keys())
        if before.get(name, none) != after.get(name, none)
    }
    if not changed:
        return
    change = Change(
        membership.account_id,
        "membership",
        membership.pk,
        "permissions_changed",
        data={"member": membership.user.get_username(), "changed": changed},
    )
    audit_rows(actor, [change])
