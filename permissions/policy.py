"""The one policy table and the one function that answers every permission question.

``POLICY`` maps each :class:`Action` (every row of the permission matrix, plus the portal's own
actions) to a :class:`Rule`: the level needed on the ERP Integrations tool, whether the 'Can Push
to Accounting' privilege is needed, the level needed on the item's own tool, and any other tool
requirements. :func:`can` evaluates a rule for a user; views, the API, templates and services
all ask it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from permissions.levels import COMPANY_ONLY_TOOLS, Level, Privilege, Tool


class Action(StrEnum):
    # Rows of the permission matrix.
    ACCEPT_REJECT_COST_CODES = "accept_reject_cost_codes"
    ACCEPT_REJECT_OWNER_INVOICES = "accept_reject_owner_invoices"
    ACCEPT_REJECT_SUBCONTRACTOR_INVOICES = "accept_reject_subcontractor_invoices"
    ACCEPT_REJECT_BUDGET = "accept_reject_budget"
    ACCEPT_REJECT_CCO = "accept_reject_cco"
    ACCEPT_REJECT_COMMITMENT = "accept_reject_commitment"
    ACCEPT_REJECT_COMPANY = "accept_reject_company"
    ACCEPT_REJECT_PCCO = "accept_reject_pcco"
    ACCEPT_REJECT_PROJECT = "accept_reject_project"
    ACCEPT_REJECT_SUB_JOB = "accept_reject_sub_job"
    ADD_PROJECT_TO_ERP = "add_project_to_erp"
    ADD_ERP_COMPANY = "add_erp_company"
    ADD_ERP_JOB = "add_erp_job"
    ARCHIVE_ERP_COMPANY = "archive_erp_company"
    ASSIGN_DEFAULT_COST_TYPES = "assign_default_cost_types"
    CONFIGURE_ADVANCED_SETTINGS = "configure_advanced_settings"
    CONFIGURE_SYNC_SCHEDULE = "configure_sync_schedule"
    TOGGLE_DIRECT_EXPORTS = "toggle_direct_exports"
    IMPORT_BUDGET = "import_budget"
    IMPORT_PRIME_CONTRACT = "import_prime_contract"
    IMPORT_SUB_JOB = "import_sub_job"
    LINK_ERP_COMPANIES = "link_erp_companies"
    REFRESH_COMPANIES = "refresh_companies"
    REFRESH_PROJECT_COST_CODES = "refresh_project_cost_codes"
    SEND_ITEMS = "send_items"
    SYNC_JOB_COST_TRANSACTIONS = "sync_job_cost_transactions"
    SYNC_PAID_INVOICES = "sync_paid_invoices"
    UNLINK_CCO = "unlink_cco"
    UNLINK_COMMITMENT = "unlink_commitment"
    UNLINK_OWNER_INVOICE = "unlink_owner_invoice"
    UNLINK_PCCO = "unlink_pcco"
    UNLINK_SUBCONTRACTOR_INVOICE = "unlink_subcontractor_invoice"
    UNLINK_COMPANY = "unlink_company"
    VIEW_SYNCED_SUB_JOBS = "view_synced_sub_jobs"
    VIEW_ACCOUNTANT_REPORT = "view_accountant_report"
    VIEW_ERP_JOB_COSTS_REPORT = "view_erp_job_costs_report"
    VIEW_UNSYNCABLE_DIRECT_COSTS_REPORT = "view_unsyncable_direct_costs_report"
    VIEW_ARCHIVED_COMPANIES = "view_archived_companies"
    # The portal's own actions.
    VIEW_ERP_TOOL = "view_erp_tool"
    VIEW_SYNC_LOGS = "view_sync_logs"
    VIEW_AUDIT_TRAIL = "view_audit_trail"
    MANAGE_ERP_CONNECTION = "manage_erp_connection"
    RESET_PCCO = "reset_pcco"
    MANAGE_DIRECTORY = "manage_directory"
    GRANT_CAN_PUSH_TO_ACCOUNTING = "grant_can_push_to_accounting"
    VIEW_RECORDS = "view_records"
    EDIT_RECORDS = "edit_records"
    CREATE_PROJECT = "create_project"


# --- What a user holds -----------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Where a question is asked: one project, the company, or 'on any project'."""

    project_id: int | None = None
    anywhere: bool = False


