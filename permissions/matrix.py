"""The permission matrix as the real ``can()`` answers it, for review and for comparison with
the seed matrix (``manage.py permissions_matrix --json``)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from permissions.access import can
from permissions.levels import Level, Tool
from permissions.models import ToolGrant, project_model
from permissions.policy import POLICY, Action

# Actions that only make sense on a project: asked on one.
ASKED_ON_PROJECT = frozenset(
    {Action.VIEW_UNSYNCABLE_DIRECT_COSTS_REPORT, Action.REFRESH_PROJECT_COST_CODES}
)
GRID_LEVELS = {
    "none": Level.NONE,
    "read_only": Level.READ_ONLY,
    "standard": Level.STANDARD,
    "admin": Level.ADMIN,
}


def compute_matrix(*, allow_standard_approvers: bool = False) -> list[dict[str, Any]]:
    """Ask ``can()`` for every action, for a user at each ERP level with and without 'Can Push
    to Accounting', who holds Admin on every other tool and 'Create New Project'. The probe
    account and users are created in a transaction that is rolled back."""
    from tenancy.models import Account, Membership

    with transaction.atomic():
        tag = uuid.uuid4().hex[:10]
        account = Account.objects.create(
            name="Matrix probe",
            slug=f"matrix-{tag}",
            allow_standard_approvers=allow_standard_approvers,
        )
        project = project_model()._default_manager.create(
            account=account, number="P-1", name="Probe"
        )
        users: dict[tuple[str, str], Any] = {}
        for level_key, level in GRID_LEVELS.items():
            for role, approver in (("approver", True), ("plain", False)):
                user = get_user_model().objects.create(username=f"probe-{tag}-{level_key}-{role}")
                Membership.objects.create(
                    account=account,
                    user=user,
                    can_push_to_accounting=approver,
                    can_create_project=True,
                )
                ToolGrant.objects.bulk_create(
                    ToolGrant(
                        account=account,
                        user=user,
                        tool=tool,
                        level=level if tool == Tool.ERP_INTEGRATIONS else Level.ADMIN,
                    )
                    for tool in Tool
                )
                users[(level_key, role)] = user
        rows = []
        for action, rule in POLICY.items():
            on = project if action in ASKED_ON_PROJECT else None
            grid = {
                level_key: {
                    role: can(users[(level_key, role)], action, account, project=on)
                    for role in ("approver", "plain")
                }
                for level_key in GRID_LEVELS
            }
            rows.append({"action": action.value, "seed_action": rule.seed, "grid": grid})
        transaction.set_rollback(True)
    return rows
