"""The actions of a staged record's page: what its buttons do (through :mod:`syncs.staging`),
what the page offers the user (the actions they may take, link suggestions with their reasons,
a search among the records it may be linked to), and the reasons of a refusal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse

from integrations import models as m
from integrations.kinds import kind_of
from permissions.access import can
from permissions.policy import Action
from syncs import importing, matching, staging
from syncs.models import StagedRecord, StagedStatus
from tenancy.models import Account

SEARCH_LIMIT = 20


def run(act: str, user: Any, account: Account, staged: StagedRecord, data: Any) -> str:
    """Do ``act`` (add, reimport, link, archive, unarchive) with what the user chose (``data``:
    the choices of adding, the record to link to); answers what the page says it did."""
    target = staging.target_of(staged)
    given = data if isinstance(data, Mapping) else {}
    if act == "add":
        choices = {name: given.get(name) for name in target.choices}
        record = staging.staged_add(actor=user, account=account, staged=staged, choices=choices)
        return f"{staged} was added to the portal as {target.noun} {record}."
    if act == "reimport":
        record = staging.staged_reimport(actor=user, account=account, staged=staged)
        return f"{record} now matches the ERP."
    if act == "link":
        chosen = str(given.get("target") or "")
        if not chosen.isdigit():
            raise ValidationError({"target": f"Choose the {target.noun} to link it to."})
        record = staging.staged_link(
            actor=user, account=account, staged=staged, target_id=int(chosen)
        )
        return f"{staged} is now linked to {target.noun} {record}."
    if act in ("archive", "unarchive"):
        staging.staged_archive(actor=user, account=account, staged=staged, archive=act == "archive")
        return f"{staged} was {act}d."
    raise ValidationError(f"{act!r} is not something a staged record can do.")


def messages_of(errors: ValidationError | None) -> list[str]:
    if errors is None:
        return []
    if hasattr(errors, "error_dict"):
        return [m for ms in errors.message_dict.values() for m in ms]
    return list(errors.messages)


def party(staged: StagedRecord) -> matching.Party:
    data = staged.data
    return matching.Party(
        key=staged.pk,
        number=str(data.get("number") or staged.origin_code),
        name=str(data.get("name") or staged.name),
        tax_id=str(data.get("tax_id") or ""),
        address=str(data.get("address") or ""),
        city=str(data.get("city") or ""),
        zip=str(data.get("zip") or ""),
    )


def portal_party(record: Any) -> matching.Party:
    return matching.Party(
        key=record.pk,
        number=str(getattr(record, "number", "") or getattr(record, "abbreviated_name", "")),
        name=str(getattr(record, "name", "")),
        tax_id=str(getattr(record, "tax_id", "") or ""),
        address=str(getattr(record, "address", "")),
        city=str(getattr(record, "city", "")),
        zip=str(getattr(record, "zip", "")),
    )


def _candidates(account: Account, target: staging.Target) -> dict[int, Any]:
    if target.linkable is None:
        return {}
    return {r.pk: r for r in target.linkable(account) if not target.why_not(r)}


def suggestions(account: Account, staged: StagedRecord) -> list[tuple[Any, matching.Suggestion]]:
    """The portal records the staged record most likely is, best first, with their reasons."""
    candidates = _candidates(account, staging.target_of(staged))
    found = matching.suggest(party(staged), [portal_party(r) for r in candidates.values()])
    return [(candidates[int(s.target)], s) for s in found]


@dataclass(frozen=True)
class Proposal:
    """A staged record and the portal record it confidently is (for *Link all suggested*)."""

    staged: StagedRecord
    record: Any
    suggestion: matching.Suggestion


def confident_links(account: Account, records: QuerySet[StagedRecord]) -> list[Proposal]:
    """The waiting ``records`` (of one type) whose best match is confident, at most one ERP
    record per portal record (a constant number of queries, however many records)."""
    waiting = list(records.filter(status=StagedStatus.STAGED).order_by("origin_code", "pk"))
    if not waiting or waiting[0].item_type not in staging.TARGETS:
        return []
    candidates = _candidates(account, staging.TARGETS[waiting[0].item_type])
    portal = [portal_party(r) for r in candidates.values()]
    found = matching.suggest_all([party(r) for r in waiting], portal, limit=1)
    return [
        Proposal(r, candidates[int(best[0].target)], best[0])
        for r in waiting
        if (best := found.get(r.pk)) and best[0].confident
    ]


def run_many(
    act: str, user: Any, account: Account, records: Sequence[StagedRecord], data: Any = None
) -> tuple[list[str], list[str]]:
    """Do ``act`` on each record, each on its own (one refused does not stop the others);
    answers what was done and what was refused, record by record."""
    done, refused = [], []
    for record in records:
        try:
            done.append(run(act, user, account, record, data(record) if data else None))
        except ValidationError as exc:
            refused.append(f"{record}: {' '.join(messages_of(exc))}")
    return done, refused


def context(request: HttpRequest, account: Account, staged: StagedRecord) -> dict[str, Any]:
    """What the page offers: the actions the user may take now, and link candidates."""
    target = staging.TARGETS.get(staged.item_type)
    if target is None:
        return {"target": None}
    user, waiting = request.user, staged.status == StagedStatus.STAGED
    linkable = target.linkable is not None
    may = {
        "add": (waiting or (target.repeatable and staged.status == StagedStatus.IMPORTED))
        and can(user, target.add, account),
        "link": waiting and linkable and can(user, target.link_action, account),
        "archive": waiting and can(user, target.archive_action, account),
        "unarchive": staged.status == StagedStatus.ARCHIVED
        and can(user, target.archive_action, account),
    }
    found = request.GET.get("find", "").strip().replace("\x00", "")
    candidates: list[Any] = []
    if may["link"] and found and target.linkable is not None:
        terms = Q(name__icontains=found)
        if hasattr(target.model, "number"):
            terms |= Q(number__icontains=found)
        candidates = list(target.linkable(account).filter(terms).order_by("name")[:SEARCH_LIMIT])
    reimport = _reimport(user, account, staged)
    return {
        "target": target,
        "may": may | {"reimport": reimport is not None},
        "differences": reimport or [],
        "suggestions": suggestions(account, staged) if may["link"] else [],
        "find": found,
        "candidates": [(r, target.why_not(r)) for r in candidates],
        "portal_record": _portal_record(account, staged, target),
    }


def _reimport(user: Any, account: Account, staged: StagedRecord) -> list[Any] | None:
    """What re-importing an imported prime contract would change (None: nothing to offer)."""
    if staged.item_type != "prime_contracts" or staged.status != StagedStatus.IMPORTED:
        return None
    if not can(user, Action.IMPORT_PRIME_CONTRACT, account):
        return None
    contract = m.PrimeContract.objects.filter(account=account, pk=staged.linked_id or 0).first()
    found = importing.differences(contract, staged) if contract is not None else []
    return found or None


def _portal_record(account: Account, staged: StagedRecord, target: staging.Target) -> Any:
    """The portal record the staged record became or was linked to, with its page's address."""
    if staged.linked_id is None:
        return None
    record = target.model._default_manager.filter(account=account, pk=staged.linked_id).first()
    if record is None:
        return None
    key = kind_of(target.model).key
    url = reverse("record-detail", kwargs={"account": account.slug, "kind": key, "pk": record.pk})
    return {"record": record, "url": url, "noun": target.noun}
