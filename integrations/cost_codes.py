"""Cost codes: a project's codes refreshed from the ERP standard cost code list, and the default
cost types of the list's codes (the writes, each asking its matrix row, audited in the same
transaction), with the reads their pages and the API show.

A *division* is a code with children (CSI MasterFormat's "03 Concrete"): a heading of the list,
never costed against. Refreshing adds the codes under divisions, and only those codes take
default cost types. Codes the ERP deactivated stay (``is_active=False``): a project keeps using
them, but a refresh no longer adds them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from audit.services import Change, audit_rows
from integrations.kinds import kind_of
from integrations.models import CostCode, CostType, Project, StandardCostCode, StandardCostCodeList
from permissions.access import require
from permissions.policy import Action
from tenancy.models import Account

DefaultTypes = Mapping[int, Collection[int]]  # standard code id -> the cost type ids it gets


# --- Reads -------------------------------------------------------------------------------------


def erp_code_list(account: Account) -> StandardCostCodeList | None:
    return StandardCostCodeList.objects.filter(account=account, is_erp=True).first()


def _has_children() -> Exists:
    return Exists(StandardCostCode.objects.filter(parent=OuterRef("pk")))


def with_division_flag(codes: QuerySet[StandardCostCode]) -> QuerySet[StandardCostCode]:
    """``codes`` annotated with ``is_division`` (the code has children)."""
    return codes.annotate(is_division=_has_children())


def postable_codes(code_list: StandardCostCodeList) -> QuerySet[StandardCostCode]:
    """The codes of the list a project can cost against: active, not divisions."""
    return StandardCostCode.objects.filter(
        ~_has_children(), code_list=code_list, is_active=True
    ).order_by("full_code")


def refresh_refusal(project: Project) -> str:
    """Why the project's cost codes cannot be refreshed from the ERP, or "" when they can."""
    if not project.erp_integrated:
        return (
            f"Project {project.number} is not ERP integrated, so its cost codes do not come "
            "from the ERP."
        )
    code_list = project.cost_code_list
    if code_list is None or not code_list.is_erp:
        return (
            f"Project {project.number} does not use the ERP standard cost code list, so there "
            "is nothing to refresh from the ERP. Only projects on the ERP's list can be "
            "refreshed."
        )
    return ""


def codes_not_on_project(project: Project) -> QuerySet[StandardCostCode]:
    """The active codes of the project's list that it does not use yet (at project level)."""
    used = CostCode.objects.filter(project=project, sub_job=None).values("standard_code")
    assert project.cost_code_list is not None
    return postable_codes(project.cost_code_list).exclude(pk__in=used)


@dataclass(frozen=True)
class CodeCounts:
    total: int
    deactivated: int  # of them, deactivated in the ERP


def project_code_counts(project: Project) -> CodeCounts:
    """How many cost codes the project (and its sub jobs) use, in one query."""
    counts = CostCode.objects.filter(project=project).aggregate(
        total=Count("pk"), deactivated=Count("pk", filter=Q(standard_code__is_active=False))
    )
    return CodeCounts(counts["total"], counts["deactivated"])


def project_codes(project: Project) -> QuerySet[CostCode]:
    """The codes the project uses, its own first, then each sub job's (one query)."""
    return (
        CostCode.objects.filter(project=project)
        .select_related("standard_code", "sub_job")
        .order_by(F("sub_job__code").asc(nulls_first=True), "standard_code__full_code")
    )


@dataclass(frozen=True)
class GridRow:
    code: StandardCostCode
    is_division: bool
    assigned: frozenset[int]  # the ids of its default cost types


def grid_rows(codes: Collection[StandardCostCode]) -> list[GridRow]:
    """``codes`` (annotated by :func:`with_division_flag`) with their default cost types, in
    one query whatever their number."""
    assigned = assignments_of([code.pk for code in codes])
    return [
        GridRow(code, bool(getattr(code, "is_division", False)), frozenset(assigned[code.pk]))
        for code in codes
    ]


def assignments_of(code_ids: Collection[int]) -> dict[int, set[int]]:
    """Standard code id -> the ids of its default cost types."""
    through = StandardCostCode.default_cost_types.through
    found: dict[int, set[int]] = defaultdict(set)
    pairs = through.objects.filter(standardcostcode_id__in=code_ids).values_list(
        "standardcostcode_id", "costtype_id"
    )
    for code_id, type_id in pairs:
        found[code_id].add(type_id)
    return found


# --- Writes ------------------------------------------------------------------------------------


