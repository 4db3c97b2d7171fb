"""What the demo's ERP holds that the portal has not seen yet: records its accountants filed
themselves (new vendors, jobs set up in the ERP first, a prime contract, budgets), the job
costs posted to the synced projects, and payments of the invoices the ERP received.

Each row is (ERP number, name, data), ``data`` in the shapes the sandbox ERP sends
(:mod:`connectors.imports`): references are ERP ids (``J-2401``, ``CC-03-300``, ``CT-L``,
``V-1002``). Pure tables and functions: nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from demo.data.budgets import budget_amounts
from demo.data.companies import VENDORS
from demo.data.contracts import COMMITMENTS
from demo.data.erp_ids import DEMO_ERP_IDS

Row = tuple[str, str, dict[str, Any]]
CENT = Decimal("0.01")
STATE = "CO"


def code_id(full_code: str) -> str:
    return DEMO_ERP_IDS["standard_cost_code"][full_code][0]


def type_id(code: str) -> str:
    return DEMO_ERP_IDS["cost_type"][code][0]


class ErpVendor(NamedTuple):
    number: str
    name: str
    tax_id: str
    email: str
    phone: str
    street: str
    city: str
    zip: str


# fmt: off
ERP_VENDORS: tuple[ErpVendor, ...] = (
    ErpVendor("V-2001", "Front Range Rebar Supply, Inc.", "84-3318207", "ar@frrebar.example",
              "(303) 555-0161", "5590 Joliet St", "Denver", "80239"),
    ErpVendor("V-2002", "Summit Crane & Rigging LLC", "84-2290415", "billing@summitcrane.example",
              "(720) 555-0162", "11801 E 33rd Ave", "Aurora", "80010"),
    ErpVendor("V-2003", "Colorado Fire Sprinkler Co.", "84-1170392", "office@cofire.example",
              "(303) 555-0163", "2150 W 6th Ave", "Denver", "80204"),
    ErpVendor("V-2004", "High Plains Insulation, Inc.", "84-4061178", "ap@hpinsul.example",
              "(970) 555-0164", "710 Automation Dr", "Windsor", "80550"),
    ErpVendor("V-2005", "Mile High Scaffold Services", "84-3905521", "ops@mhscaffold.example",
              "(303) 555-0165", "6200 N Washington St", "Denver", "80216"),
    ErpVendor("V-2006", "City of Arvada", "84-6000541", "capitalprojects@arvada.example",
              "(720) 555-0166", "8101 Ralston Rd", "Arvada", "80002"),
    # Set up in the ERP by accounting under their own spelling: the Directory has them already
    # (Timberline Framing LLC, Aspen Cabinet & Millwork), so Ready to Import suggests linking.
    ErpVendor("V-2007", "Timberline Framing, L.L.C.", "84-2718830", "ap@timberlineframing.example",
              "(970) 555-0116", "310 East 57th Street", "Loveland", "80538"),
    ErpVendor("V-2008", "Aspen Cabinet and Millwork Inc", "84-3356012", "ar@aspencab.example",
              "(720) 555-0127", "1880 Industrial Cir", "Longmont", "80501"),
)


class ErpJob(NamedTuple):
    number: str
    name: str
    address: str
    city: str
    zip: str
    start: str
    completion: str
    estimated_value: str


ERP_JOBS: tuple[ErpJob, ...] = (
    ErpJob("J-2405", "Arvada Fire Station No. 7", "15950 W 64th Ave", "Arvada", "80007",
           "2027-03-01", "2028-01-28", "9850000.00"),
    ErpJob("J-2406", "Golden Public Library Renovation", "1019 10th St", "Golden", "80401",
           "2027-01-11", "2027-10-29", "4275000.00"),
    ErpJob("J-2407", "Englewood Transit Plaza", "3300 S Santa Fe Dr", "Englewood", "80110",
           "2027-04-05", "2028-06-30", "14600000.00"),
    # Project 2404 as accounting set it up in the ERP: the portal's project is to be linked.
    ErpJob("J-2404", "I-76 Commerce Center Warehouse", "15501 E 104th Avenue", "Commerce City",
           "80022", "2027-02-01", "2027-12-17", "18750000.00"),
)
ERP_SUB_JOBS: tuple[tuple[str, str, str], ...] = (
    ("J-2407", "01", "Transit Canopy and Platforms"),
    ("J-2407", "02", "Plaza Hardscape and Site Utilities"),
)

# The prime contract the ERP holds for J-2405: (cost code, cost type, description, amount).
PRIME_CONTRACT_JOB = "J-2405"
PRIME_CONTRACT_LINES: tuple[tuple[str, str, str, str], ...] = (
    ("01-310", "L", "General conditions and project management", "1185000.00"),
    ("03-300", "S", "Cast-in-place concrete: apparatus bay slab and walls", "2640000.00"),
    ("05-100", "S", "Structural steel framing", "1975000.00"),
    ("23-700", "S", "Central HVAC equipment and apparatus bay exhaust", "4050000.00"),
)
# Budgets the ERP keeps for jobs it set up itself: job -> (cost code, cost type, what, amount).
ERP_BUDGETS: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "J-2405": (
        ("01-310", "L", "Project management and supervision", "1090000.00"),
        ("03-300", "S", "Concrete subcontract", "2480000.00"),
        ("05-100", "S", "Steel subcontract", "1860000.00"),
        ("23-700", "S", "HVAC subcontract", "3820000.00"),
        ("01-500", "E", "Temporary facilities and equipment", "145000.00"),
    ),
    "J-2406": (
        ("01-310", "L", "Project management and supervision", "520000.00"),
        ("02-410", "S", "Selective demolition", "310000.00"),
        ("09-200", "S", "Gypsum board assemblies", "640000.00"),
        ("09-900", "S", "Painting", "185000.00"),
    ),
}
# fmt: on


def vendor_rows() -> list[Row]:
    return [
        (
            v.number,
            v.name,
            {
                "name": v.name,
                "tax_id": v.tax_id,
                "email": v.email,
                "phone": v.phone,
                "street": v.street,
                "city": v.city,
                "state_code": STATE,
                "zip": v.zip,
                "country_code": "US",
                "is_active": True,
            },
        )
        for v in ERP_VENDORS
    ]


def job_rows() -> list[Row]:
    return [
        (
            j.number,
            j.name,
            {
                "origin_code": j.number.removeprefix("J-"),
                "name": j.name,
                "address": j.address,
                "city": j.city,
                "state_code": STATE,
                "zip": j.zip,
                "country_code": "US",
                "start_date": j.start,
                "completion_date": j.completion,
                "estimated_value": j.estimated_value,
                "is_active": True,
            },
        )
        for j in ERP_JOBS
    ]


def sub_job_rows() -> list[Row]:
    return [
        (f"{job}-{code}", name, {"job": job, "code": code, "name": name})
        for job, code, name in ERP_SUB_JOBS
    ]


def _cost_lines(number: str, lines: Sequence[tuple[str, str, str, str]]) -> list[dict[str, Any]]:
    return [
        {
            "origin_id": f"{number}-{position}",
            "position": position,
            "cost_code": code_id(code),
            "cost_type": type_id(cost_type),
            "description": description,
            "amount": amount,
        }
        for position, (code, cost_type, description, amount) in enumerate(lines, 1)
    ]


def prime_contract_rows() -> list[Row]:
    number = f"PC-{PRIME_CONTRACT_JOB.removeprefix('J-')}"
    title = "Design-Bid-Build Agreement"
    data = {
        "job": PRIME_CONTRACT_JOB,
        "number": f"{PRIME_CONTRACT_JOB.removeprefix('J-')}-01",
        "title": title,
        "owner": "V-2006",
        "status": "approved",
        "lines": _cost_lines(number, PRIME_CONTRACT_LINES),
    }
    return [(number, title, data)]


def budget_rows() -> list[Row]:
    rows = []
    for job, lines in ERP_BUDGETS.items():
        number, name = f"B-{job.removeprefix('J-')}", f"{job.removeprefix('J-')} Budget"
        with_positions = _cost_lines(number, lines)
        for line in with_positions:
            del line["position"]  # budgets' lines have none (connectors.imports)
        rows.append((number, name, {"job": job, "name": name, "lines": with_positions}))
    return rows


# --- job costs ---------------------------------------------------------------------------------

JOB_COST_COUNT = 200
JOB_COST_DAYS = 90
# The source of a cost, its weight, the cost types it books to and its range of amounts.
SOURCES: tuple[tuple[str, int, str, tuple[int, int]], ...] = (
    ("ap_invoice", 45, "MO", (240, 38_000)),
    ("payroll", 30, "L", (2_400, 26_000)),
    ("equipment", 15, "E", (350, 9_800)),
    ("subcontractor_invoice", 10, "S", (6_500, 145_000)),
)
MATERIALS = (
    "Ready-mix concrete, 4000 psi",
    "Rebar, cut and bent",
    "Lumber and sheathing",
    "Metal studs and track",
    "Anchor bolts and embeds",
    "Fence screen and signage",
)
EQUIPMENT = ("Excavator rental", "Telehandler rental", "Scissor lifts", "Light towers")


def _synced_vendors(vendor_type: str) -> list[str]:
    ids = DEMO_ERP_IDS["company"]
    return [ids[v.abbr][0] for v in VENDORS if v.vendor_type == vendor_type and v.abbr in ids]


def _project_subs(project: str) -> list[str]:
    """The synced subcontractors the project's commitments went to."""
    ids = DEMO_ERP_IDS["company"]
    return sorted(
        {ids[c.vendor][0] for c in COMMITMENTS if c.project == project and c.vendor in ids}
    )