@dataclass
class Holdings:
    """One user's levels and privileges in one account, loaded once per request.

    ``company`` is the company level per tool; ``per_project`` what a project has of its own (a
    project template's levels and adjustments); ``project_default`` the levels of the account's
    default project template, which apply on a project with nothing of its own (None: no
    default, the company level applies there).
    """

    company: dict[str, int]
    per_project: dict[tuple[int, str], int]
    privileges: frozenset[str]
    superuser: bool = False
    project_default: dict[str, int] | None = None

    def on_unassigned_projects(self, tool: Tool) -> Level:
        """The level on a project where the user has nothing of its own."""
        if tool in COMPANY_ONLY_TOOLS:
            return Level(self.company.get(tool, Level.NONE))
        source = self.company if self.project_default is None else self.project_default
        return Level(source.get(tool, Level.NONE))

    def level(self, tool: Tool, scope: Scope) -> Level:
        if tool in COMPANY_ONLY_TOOLS:
            return Level(self.company.get(tool, Level.NONE))
        if scope.project_id is not None:
            own = self.per_project.get((scope.project_id, tool))
            return Level(own) if own is not None else self.on_unassigned_projects(tool)
        if scope.anywhere:
            on_projects = [lvl for (_, t), lvl in self.per_project.items() if t == tool]
            company = self.company.get(tool, Level.NONE)
            return Level(max([company, self.on_unassigned_projects(tool), *on_projects]))
        return Level(self.company.get(tool, Level.NONE))

    def has(self, privilege: Privilege) -> bool:
        return privilege.value in self.privileges


COMPANY = Scope()


# --- Requirements ----------------------------------------------------------------------------


class Requirement(Protocol):
    def met(self, holdings: Holdings, scope: Scope) -> bool: ...


@dataclass(frozen=True)
class AtLeast:
    tool: Tool
    level: Level
    at_company: bool = False  # the company-level grant only, wherever the question is asked

    def met(self, holdings: Holdings, scope: Scope) -> bool:
        return holdings.level(self.tool, COMPANY if self.at_company else scope) >= self.level


@dataclass(frozen=True)
class Holds:
    privilege: Privilege

    def met(self, holdings: Holdings, scope: Scope) -> bool:
        return holdings.has(self.privilege)


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Requirement, ...]

    def met(self, holdings: Holdings, scope: Scope) -> bool:
        return all(part.met(holdings, scope) for part in self.parts)


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Requirement, ...]

    def met(self, holdings: Holdings, scope: Scope) -> bool:
        return any(part.met(holdings, scope) for part in self.parts)


# 'Read-only' or above on the project's Reports tool AND Admin on Budget OR Prime Contracts.
PROJECT_REPORT_ACCESS = AllOf(
    (
        AtLeast(Tool.REPORTS, Level.READ_ONLY),
        AnyOf((AtLeast(Tool.BUDGET, Level.ADMIN), AtLeast(Tool.PRIME_CONTRACTS, Level.ADMIN))),
    )
)
COMPANY_DIRECTORY_ADMIN = AtLeast(Tool.DIRECTORY, Level.ADMIN, at_company=True)
# Admin on the company Directory, or Standard there with the 'Create New Project' permission.
DIRECTORY_ADMIN_OR_PROJECT_CREATOR = AnyOf(
    (
        COMPANY_DIRECTORY_ADMIN,
        AllOf(
            (
                AtLeast(Tool.DIRECTORY, Level.STANDARD, at_company=True),
                Holds(Privilege.CREATE_PROJECT),
            )
        ),
    )
)


# --- The table -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    seed: str | None
    erp: Level | None = None  # least level on the ERP Integrations tool
    approver: bool = False  # needs 'Can Push to Accounting' (an Accounting Approver)
    item_tool: Level | None = None  # least level on the tool that holds the item
    also: Requirement | None = None
    also_on_project: Requirement | None = None  # extra, when asked on a project


