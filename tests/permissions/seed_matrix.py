"""The ERP Integrations permission matrix, written by hand from the seed document.

Source: the seed's 38 action rows (``/work/shared/seeds/000_65ab7d7f2cd84ac3.txt``). Nothing here
is read from ``permissions.policy``; only the action *keys* (the ``Action`` enum values) are used
to name what ``can()`` is asked, and each key was matched to a seed row by reading its wording.

Reading rules (the seed lost its column positions):

* two check icons = Standard and Admin; one icon = Admin only;
* ``-gp`` icons = "with additional requirements", stated in the row's notes;
* the 10 Accept/Reject rows carry one conditional mark + "Also requires Accounting Approver
  permissions": Admin + 'Can Push to Accounting' by default; an account with
  ``allow_standard_approvers`` also lets Standard + 'Can Push to Accounting' through;
* "Send, Retrieve, or Resend Items": no ERP-tool permission at all; 'Admin' on the tool where
  the item is located;
* "View a List of Synced Sub Jobs": Standard/Admin on ERP + ('Admin' on the company-level
  Directory, or 'Standard' on it with the 'Create New Project' privilege);
* "View an ERP Job Costs Report": ERP Admin at company level; on a project also Read Only+ on
  the project's Reports AND ('Admin' on the project's Budget OR 'Admin' on its Prime Contracts);
* "View an ERP Unsyncable Direct Costs Report": no ERP permission; on a project, Read Only+ on
  Reports AND (Admin Budget OR Admin Prime Contracts);
* "View the Archived Companies List for ERP": Standard/Admin + Accounting Approver.

A row's extra requirement is a small function of an :class:`Others` snapshot (what the user
holds outside the ERP tool, at the place the question is asked).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from permissions.levels import Level, Tool

NONE, RO, STD, ADMIN = Level.NONE, Level.READ_ONLY, Level.STANDARD, Level.ADMIN
ALL_LEVELS = frozenset({NONE, RO, STD, ADMIN})
STD_AND_ADMIN = frozenset({STD, ADMIN})
ADMIN_ONLY = frozenset({ADMIN})

# The tools that hold items which can be sent to ERP (from the brief's item -> tool list).
ITEM_TOOLS = (
    Tool.PROJECT_ADMIN,
    Tool.DIRECTORY,
    Tool.BUDGET,
    Tool.PRIME_CONTRACTS,
    Tool.COMMITMENTS,
    Tool.INVOICING,
    Tool.DIRECT_COSTS,
)
OTHER_TOOLS = tuple(t for t in Tool if t != Tool.ERP_INTEGRATIONS)


@dataclass(frozen=True)
class Others:
    """What a user holds besides ERP, where the question is asked.

    ``company`` are the company-level levels, ``here`` the levels that apply at the place asked
    (on a project: the project grant if any, else the company level; at company level: the same
    as ``company``). ``on_project`` tells whether the question is about one project.
    ``item_tool`` is the tool of the item asked about (None: no particular item).
    """

    company: Mapping[Tool, Level] = field(default_factory=dict)
    here: Mapping[Tool, Level] = field(default_factory=dict)
    create_project: bool = False
    on_project: bool = False
    item_tool: Tool | None = None

    def at(self, tool: Tool) -> Level:
        return Level(self.here.get(tool, NONE))

    def company_level(self, tool: Tool) -> Level:
        return Level(self.company.get(tool, NONE))

    @classmethod
    def everything(cls, *, on_project: bool = False) -> Others:
        """Admin on every other tool and 'Create New Project' (the matrix probe's user)."""
        levels: dict[Tool, Level] = dict.fromkeys(OTHER_TOOLS, ADMIN)
        return cls(levels, levels, create_project=True, on_project=on_project)

    @classmethod
    def nothing(cls, *, on_project: bool = False) -> Others:
        return cls({}, {}, create_project=False, on_project=on_project)


# --- Extra requirements (hand-written from the rows' notes) ------------------------------------


def admin_on_item_tool(o: Others) -> bool:
    """'Admin' level permissions on the tool where the item is located."""
    if o.item_tool is not None:
        return o.at(o.item_tool) == ADMIN
    return any(o.at(t) == ADMIN for t in ITEM_TOOLS)


def directory_admin_or_std_creator(o: Others) -> bool:
    """'Admin' on the Company level Directory, or 'Standard' with 'Create New Project'."""
    directory = o.company_level(Tool.DIRECTORY)
    return directory == ADMIN or (directory >= STD and o.create_project)


def project_report_access(o: Others) -> bool:
    """Read Only+ on Reports AND (Admin on Budget OR Admin on Prime Contracts)."""
    return o.at(Tool.REPORTS) >= RO and (
        o.at(Tool.BUDGET) == ADMIN or o.at(Tool.PRIME_CONTRACTS) == ADMIN
    )


def report_access_on_project_only(o: Others) -> bool:
    """Company level: nothing more. Project level: the report access above."""
    return project_report_access(o) if o.on_project else True


@dataclass(frozen=True)
class SeedRow:
    wording: str  # the seed's exact row title
    action: str  # the portal's Action key
    erp_levels: frozenset[Level]  # ERP levels that may take the action (with the rest met)
    approver: bool = False  # 'Can Push to Accounting' needed
    accept_reject: bool = False  # one of the 10 Accept/Reject rows (account setting applies)
    extra: Callable[[Others], bool] | None = None  # other-tool requirement
    project_only: bool = False  # the seed defines it on a project only

    def expected(
        self,
        erp: Level,
        approver: bool,
        others: Others,
        *,
        allow_standard_approvers: bool = False,
    ) -> bool:
        levels = self.erp_levels
        if self.accept_reject and allow_standard_approvers:
            levels = levels | {STD}
        if erp not in levels:
            return False
        if self.approver and not approver:
            return False
        return self.extra is None or self.extra(others)


def _accept(wording: str, action: str) -> SeedRow:
    return SeedRow(wording, action, ADMIN_ONLY, approver=True, accept_reject=True)


SEED_ROWS: tuple[SeedRow, ...] = (
    _accept("Accept or Reject Cost Codes for Export to ERP", "accept_reject_cost_codes"),
    _accept("Accept or Reject Owner Invoices for Export to ERP", "accept_reject_owner_invoices"),
    _accept(
        "Accept or Reject Subcontractor Invoices for Export to ERP",
        "accept_reject_subcontractor_invoices",
    ),
    _accept("Accept or Reject a Budget for Export to ERP", "accept_reject_budget"),
    _accept("Accept or Reject a CCO for Export to ERP", "accept_reject_cco"),
    _accept("Accept or Reject a Commitment for Export to ERP", "accept_reject_commitment"),
    _accept("Accept or Reject a Company for Export to ERP", "accept_reject_company"),
    _accept("Accept or Reject a PCCO for Export to ERP", "accept_reject_pcco"),
    _accept("Accept or Reject a Project for Export to ERP", "accept_reject_project"),
    _accept("Accept or Reject a Sub Job for Export to ERP", "accept_reject_sub_job"),
    SeedRow("Add a Procore Project to your ERP System", "add_project_to_erp", STD_AND_ADMIN),
    SeedRow(
        "Add an ERP Company to the Procore Company Directory", "add_erp_company", STD_AND_ADMIN
    ),
    SeedRow("Add an ERP Job to Procore", "add_erp_job", ADMIN_ONLY),
    SeedRow("Archive an ERP Company in Procore", "archive_erp_company", STD_AND_ADMIN),
    SeedRow(
        "Assign Default Cost Types To ERP Standard Cost Codes",
        "assign_default_cost_types",
        STD_AND_ADMIN,
    ),
    SeedRow(
        "Configure Advanced Settings: ERP Integrations", "configure_advanced_settings", ADMIN_ONLY
    ),
    SeedRow(
        "Configure the Sync Schedule for your ERP Integration",
        "configure_sync_schedule",
        ADMIN_ONLY,
    ),
    SeedRow("Enable or Disable ERP Direct Exports", "toggle_direct_exports", ADMIN_ONLY),
    SeedRow("Import a Budget from ERP", "import_budget", STD_AND_ADMIN),
    SeedRow(
        "Import a Prime Contract from an Integrated ERP System into Procore",
        "import_prime_contract",
        STD_AND_ADMIN,
    ),
    SeedRow("Import an ERP Sub Job to a Procore Project", "import_sub_job", STD_AND_ADMIN),
    SeedRow("Link ERP Companies to Procore Companies", "link_erp_companies", ADMIN_ONLY),
    SeedRow("Refresh the Companies List for ERP", "refresh_companies", ADMIN_ONLY),
    SeedRow(
        "Refresh the Cost Codes on an ERP Integrated Project",
        "refresh_project_cost_codes",
        ADMIN_ONLY,
    ),
    SeedRow(
        "Send, Retrieve, or Resend Items to ERP Integrations for Accounting Acceptance",
        "send_items",
        ALL_LEVELS,
        extra=admin_on_item_tool,
    ),
    SeedRow(
        "Sync Job Cost Transactions from an Integrated ERP into Procore",
        "sync_job_cost_transactions",
        ADMIN_ONLY,
    ),
    SeedRow(
        "Sync Paid Invoice Notifications from ERP into Procore", "sync_paid_invoices", ADMIN_ONLY
    ),
    SeedRow("Unlink CCOs Synced with ERP", "unlink_cco", STD_AND_ADMIN),
    SeedRow("Unlink Commitments Synced with ERP", "unlink_commitment", STD_AND_ADMIN),
    SeedRow("Unlink Owner Invoices Synced with ERP", "unlink_owner_invoice", STD_AND_ADMIN),
    SeedRow("Unlink PCCOs Synced with ERP", "unlink_pcco", STD_AND_ADMIN),
    SeedRow(
        "Unlink Subcontractor Invoices Synced with ERP",
        "unlink_subcontractor_invoice",
        STD_AND_ADMIN,
    ),
    SeedRow("Unlink a Company Synced with ERP", "unlink_company", STD_AND_ADMIN),
    SeedRow(
        "View a List of Synced Sub Jobs",
        "view_synced_sub_jobs",
        STD_AND_ADMIN,
        extra=directory_admin_or_std_creator,
    ),
    SeedRow("View an Accountant Report for ERP", "view_accountant_report", ADMIN_ONLY),
    SeedRow(
        "View an ERP Job Costs Report",
        "view_erp_job_costs_report",
        ADMIN_ONLY,
        extra=report_access_on_project_only,
    ),
    SeedRow(
        "View an ERP Unsyncable Direct Costs Report",
        "view_unsyncable_direct_costs_report",
        ALL_LEVELS,
        extra=project_report_access,
        project_only=True,
    ),
    SeedRow(
        "View the Archived Companies List for ERP",
        "view_archived_companies",
        STD_AND_ADMIN,
        approver=True,
    ),
)

BY_ACTION: dict[str, SeedRow] = {row.action: row for row in SEED_ROWS}
BY_WORDING: dict[str, SeedRow] = {row.wording: row for row in SEED_ROWS}
ACCEPT_REJECT_ROWS = tuple(row for row in SEED_ROWS if row.accept_reject)

assert len(SEED_ROWS) == 38
assert len(BY_ACTION) == 38
assert len(BY_WORDING) == 38
assert len(ACCEPT_REJECT_ROWS) == 10
