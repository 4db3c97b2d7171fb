"""Permission levels and the tools they are granted on."""

from __future__ import annotations

from enum import IntEnum

from django.db import models


class Level(IntEnum):
    """Ordered: a higher level includes everything a lower one allows."""

    NONE = 0
    READ_ONLY = 1
    STANDARD = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]


LEVEL_LABELS = {
    Level.NONE: "None",
    Level.READ_ONLY: "Read Only",
    Level.STANDARD: "Standard",
    Level.ADMIN: "Admin",
}
LEVEL_CHOICES = [(level.value, level.label) for level in Level]


class Tool(models.TextChoices):
    ERP_INTEGRATIONS = "erp_integrations", "ERP Integrations"
    DIRECTORY = "directory", "Directory"
    PROJECT_ADMIN = "project_admin", "Project Admin"
    BUDGET = "budget", "Budget"
    PRIME_CONTRACTS = "prime_contracts", "Prime Contracts"
    COMMITMENTS = "commitments", "Commitments"
    CHANGE_ORDERS = "change_orders", "Change Orders"
    INVOICING = "invoicing", "Invoicing"
    DIRECT_COSTS = "direct_costs", "Direct Costs"
    REPORTS = "reports", "Reports"


# Tools granted for the whole account only; the others may also be granted per project.
COMPANY_ONLY_TOOLS = frozenset({Tool.ERP_INTEGRATIONS})


class Privilege(models.TextChoices):
    """Account-wide privileges, stored as flags on the membership."""

    CAN_PUSH_TO_ACCOUNTING = "can_push_to_accounting", "Can Push to Accounting"
    SUBSCRIBE_ERP_DIGEST = "subscribe_erp_digest", "Subscribe to ERP digest emails"
    CREATE_PROJECT = "can_create_project", "Create New Project"
