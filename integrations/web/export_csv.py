"""A record list as a CSV file: the rows the list shows with its filters, search and sort (every
page), its columns under their headings, read from the database in chunks so memory stays
bounded however many rows there are.

:func:`csv_rows` and :func:`streamed_csv` make any list's download (the export queues' too)."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet
from django.http import StreamingHttpResponse

from integrations.audit_trail import csv_safe
from integrations.kinds import Kind
from integrations.web import lists
from integrations.web.cells import Cell, cell_for

CHUNK = 500


class _Echo:
    """A file that hands back what is written to it (csv.writer then yields each line)."""

    def write(self, value: str) -> str:
        return value


def cell_text(cell: Cell) -> str:
    """A cell as a spreadsheet reads it: amounts as plain numbers (no thousands separators),
    dates as ISO dates, states and yes/no in words, nothing for an empty cell."""
    if cell.kind == "empty":
        return ""
    if cell.kind in ("state", "bool"):
        return str(cell.label)
    if cell.kind == "money" and isinstance(cell.value, Decimal):
        return f"{cell.value:.2f}"
    if cell.kind == "date" and isinstance(cell.value, datetime.date):
        return cell.value.isoformat()
    return str(cell.value)


def csv_rows(header: Sequence[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The heading line, then one line per row; a text that a spreadsheet would run as a
    formula is neutralised (:func:`integrations.audit_trail.csv_safe`)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for cells in rows:
        yield writer.writerow([csv_safe(cell) for cell in cells])


def streamed_csv(lines: Iterable[str], filename: str) -> StreamingHttpResponse:
    """The download of ``lines`` as ``filename``, streamed as they are made."""
    response = StreamingHttpResponse(lines, content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_lines(kind: Kind, rows: Iterable[Model]) -> Iterator[str]:
    """The list's columns under their headings, one line per record."""
    shown = lists.columns(kind)
    sent = kind.erp is not None
    cells = ((cell_text(cell_for(obj, path, sent=sent)) for path, _ in shown) for obj in rows)
    return csv_rows([text for _, text in shown], cells)


def csv_response(kind: Kind, queryset: QuerySet[Model]) -> StreamingHttpResponse:
    """The download: streamed, the rows read ``CHUNK`` at a time (prefetches run per chunk)."""
    return streamed_csv(csv_lines(kind, queryset.iterator(chunk_size=CHUNK)), f"{kind.key}.csv")
