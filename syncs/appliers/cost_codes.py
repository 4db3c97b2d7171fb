"""The ERP's standard cost code list and its cost types, synced directly into the account's ERP
standard cost code list: new codes added, changed ones renamed, deactivated ones marked
inactive. A code is never deleted: projects, budgets and costs may point at it, and the ERP
may turn it on again. The account's standard cost code filter narrows which codes come in."""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase
from typing import Any

from django.db.models import Q
from django.utils import timezone

from connectors.imports import FetchKind
from integrations.models import CostType, ErpState, StandardCostCode, StandardCostCodeList
from syncs.appliers.base import Invalid, Record, Scope, Tally, origin_id, text
from tenancy.bulk import update_objects
from tenancy.models import code_patterns

ERP_LIST_NAME = "ERP standard cost codes"
CODE_FIELDS = (
    "code",
    "full_code",
    "name",
    "is_active",
    "parent",
    "origin_id",
    "origin_code",
    "erp_state",
)
TYPE_FIELDS = ("code", "name", "is_active", "origin_id", "origin_code", "erp_state")
SHOWN_LEFT_OUT = 5  # codes named in the line that says how many the filter left out


def erp_list(scope: Scope) -> StandardCostCodeList:
    found = StandardCostCodeList.objects.filter(account=scope.account, is_erp=True).first()
    if found is not None:
        return found
    return StandardCostCodeList.objects.create(
        account=scope.account, name=ERP_LIST_NAME, is_erp=True
    )


def apply(scope: Scope, records: Sequence[Record]) -> Tally:
    if scope.fetch == FetchKind.COST_TYPES:
        return _cost_types(scope, records)
    return _cost_codes(scope, records)


def _read(records: Sequence[Record], fields: dict[str, int], tally: Tally) -> dict[str, Any]:
    read = {}
    for record in records:
        try:
            values: dict[str, Any] = {
                name: text(record, name, required=True, limit=n) for name, n in fields.items()
            }
            values["is_active"] = record.get("is_active", True) is not False
            values["parent"] = text(record, "parent", limit=100)
            read[origin_id(record)] = (record, values)
        except Invalid as exc:
            tally.bad(record, str(exc))
    return read


def _cost_types(scope: Scope, records: Sequence[Record]) -> Tally:
    tally = Tally()
    read = _read(records, {"code": 10, "name": 60}, tally)
    codes = [values["code"] for _, values in read.values()]
    have = CostType.objects.filter(account=scope.account).filter(
        Q(origin_id__in=list(read)) | Q(code__in=codes, origin_id__isnull=True)
    )
    by_origin = {t.origin_id: t for t in have if t.origin_id}
    by_code = {t.code: t for t in have if not t.origin_id}
    now, new, changed = timezone.now(), [], []
    for key, (record, values) in read.items():
        found = by_origin.get(key) or by_code.get(values["code"])
        fields: dict[str, Any] = {
            "code": values["code"],
            "name": values["name"],
            "is_active": values["is_active"],
            "origin_id": key,
            "origin_code": text(record, "origin_code", limit=100),
            "erp_state": ErpState.SYNCED,
        }
        if found is None:
            new.append(CostType(account=scope.account, erp_synced_at=now, **fields))
        elif any(getattr(found, f) != v for f, v in fields.items()):
            for f, v in fields.items():
                setattr(found, f, v)
            found.erp_synced_at = now
            changed.append(found)
        else:
            tally.unchanged += 1
    CostType.objects.bulk_create(new)
    update_objects(changed, [*TYPE_FIELDS, "erp_synced_at"])
    tally.created, tally.updated = len(new), len(changed)
    return tally


def _left_out(scope: Scope, read: dict[str, Any], tally: Tally) -> dict[str, Any]:
    """``read`` less the codes the account's standard cost code filter leaves out: a code
    whose full code matches none of its patterns (``03-*``, case-insensitive). Divisions (no
    parent) always come in, so a code that matches finds its parent. A code the portal
    already has and that stops matching is left as it is: not updated, not deactivated.
    Counted unchanged (the portal is), and said in one line of the run's records not taken."""
    patterns = [p.upper() for p in code_patterns(scope.account.standard_code_filter)]
    if not patterns:
        return read
    kept, left_out = {}, []
    for key, (record, values) in read.items():
        full_code = values["full_code"].upper()
        if values["parent"] and not any(fnmatchcase(full_code, p) for p in patterns):
            left_out.append(values["full_code"])
        else:
            kept[key] = (record, values)
    if left_out:
        tally.unchanged += len(left_out)
        tally.errors.append({"origin_id": "", "origin_code": "", "message": _said(scope, left_out)})
    return kept


def _said(scope: Scope, left_out: list[str]) -> str:
    count = len(left_out)
    named = ", ".join(left_out[:SHOWN_LEFT_OUT])
    if count > SHOWN_LEFT_OUT:
        named += f" and {count - SHOWN_LEFT_OUT} more"
    return (
        f"{count} ERP cost code{'' if count == 1 else 's'} left out by the standard cost code "
        f"filter ({scope.account.standard_code_filter}): {named}."
    )


def _cost_codes(scope: Scope, records: Sequence[Record]) -> Tally:
    tally = Tally()
    read = _read(records, {"code": 20, "full_code": 40, "name": 200}, tally)
    read = _left_out(scope, read, tally)
    code_list = erp_list(scope)
    full_codes = [values["full_code"] for _, values in read.values()]
    parents = {values["parent"] for _, values in read.values() if values["parent"]}
    have = StandardCostCode.objects.filter(code_list=code_list).filter(
        Q(origin_id__in=[*read, *parents]) | Q(full_code__in=full_codes)
    )
    by_origin = {c.origin_id: c for c in have if c.origin_id}
    by_full = {c.full_code: c for c in have}
    now, changed = timezone.now(), []
    # Divisions before their codes, so a code finds a parent sent in the same batch.
    for key, (record, values) in sorted(read.items(), key=lambda kv: bool(kv[1][1]["parent"])):
        found = by_origin.get(key) or by_full.get(values["full_code"])
        parent = by_origin.get(values["parent"]) if values["parent"] else None
        fields = {
            "code": values["code"],
            "full_code": values["full_code"],
            "name": values["name"],
            "is_active": values["is_active"],
            "parent": parent,
            "origin_id": key,
            "origin_code": text(record, "origin_code", limit=100),
            "erp_state": ErpState.SYNCED,
        }
        if values["parent"] and parent is None:
            tally.bad(record, f"parent: the division {values['parent']} is not synced yet.")
            continue
        if found is None:
            if not values["is_active"]:
                tally.unchanged += 1  # deactivated before the portal ever had it
                continue
            code = StandardCostCode(account=scope.account, code_list=code_list, **fields)
            code.erp_synced_at = now
            code.save()  # one by one: a later code of the batch may have it as parent
            by_origin[key] = by_full[code.full_code] = code
            tally.created += 1
        elif any(getattr(found, f) != v for f, v in fields.items()):
            for f, v in fields.items():
                setattr(found, f, v)
            found.erp_synced_at = now
            changed.append(found)
        else:
            tally.unchanged += 1
    update_objects(changed, [*CODE_FIELDS, "erp_synced_at"])
    tally.updated = len(changed)
    return tally