def job_cost_rows(today: dt.date) -> list[Row]:
    """~200 job costs over the 90 days before ``today`` on the synced projects, on their
    budgets' cost codes and types; numbered ``JC-D0001``... so reseeding adds none twice."""
    rnd = random.Random(2401)  # nosec B311  # demo data, seeded to repeat
    projects = sorted(DEMO_ERP_IDS["project"])
    sub_jobs = DEMO_ERP_IDS["sub_job"]
    suppliers = _synced_vendors("supplier") or _synced_vendors("subcontractor")
    rows: list[Row] = []
    for n in range(1, JOB_COST_COUNT + 1):
        project = projects[n % len(projects)]
        job = DEMO_ERP_IDS["project"][project][0]
        source, _, types, (low, high) = rnd.choices(SOURCES, weights=[s[1] for s in SOURCES])[0]
        pairs = [pair for pair in budget_amounts(project) if pair[1] in types]
        code, cost_type = rnd.choice(pairs or list(budget_amounts(project)))
        day = today - dt.timedelta(days=rnd.randrange(1, JOB_COST_DAYS + 1))
        amount = Decimal(low * (high / low) ** rnd.random()).quantize(CENT, ROUND_HALF_UP)
        vendor: str | None = None
        if source == "payroll":
            week = day.isocalendar().week
            document, text = f"PR-{day.year}-{week:02d}", f"Field labor, week {week}"
        elif source == "equipment":
            document, text = f"EQ-{day:%y%m}-{n:03d}", rnd.choice(EQUIPMENT)
        elif source == "subcontractor_invoice":
            vendor = rnd.choice(_project_subs(project) or suppliers)
            document, text = f"PA-{project}-{day:%m}", "Progress billing"
        else:
            vendor = rnd.choice(suppliers)
            document, text = f"{rnd.randrange(10_000, 99_999)}", rnd.choice(MATERIALS)
        subs = [ids[0] for key, ids in sub_jobs.items() if key.startswith(f"{project}-")]
        data = {
            "job": job,
            "sub_job": rnd.choice(subs) if subs else None,
            "cost_code": code_id(code),
            "cost_type": type_id(cost_type),
            "vendor": vendor,
            "amount": str(amount),
            "reference_date": day.isoformat(),
            "post_date": min(today, day + dt.timedelta(days=rnd.randrange(0, 5))).isoformat(),
            "source_type": source,
            "source_document": document,
            "description": text,
        }
        rows.append((f"JC-D{n:04d}", text, data))
    return rows


