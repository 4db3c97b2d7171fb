"""An ERP standard cost code list as the sync leaves it (a division, its active codes, one the
ERP deactivated), cost types (one deactivated), and projects on it and off it; users at each
ERP level. Shared by the cost code tests of the services, the pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from integrations import models as m
from permissions.levels import Level, Tool
from tenancy.models import Account
from tests.factories import ProjectFactory, StandardCostCodeListFactory, member
from tests.permissions.seed_matrix import SEED_ROWS

ROW = {row.action: row for row in SEED_ROWS}
LEVELS = (Level.NONE, Level.READ_ONLY, Level.STANDARD, Level.ADMIN)


def allowed(action: str) -> list[Level]:
    """The ERP levels the seed lets take ``action``."""
    return [level for level in LEVELS if level in ROW[action].erp_levels]


def refused(action: str) -> list[Level]:
    return [level for level in LEVELS if level not in ROW[action].erp_levels]


@dataclass
class CostCodes:
    code_list: m.StandardCostCodeList
    division: m.StandardCostCode  # "03 Concrete", the parent of the others
    codes: list[m.StandardCostCode]  # active codes under it
    retired: m.StandardCostCode  # deactivated in the ERP
    types: dict[str, m.CostType]  # L, M, S active; O deactivated
    project: m.Project  # ERP integrated, on the ERP list, using codes[0]
    own_list_project: m.Project  # on a list of the portal's own


def standard_code(
    code_list: m.StandardCostCodeList, full_code: str, name: str, **fields: Any
) -> m.StandardCostCode:
    return m.StandardCostCode.objects.create(
        account=code_list.account,
        code_list=code_list,
        code=full_code.rsplit("-", 1)[-1],
        full_code=full_code,
        name=name,
        origin_id=f"CC-{full_code}",
        erp_state=m.ErpState.SYNCED,
        **fields,
    )


def build(account: Account, *, codes: int = 3) -> CostCodes:
    code_list = cast(m.StandardCostCodeList, StandardCostCodeListFactory(account=account))
    division = standard_code(code_list, "03", "Concrete")
    active = [
        standard_code(
            code_list, f"03-{100 * (i + 1):03d}", f"Concrete work {i + 1}", parent=division
        )
        for i in range(codes)
    ]
    retired = standard_code(code_list, "03-990", "Precast Concrete", parent=division)
    retired.is_active = False
    retired.save()
    types = {
        code: m.CostType.objects.create(
            account=account, code=code, name=name, is_active=code != "O"
        )
        for code, name in (("L", "Labor"), ("M", "Material"), ("S", "Subcontract"), ("O", "Other"))
    }
    project = cast(m.Project, ProjectFactory(account=account, cost_code_list=code_list))
    m.CostCode.objects.create(account=account, project=project, standard_code=active[0])
    own = m.StandardCostCodeList.objects.create(account=account, name="Estimating codes")
    own_list_project = cast(m.Project, ProjectFactory(account=account, cost_code_list=own))
    return CostCodes(code_list, division, active, retired, types, project, own_list_project)


def at_erp_level(account: Account, level: Level) -> Any:
    """A member with ``level`` on ERP Integrations who may see the projects (Read Only on
    Project Admin): what the ERP row alone decides."""
    return member(
        account, levels={Tool.ERP_INTEGRATIONS: level, Tool.PROJECT_ADMIN: Level.READ_ONLY}
    )
