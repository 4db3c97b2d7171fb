"""A report as a file: CSV for a spreadsheet (amounts as plain numbers, so its sums equal the
totals row) and PDF for reading and printing, laid out by WeasyPrint from an HTML template
(``integrations/reports/pdf.html``) with the same chart as the page."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from integrations.audit_trail import csv_safe
from integrations.reports import Column, Report, Run, Table

PDF_STYLESHEET = "css/report_pdf.css"


class PdfUnavailable(RuntimeError):
    """The system libraries WeasyPrint lays pages out with (Pango) are missing."""


def cell_text(column: Column, value: Any) -> str:
    """A value as a spreadsheet reads it: amounts with two decimals and no separators, dates as
    ISO dates, yes/no in words, a list one item after the other, nothing for no value."""
    if value is None:
        return ""
    if column.kind == "money" and isinstance(value, Decimal):
        return f"{value:.2f}"
    if column.kind == "bool":
        return "Yes" if value else "No"
    if column.kind == "list":
        return "; ".join(str(item) for item in value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return text if column.numeric else csv_safe(text)


def table_lines(table: Table) -> list[list[str]]:
    """The heading, the rows and the totals row, as cells."""
    lines = [[c.label for c in table.columns]]
    lines += [[cell_text(c, row.get(c.key)) for c in table.columns] for row in table.rows]
    if table.totals:
        lines.append([cell_text(c, table.totals.get(c.key)) for c in table.columns])
    return lines


def as_csv(table: Table) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(table_lines(table))
    return out.getvalue()


def filename(report: Report, run: Run, extension: str) -> str:
    suffix = f"-{run.project.number}" if run.project is not None else ""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in suffix)
    return f"{report.key}{safe}.{extension}"


def as_pdf(report: Report, run: Run, table: Table) -> bytes:
    """The report laid out on A4 landscape pages, its heading repeated on each page."""
    try:
        from weasyprint import CSS, HTML
    except OSError as exc:  # Pango is not installed
        raise PdfUnavailable(
            "PDF files need the Pango library (Debian: apt-get install libpango-1.0-0 "
            f"libpangoft2-1.0-0): {exc}"
        ) from exc
    html = render_to_string(
        "integrations/reports/pdf.html",
        {
            "report": report,
            "run": run,
            "table": table,
            "account": run.account,
            "made_at": timezone.localtime(),
        },
    )
    stylesheet = finders.find(PDF_STYLESHEET)
    assert isinstance(stylesheet, str), f"static file {PDF_STYLESHEET} is missing"
    document = HTML(string=html)
    return bytes(document.write_pdf(stylesheets=[CSS(filename=stylesheet)]))