def project_cost_codes_refresh(*, actor: Any, account: Account, project: Project) -> int:
    """Add to ``project`` every active code of the ERP list it does not use yet; answer how
    many were added. Refused (``ValidationError``) for a project not on the ERP's list."""
    require(actor, Action.REFRESH_PROJECT_COST_CODES, account, project=project)
    with transaction.atomic():
        added = project_cost_codes_add(account=account, project=project)
        change = Change(
            account.pk,
            kind_of(project).type_name,
            project.pk,
            "cost_codes_refreshed",
            data={"added": added, "code_list": project.cost_code_list_id},
        )
        audit_rows(actor, [change])
    return added


def project_cost_codes_add(*, account: Account, project: Project) -> int:
    """What a refresh does, for a caller that has asked its own permission and writes its own
    audit rows in the same transaction (a project added from an ERP job): add every active code
    of the ERP list the project does not use yet; answer how many. Refused
    (``ValidationError``) for a project not on the ERP's list."""
    with transaction.atomic(savepoint=False):
        # The project's row is the lock: two refreshes of one project add each code once.
        locked = (
            Project.objects.select_for_update(of=("self",))
            .select_related("cost_code_list")
            .get(pk=project.pk, account=account)
        )
        refusal = refresh_refusal(locked)
        if refusal:
            raise ValidationError(refusal)
        missing = list(codes_not_on_project(locked).values_list("pk", flat=True))
        CostCode.objects.bulk_create(
            CostCode(account=account, project=locked, standard_code_id=code_id)
            for code_id in missing
        )
    return len(missing)


def default_cost_types_assign(*, actor: Any, account: Account, assignments: DefaultTypes) -> int:
    """Set the default cost types of standard codes (each code gets exactly the types given);
    answer how many codes changed. A constant number of queries, whatever the number of codes.

    Refused: an unknown code or type (``ValidationError`` naming it), cost types on a division,
    a cost type the ERP deactivated newly given to a code (removing one is always allowed)."""
    require(actor, Action.ASSIGN_DEFAULT_COST_TYPES, account)
    wanted = {code_id: set(types) for code_id, types in assignments.items()}
    codes = _codes(account, wanted)
    types = _cost_types(account, set().union(*wanted.values()))
    with transaction.atomic():
        current = assignments_of(list(codes))
        adds = {code_id: wanted[code_id] - current[code_id] for code_id in codes}
        removes = {code_id: current[code_id] - wanted[code_id] for code_id in codes}
        _check_adds(codes, types, adds)
        through = StandardCostCode.default_cost_types.through
        # A pair another user added meanwhile is already there: nothing to add twice.
        through.objects.bulk_create(
            [
                through(standardcostcode_id=code_id, costtype_id=type_id)
                for code_id, added in adds.items()
                for type_id in added
            ],
            ignore_conflicts=True,
        )
        gone = Q()
        for code_id, removed in removes.items():
            if removed:
                gone |= Q(standardcostcode_id=code_id, costtype_id__in=removed)
        if gone:
            through.objects.filter(gone).delete()
        changed = [code_id for code_id in codes if adds[code_id] or removes[code_id]]
        audit_rows(actor, [_assigned(account, codes[c], adds[c], removes[c]) for c in changed])
    return len(changed)


def _codes(account: Account, wanted: Mapping[int, Any]) -> dict[int, StandardCostCode]:
    found = with_division_flag(StandardCostCode.objects.filter(account=account, pk__in=wanted))
    codes = {code.pk: code for code in found}
    unknown = sorted(set(wanted) - codes.keys())
    if unknown:
        listed = ", ".join(str(pk) for pk in unknown)
        raise ValidationError({"standard_code": f"No standard cost code {listed} in this account."})
    return codes


def _cost_types(account: Account, ids: set[int]) -> dict[int, CostType]:
    types = {t.pk: t for t in CostType.objects.filter(account=account, pk__in=ids)}
    unknown = sorted(ids - types.keys())
    if unknown:
        listed = ", ".join(str(pk) for pk in unknown)
        raise ValidationError({"default_cost_types": f"No cost type {listed} in this account."})
    return types


def _check_adds(
    codes: Mapping[int, StandardCostCode],
    types: Mapping[int, CostType],
    adds: Mapping[int, set[int]],
) -> None:
    for code_id, added in adds.items():
        code = codes[code_id]
        if added and getattr(code, "is_division", False):
            raise ValidationError(
                {
                    "default_cost_types": f"{code} is a division: its codes take cost types, "
                    "the division does not."
                }
            )
        inactive = sorted(types[t].code for t in added if not types[t].is_active)
        if inactive:
            raise ValidationError(
                {
                    "default_cost_types": f"Cost type {', '.join(inactive)} is deactivated in "
                    f"the ERP and cannot become a default of {code.full_code}."
                }
            )


def _assigned(
    account: Account, code: StandardCostCode, added: set[int], removed: set[int]
) -> Change:
    return Change(
        account.pk,
        kind_of(code).type_name,
        code.pk,
        "default_cost_types_set",
        data={"added": sorted(added), "removed": sorted(removed)},
    )