def _approval(seed: str) -> Rule:
    return Rule(seed=seed, erp=Level.ADMIN, approver=True)


def _std(seed: str, **kwargs: object) -> Rule:
    return Rule(seed=seed, erp=Level.STANDARD, **kwargs)  # type: ignore[arg-type]


def _admin(seed: str) -> Rule:
    return Rule(seed=seed, erp=Level.ADMIN)


A = Action
POLICY: dict[Action, Rule] = {
    A.ACCEPT_REJECT_COST_CODES: _approval("Accept or Reject Cost Codes for Export to ERP"),
    A.ACCEPT_REJECT_OWNER_INVOICES: _approval("Accept or Reject Owner Invoices for Export to ERP"),
    A.ACCEPT_REJECT_SUBCONTRACTOR_INVOICES: _approval(
        "Accept or Reject Subcontractor Invoices for Export to ERP"
    ),
    A.ACCEPT_REJECT_BUDGET: _approval("Accept or Reject a Budget for Export to ERP"),
    A.ACCEPT_REJECT_CCO: _approval("Accept or Reject a CCO for Export to ERP"),
    A.ACCEPT_REJECT_COMMITMENT: _approval("Accept or Reject a Commitment for Export to ERP"),
    A.ACCEPT_REJECT_COMPANY: _approval("Accept or Reject a Company for Export to ERP"),
    A.ACCEPT_REJECT_PCCO: _approval("Accept or Reject a PCCO for Export to ERP"),
    A.ACCEPT_REJECT_PROJECT: _approval("Accept or Reject a Project for Export to ERP"),
    A.ACCEPT_REJECT_SUB_JOB: _approval("Accept or Reject a Sub Job for Export to ERP"),
    A.ADD_PROJECT_TO_ERP: _std("Add a Procore Project to your ERP System"),
    A.ADD_ERP_COMPANY: _std("Add an ERP Company to the Procore Company Directory"),
    A.ADD_ERP_JOB: _admin("Add an ERP Job to Procore"),
    A.ARCHIVE_ERP_COMPANY: _std("Archive an ERP Company in Procore"),
    A.ASSIGN_DEFAULT_COST_TYPES: _std("Assign Default Cost Types To ERP Standard Cost Codes"),
    A.CONFIGURE_ADVANCED_SETTINGS: _admin("Configure Advanced Settings: ERP Integrations"),
    A.CONFIGURE_SYNC_SCHEDULE: _admin("Configure the Sync Schedule for your ERP Integration"),
    A.TOGGLE_DIRECT_EXPORTS: _admin("Enable or Disable ERP Direct Exports"),
    A.IMPORT_BUDGET: _std("Import a Budget from ERP"),
    A.IMPORT_PRIME_CONTRACT: _std(
        "Import a Prime Contract from an Integrated ERP System into Procore"
    ),
    A.IMPORT_SUB_JOB: _std("Import an ERP Sub Job to a Procore Project"),
    A.LINK_ERP_COMPANIES: _admin("Link ERP Companies to Procore Companies"),
    A.REFRESH_COMPANIES: _admin("Refresh the Companies List for ERP"),
    A.REFRESH_PROJECT_COST_CODES: _admin("Refresh the Cost Codes on an ERP Integrated Project"),
    A.SEND_ITEMS: Rule(
        seed="Send, Retrieve, or Resend Items to ERP Integrations for Accounting Acceptance",
        item_tool=Level.ADMIN,
    ),
    A.SYNC_JOB_COST_TRANSACTIONS: _admin(
        "Sync Job Cost Transactions from an Integrated ERP into Procore"
    ),
    A.SYNC_PAID_INVOICES: _admin("Sync Paid Invoice Notifications from ERP into Procore"),
    A.UNLINK_CCO: _std("Unlink CCOs Synced with ERP"),
    A.UNLINK_COMMITMENT: _std("Unlink Commitments Synced with ERP"),
    A.UNLINK_OWNER_INVOICE: _std("Unlink Owner Invoices Synced with ERP"),
    A.UNLINK_PCCO: _std("Unlink PCCOs Synced with ERP"),
    A.UNLINK_SUBCONTRACTOR_INVOICE: _std("Unlink Subcontractor Invoices Synced with ERP"),
    A.UNLINK_COMPANY: _std("Unlink a Company Synced with ERP"),
    A.VIEW_SYNCED_SUB_JOBS: _std(
        "View a List of Synced Sub Jobs", also=DIRECTORY_ADMIN_OR_PROJECT_CREATOR
    ),
    A.VIEW_ACCOUNTANT_REPORT: _admin("View an Accountant Report for ERP"),
    A.VIEW_ERP_JOB_COSTS_REPORT: Rule(
        seed="View an ERP Job Costs Report", erp=Level.ADMIN, also_on_project=PROJECT_REPORT_ACCESS
    ),
    A.VIEW_UNSYNCABLE_DIRECT_COSTS_REPORT: Rule(
        seed="View an ERP Unsyncable Direct Costs Report", also=PROJECT_REPORT_ACCESS
    ),
    A.VIEW_ARCHIVED_COMPANIES: _std("View the Archived Companies List for ERP", approver=True),
    A.VIEW_ERP_TOOL: Rule(seed=None, erp=Level.READ_ONLY),
    A.VIEW_SYNC_LOGS: Rule(seed=None, erp=Level.STANDARD),
    A.VIEW_AUDIT_TRAIL: Rule(seed=None, erp=Level.ADMIN),  # ERP admins (a company-level tool)
    A.MANAGE_ERP_CONNECTION: Rule(seed=None, erp=Level.ADMIN),
    A.RESET_PCCO: Rule(seed=None, erp=Level.ADMIN),
    A.MANAGE_DIRECTORY: Rule(seed=None, also=COMPANY_DIRECTORY_ADMIN),
    A.GRANT_CAN_PUSH_TO_ACCOUNTING: Rule(
        seed=None,
        also=AllOf((COMPANY_DIRECTORY_ADMIN, Holds(Privilege.CAN_PUSH_TO_ACCOUNTING))),
    ),
    A.VIEW_RECORDS: Rule(seed=None, item_tool=Level.READ_ONLY),
    A.EDIT_RECORDS: Rule(seed=None, item_tool=Level.STANDARD),
    A.CREATE_PROJECT: Rule(
        seed=None,
        also=AnyOf(
            (
                AtLeast(Tool.PROJECT_ADMIN, Level.ADMIN, at_company=True),
                Holds(Privilege.CREATE_PROJECT),
            )
        ),
    ),
}
del A

