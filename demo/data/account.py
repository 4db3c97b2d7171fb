"""The demo account, Summit Ridge Builders, and the people who log in to it."""

from __future__ import annotations

from typing import NamedTuple

from permissions.levels import Level, Privilege, Tool

ACCOUNT_SLUG = "summit"
ACCOUNT_NAME = "Summit Ridge Builders"
DEMO_PASSWORD = "demo"  # nosec B105  # the demo's published password


class DemoUser(NamedTuple):
    username: str
    first_name: str
    last_name: str
    job_title: str
    role: str
    template: str | None  # the company permission template (a name in DEMO_COMPANY_TEMPLATES)
    privileges: tuple[Privilege, ...] = ()
    superuser: bool = False


def _levels(level: Level, *tools: Tool) -> dict[Tool, Level]:
    return dict.fromkeys(tools or tuple(Tool), level)


# fmt: off
_PROJECT_TOOLS = (
    Tool.PROJECT_ADMIN, Tool.BUDGET, Tool.PRIME_CONTRACTS, Tool.COMMITMENTS,
    Tool.CHANGE_ORDERS, Tool.INVOICING, Tool.DIRECT_COSTS, Tool.REPORTS,
)
_ITEM_TOOLS = (Tool.DIRECTORY, *_PROJECT_TOOLS[:-1])

#: Company permission templates (name: level per tool; a tool not named is None).
DEMO_COMPANY_TEMPLATES: dict[str, dict[Tool, Level]] = {
    "ERP Administrator": {**_levels(Level.READ_ONLY), Tool.ERP_INTEGRATIONS: Level.ADMIN,
                          Tool.DIRECTORY: Level.ADMIN},
    "Accounting": {**_levels(Level.READ_ONLY, *_ITEM_TOOLS), Tool.ERP_INTEGRATIONS: Level.ADMIN},
    "Project Manager": {**_levels(Level.ADMIN, *_PROJECT_TOOLS), Tool.DIRECTORY: Level.STANDARD},
    "Read Only": _levels(Level.READ_ONLY),
}
#: Project permission templates, for giving someone other levels on one job.
DEMO_PROJECT_TEMPLATES: dict[str, dict[Tool, Level]] = {
    "Project Manager (job)": _levels(Level.ADMIN, *_PROJECT_TOOLS),
    "Job Read Only": _levels(Level.READ_ONLY, *_PROJECT_TOOLS),
}

DEMO_PEOPLE: tuple[DemoUser, ...] = (
    DemoUser(
        "erpadmin", "Morgan", "Reyes", "ERP Administrator",
        "ERP admin: Admin on ERP Integrations and Directory, Can Push to Accounting",
        "ERP Administrator", (Privilege.CAN_PUSH_TO_ACCOUNTING,),
    ),
    DemoUser(
        "approver", "Priya", "Natarajan", "Accounting Manager",
        "Accounting Approver: Admin on ERP Integrations, Can Push to Accounting, ERP digest",
        "Accounting", (Privilege.CAN_PUSH_TO_ACCOUNTING, Privilege.SUBSCRIBE_ERP_DIGEST),
    ),
    DemoUser(
        "pm", "Jake", "Sullivan", "Senior Project Manager",
        "Project manager: Admin on the project tools (sends items to the ERP), no ERP rights",
        "Project Manager",
    ),
    DemoUser(
        "viewer", "Lena", "Park", "Estimator",
        "Viewer: Read Only on every tool, ERP Integrations included",
        "Read Only",
    ),
    DemoUser(
        "nobody", "Sam", "Ortiz", "Field Engineer",
        "Member with no permission template: sees no records",
        None,
    ),
    DemoUser(
        "admin", "Alex", "Kim", "System Administrator",
        "Superuser: Django admin and every tool",
        None, superuser=True,
    ),
)
# fmt: on

#: (username, role) of every demo login; all use :data:`DEMO_PASSWORD`.
DEMO_USERS: tuple[tuple[str, str], ...] = tuple((u.username, u.role) for u in DEMO_PEOPLE)