# --- payments ----------------------------------------------------------------------------------


class LedgerInvoice(NamedTuple):
    """An invoice the ERP received from the portal (its ledger row)."""

    number: str
    invoice_type: str  # subcontractor_invoice or owner_invoice
    amount_due: Decimal
    billing_date: dt.date


# One invoice in four is paid in part: the third, the seventh, ... (so even the demo's first
# three exported invoices show a balance).
PARTIAL_EVERY, PARTIAL_AT = 4, 2


def payment_rows(invoices: Sequence[LedgerInvoice], today: dt.date) -> list[Row]:
    """A payment for each invoice (``invoices`` oldest first): most in full, some in part;
    the oldest invoice's first check was voided (lost in the mail) and paid again. Numbered
    after their invoice (``PAY-INV-1003-1``), so reseeding adds only an invoice's that is new."""
    rows: list[Row] = []
    for i, invoice in enumerate(invoices):
        if invoice.amount_due <= 0:
            continue
        paid_on = min(today, invoice.billing_date + dt.timedelta(days=25 + i % 10))
        amount, status = invoice.amount_due, "paid"
        if i % PARTIAL_EVERY == PARTIAL_AT:
            amount, status = (invoice.amount_due * Decimal("0.6")).quantize(CENT), "partial"
        receivable = invoice.invoice_type == "owner_invoice"
        base = {
            "invoice_type": invoice.invoice_type,
            "invoice": invoice.number,
            "paid_on": paid_on.isoformat(),
            "method": "ach" if receivable else "check",
        }
        check = None if receivable else f"{104_200 + 2 * i}"
        name = f"{invoice.number} {base['method']}"
        if i == 0:
            lost = {**base, "amount": str(amount), "status": "void", "check_number": check}
            rows.append((f"PAY-{invoice.number}-0", name, lost))
            check = None if receivable else f"{104_200 + 2 * i + 1}"
        paid = {**base, "amount": str(amount), "status": status, "check_number": check}
        rows.append((f"PAY-{invoice.number}-1", name, paid))
    return rows