# Tools whose Admins may send items (used when 'send' is asked without an item).
ITEM_TOOLS = (
    Tool.PROJECT_ADMIN,
    Tool.DIRECTORY,
    Tool.BUDGET,
    Tool.PRIME_CONTRACTS,
    Tool.COMMITMENTS,
    Tool.INVOICING,
    Tool.DIRECT_COSTS,
)


def rule_allows(
    rule: Rule,
    holdings: Holdings,
    scope: Scope,
    *,
    item_tool: Tool | None,
    standard_approvers: bool,
) -> bool:
    if holdings.superuser:
        return True
    if rule.erp is not None:
        needed = rule.erp
        if rule.approver and standard_approvers:
            needed = min(needed, Level.STANDARD)
        if holdings.level(Tool.ERP_INTEGRATIONS, scope) < needed:
            return False
    if rule.approver and not holdings.has(Privilege.CAN_PUSH_TO_ACCOUNTING):
        return False
    if rule.item_tool is not None:
        tools = (item_tool,) if item_tool is not None else ITEM_TOOLS
        if not any(holdings.level(tool, scope) >= rule.item_tool for tool in tools):
            return False
    if rule.also is not None and not rule.also.met(holdings, scope):
        return False
    return not (
        rule.also_on_project is not None
        and scope.project_id is not None
        and not rule.also_on_project.met(holdings, scope)
    )
