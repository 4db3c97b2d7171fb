"""Change-aware paging over Tryton records: the cursor, the streams of a kind, the loop.

**What orders a fetch.** Every Tryton record has ``last_modified_at`` (its ``write_date``, else
its ``create_date``), which Tryton searches and sorts in SQL. A *stream* is a ``search_read``
ordered by one such timestamp (the record's own, or one reached through many-to-ones, such as
an analytic line's move) and by id, resuming strictly after a *position* (timestamp, id).
Tryton stamps every record a transaction writes with the same timestamp (the transaction's,
with microseconds), so the id breaks ties: a page may stop inside one transaction's records
and the next page goes on after the last id.

**Records with two clocks.** A job cost line changes when it is edited *or* when its move is
posted; a payment when its line is reconciled *or* when its invoice is written. Such a kind has
one stream per clock, each with its own position in the cursor, and each record belongs to
the stream whose clock is its newest (``owns``): the other stream passes it by. So a record is
sent once per change, whichever clock moved.

**The cursor** is the positions of the kind's streams, ``;``-separated, each
``<ISO timestamp>,<id>[,<sub id>]`` or empty (from the start).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from connectors.base import Batch, PermanentError
from connectors.tryton.books import Tryton
from connectors.tryton.client import TrytonRestClient

LMT = "last_modified_at"  # Tryton's COALESCE(write_date, create_date), sortable and searchable

Row = dict[str, Any]
Record = dict[str, Any]


@dataclass(frozen=True)
class Position:
    """Where a stream stopped: after the record (``at``, ``id``); ``sub`` > 0 when it stopped
    inside that record's group (an invoice's payment lines up to id ``sub``)."""

    at: datetime.datetime | None = None
    id: int = 0
    sub: int = 0


START = Position()


@dataclass
class Page:
    records: list[Record]
    position: Position
    more: bool  # the stream may hold more after ``position``
    total: int | None = None


class Stream(Protocol):
    def page(self, tryton: Tryton, after: Position, size: int, first: bool) -> Page: ...


def parse_cursor(cursor: str, streams: int) -> list[Position]:
    """The positions a cursor holds ("": every stream from the start)."""
    if not cursor:
        return [START] * streams
    parts = cursor.split(";")
    if len(parts) != streams:
        raise PermanentError(f"{cursor!r} is not a cursor of this Tryton fetch.")
    try:
        return [_position(part) for part in parts]
    except ValueError:
        raise PermanentError(f"{cursor!r} is not a Tryton fetch cursor.") from None


def _position(part: str) -> Position:
    if not part:
        return START
    at, _, rest = part.partition(",")
    ids = [int(x) for x in rest.split(",")]
    if not 1 <= len(ids) <= 2:
        raise ValueError(part)
    return Position(datetime.datetime.fromisoformat(at), *ids)


def dump_cursor(positions: Sequence[Position]) -> str:
    parts = []
    for p in positions:
        if p.at is None:
            parts.append("")
        else:
            parts.append(f"{p.at.isoformat()},{p.id}" + (f",{p.sub}" if p.sub else ""))
    return ";".join(parts)


ARCHIVED = ("active", "in", [True, False])
# Never true: an OR branch that only tells Tryton "archived records too".
NEVER: tuple[str, str, list[bool]] = ("active", "in", [])


def after(
    key: str, position: Position, *, inclusive: bool = False, archived: bool = False
) -> list[Any]:
    """The domain of the records after ``position`` in the order (``key``, id); with
    ``inclusive``, the record at ``position`` too. With ``archived``, archived records too:
    Tryton adds "active only" to every nested list of a domain that names no ``active``, so
    each one names it (in an ``OR``, by a branch that is never true)."""
    if position.at is None:
        return [ARCHIVED] if archived else []
    also = [ARCHIVED] if archived else []
    return [
        *also,
        [
            "OR",
            *([NEVER] if archived else []),
            [*also, (key, ">", position.at)],
            [*also, (key, "=", position.at), ("id", ">=" if inclusive else ">", position.id)],
        ],
    ]


def value_at(row: Row | None, path: str) -> Any:
    """A dotted field of a ``search_read`` row (Tryton nests ``a.b`` as ``{"a.": {"b": ...}}``)."""
    *heads, last = path.split(".")
    for head in heads:
        row = sub(row, head)
    return (row or {}).get(last)


def sub(row: Row | None, name: str) -> Row:
    """A many-to-one's fields read through a dotted name (``"party."`` of ``party.code``)."""
    value = (row or {}).get(f"{name}.")
    return value if isinstance(value, dict) else {}


def stamp(*values: datetime.datetime | None) -> str | None:
    """``changed_at``: the newest of the record's clocks, in ISO 8601."""
    present = [v for v in values if v is not None]
    return max(present).isoformat() if present else None


def iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class ModelStream:
    """A stream over one model: ``search_read`` of ``fields`` ordered by the timestamp
    ``key`` and id, after the position; ``build`` makes the records of the rows this stream
    ``owns`` (with a constant number of further calls)."""

    model: str
    domain: list[Any]
    key: str
    fields: tuple[str, ...]
    build: Callable[[Tryton, list[Row]], list[Record]]
    owns: Callable[[Row], bool] = field(default=lambda row: True)
    counted: bool = False  # the first page says how many records the fetch holds
    archived: bool = False  # the model has ``active``: archived records are sent too

    def page(self, tryton: Tryton, after_: Position, size: int, first: bool) -> Page:
        c = tryton.client
        domain = [*self.domain, *after(self.key, after_, archived=self.archived)]
        total = None
        # REST counts by listing every id: only JSON-RPC says the total.
        if first and self.counted and not isinstance(c, TrytonRestClient):
            total = c.search_count(self.model, domain)
        rows = c.search_read(
            self.model,
            domain,
            sorted({*self.fields, self.key}),
            limit=size,
            order=[(self.key, "ASC"), ("id", "ASC")],
        )
        if not rows:
            return Page([], after_, False, total)
        last = rows[-1]
        position = Position(value_at(last, self.key), int(last["id"]))
        owned = [r for r in rows if self.owns(r)]
        records = self.build(tryton, owned) if owned else []
        return Page(records, position, len(rows) >= size, total)


def run(
    tryton: Tryton, streams: Sequence[Stream], positions: list[Position], size: int
) -> Iterator[Batch]:
    """The batches of the streams, one stream after the other, each from its position. A
    page whose rows all belong to another stream yields nothing and the stream goes on.

    Each batch is held back until the next one (or the end): the last batch's cursor holds
    where *every* stream stopped, so the rows a stream passed by after it (another stream's)
    are not read again by the next fetch."""
    positions = list(positions)
    total: int | None = None
    held: list[Record] | None = None
    for index, stream in enumerate(streams):
        first = True
        while True:
            page = stream.page(tryton, positions[index], size, first)
            if first and len(streams) == 1:
                total = page.total
            first = False
            if page.records:
                if held is not None:
                    yield Batch(records=tuple(held), cursor=dump_cursor(positions), total=total)
                held = page.records
            positions[index] = page.position
            if not page.more:
                break
    if held is not None:
        yield Batch(records=tuple(held), cursor=dump_cursor(positions), total=total)
