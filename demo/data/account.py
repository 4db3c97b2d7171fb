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
    grants: dict[Tool, Level]
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

DEMO_PEOPLE: tuple[DemoUser, ...] = (
    DemoUser(
        "erpadmin", "Morgan", "Reyes", "ERP Administrator",
        "ERP admin: Admin on ERP Integrations and Directory, Can Push to Accounting",
        {**_levels(Level.READ_ONLY), Tool.ERP_INTEGRATIONS: Level.ADMIN,
         Tool.DIRECTORY: Level.ADMIN},
        (Privilege.CAN_PUSH_TO_ACCOUNTING,),
    ),
    DemoUser(
        "approver", "Priya", "Natarajan", "Accounting Manager",
        "Accounting Approver: Admin on ERP Integrations, Can Push to Accounting, ERP digest",
        {**_levels(Level.READ_ONLY, *_ITEM_TOOLS), Tool.ERP_INTEGRATIONS: Level.ADMIN},
        (Privilege.CAN_PUSH_TO_ACCOUNTING, Privilege.SUBSCRIBE_ERP_DIGEST),
    ),
    DemoUser(
        "pm", "Jake", "Sullivan", "Senior Project Manager",
        "Project manager: Admin on the project tools (sends items to the ERP), no ERP rights",
        {**_levels(Level.ADMIN, *_PROJECT_TOOLS), Tool.DIRECTORY: Level.STANDARD},
    ),
    DemoUser(
        "viewer", "Lena", "Park", "Estimator",
        "Viewer: Read Only on every tool, ERP Integrations included",
        _levels(Level.READ_ONLY),
    ),
    DemoUser(
        "nobody", "Sam", "Ortiz", "Field Engineer",
        "Member with no tool grants: sees no records",
        {},
    ),
    DemoUser(
        "admin", "Alex", "Kim", "System Administrator",
        "Superuser: Django admin and every tool",
        {}, superuser=True,
    ),
)
# fmt: on

#: (username, role) of every demo login; all use :data:`DEMO_PASSWORD`.
DEMO_USERS: tuple[tuple[str, str], ...] = tuple((u.username, u.role) for u in DEMO_PEOPLE)
