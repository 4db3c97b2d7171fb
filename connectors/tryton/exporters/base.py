"""What every exporter shares: the item being exported and the batched calls that fall back to
one record at a time, so a record Tryton refuses fails alone."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from connectors.base import ConnectorError, ExportResult, PermanentError
from connectors.tryton.client import TrytonClient

Outcome = ExportResult | ConnectorError


@dataclass
class Pending:
    """One record being exported in a batch."""

    index: int
    payload: Any
    key: str
    record: int | None = None  # the Tryton id, once known
    outcome: Outcome | None = None
    ours: bool = False  # the record carries this item's portal reference (made or resumed here)

    @property
    def open(self) -> bool:
        return self.outcome is None

    @property
    def rid(self) -> int:
        assert self.record is not None, "no Tryton record yet"
        return self.record


def ids(items: Sequence[Pending]) -> list[int]:
    return [i.record for i in items if i.record is not None]


def check_types(items: list[Pending], cls: type, what: str) -> list[Pending]:
    """Fail the items whose payload is not a ``cls``; the others."""
    for item in items:
        if not isinstance(item.payload, cls):
            item.outcome = PermanentError(f"A {what} export needs a {cls.__name__}.")
    return [i for i in items if i.open]


def create_each(
    client: TrytonClient,
    model: str,
    items: list[Pending],
    values: Callable[[Pending], dict[str, Any]],
) -> None:
    """Create a record per item in one call; if Tryton refuses the call, one by one (so the
    refused record fails alone)."""
    todo = [i for i in items if i.open and i.record is None]
    if not todo:
        return
    built: list[tuple[Pending, dict[str, Any]]] = []
    for item in todo:
        try:
            built.append((item, values(item)))
        except PermanentError as exc:
            item.outcome = exc
    if not built:
        return
    if len(built) > 1:
        try:
            created = client.create(model, [v for _, v in built])
        except PermanentError:
            pass  # one of them is refused: find which, one by one
        else:
            for (item, _), record in zip(built, created, strict=True):
                item.record = record
            return
    for item, value in built:
        try:
            (item.record,) = client.create(model, [value])
        except PermanentError as exc:
            item.outcome = exc


def press(client: TrytonClient, model: str, button: str, items: list[Pending]) -> list[Pending]:
    """Press ``button`` on the items' records in one call; one by one if refused. Returns the
    items it failed for (their outcome is the error)."""
    todo = [i for i in items if i.open and i.record is not None]
    if not todo:
        return []
    try:
        client.button(model, button, ids(todo))
        return []
    except PermanentError as exc:
        if len(todo) == 1:
            todo[0].outcome = exc
            return todo
    failed = []
    for item in todo:
        try:
            client.button(model, button, [item.rid])
        except PermanentError as exc:
            item.outcome = exc
            failed.append(item)
    return failed


def discard(client: TrytonClient, model: str, failed: list[Pending]) -> None:
    """Delete what was created for records that then failed (so nothing half-done stays in
    Tryton; a purchase goes back to draft first)."""
    records = ids(failed)
    if not records:
        return
    try:
        if model == "purchase.purchase":
            client.button(model, "draft", records)
        client.delete(model, records)
    except ConnectorError:
        pass  # it stays as a draft carrying the portal reference; the next attempt resumes


def finish(client: TrytonClient, model: str, items: list[Pending]) -> None:
    """Answer the items still open with their record's id and number (read in one call)."""
    done = [i for i in items if i.open and i.record is not None]
    if not done:
        return
    numbers = {r["id"]: r["number"] for r in client.read(model, ids(done), ["number"])}
    for item in done:
        item.outcome = ExportResult(str(item.record), numbers.get(item.record) or "")
