"""Costs booked straight to a project: vendor invoices, payroll and expenses."""

from __future__ import annotations

from typing import NamedTuple


class DemoDirectCost(NamedTuple):
    project: str
    kind: str
    vendor: str  # abbr, or "" (payroll, expenses)
    invoice_number: str
    date: str
    status: str
    description: str
    lines: tuple[tuple[str, str, str, str], ...]  # (cost code, cost type, amount, what)


# fmt: off
DC = DemoDirectCost
DIRECT_COSTS: tuple[DemoDirectCost, ...] = (
    DC("2401", "invoice", "RGT", "RGT-24418", "2026-08-14", "approved", "Testing, July",
       (("03-300", "O", "3840.00", "Concrete cylinder testing"),
        ("31-200", "O", "2210.00", "Compaction testing"))),
    DC("2401", "payroll", "", "PR-2026-36", "2026-09-04", "approved", "Field labor, weeks 35-36",
       (("01-310", "L", "18460.00", "Superintendent and project engineer"),
        ("06-100", "L", "6215.50", "Carpenters: blocking and backing"))),
    DC("2401", "expense", "", "EXP-2401-014", "2026-10-09", "pending", "Fencing and signage",
       (("01-500", "M", "1286.45", "Fence screen and job signs"),)),
    DC("2402", "payroll", "", "PR-2026-34", "2026-08-21", "approved", "Field labor, weeks 33-34",
       (("01-310", "L", "15980.00", "Superintendent"),
        ("01-740", "L", "2340.00", "Laborers: site cleanup"))),
    DC("2402", "invoice", "MSL", "MSL-88213", "2026-09-02", "approved", "Blocking lumber",
       (("06-100", "M", "4932.18", "Blocking and backing lumber"),)),
    DC("2402", "expense", "", "EXP-2402-009", "2026-09-30", "draft", "Dumpster hauls, September",
       (("01-740", "O", "2150.00", "Roll-off dumpster hauls (5)"),)),
    DC("2403", "invoice", "RGT", "RGT-24790", "2026-09-25", "approved", "Shoring inspections",
       (("31-200", "O", "5675.00", "Compaction testing"),
        ("31-600", "O", "3120.00", "Soil nail proof testing"))),
    DC("2403", "expense", "", "EXP-2403-003", "2026-08-06", "paid", "Building permit",
       (("01-310", "O", "12480.00", "City and County of Denver building permit"),)),
    DC("2403", "payroll", "", "PR-2026-40", "2026-10-02", "pending", "Field labor, weeks 39-40",
       (("01-310", "L", "19240.00", "Superintendent and assistant superintendent"),)),
    DC("2404", "invoice", "RGT", "RGT-25102", "2026-10-16", "approved", "Geotechnical report",
       (("02-300", "O", "18900.00", "Borings and geotechnical investigation report"),)),
)
# fmt: on
