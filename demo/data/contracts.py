"""Commitments (subcontracts and purchase orders) with their SOVs, and the change orders on
commitments and prime contracts. The prime contracts themselves follow from the projects
(:mod:`demo.data.projects`) and their SOVs from the budgets (:mod:`demo.data.budgets`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

# --- Scopes of work --------------------------------------------------------------------------

# Scope of work by trade: (cost code, cost type, % of the contract, description). Each adds to 100.
# fmt: off
SCOPES: dict[str, tuple[tuple[str, str, int, str], ...]] = {
    "demolition": (("02-410", "S", 82, "Selective demolition and abatement"),
                   ("01-740", "S", 18, "Haul-off and recycling")),
    "sitework": (("31-100", "S", 6, "Clearing and erosion control"),
                 ("31-200", "S", 38, "Excavation, fill and grading"),
                 ("32-100", "S", 20, "Aggregate base and asphalt paving"),
                 ("33-300", "S", 14, "Sanitary sewer and water service"),
                 ("33-400", "S", 22, "Storm drainage and detention")),
    "excavation": (("31-200", "S", 45, "Mass excavation and haul-off"),
                   ("31-600", "S", 30, "Soil nail shoring"),
                   ("33-300", "S", 12, "Sanitary sewer and water service"),
                   ("33-400", "S", 13, "Storm drainage")),
    "concrete": (("03-100", "S", 22, "Formwork"),
                 ("03-200", "S", 18, "Reinforcing steel"),
                 ("03-300", "S", 60, "Cast-in-place concrete")),
    "tilt_up": (("03-100", "S", 10, "Casting beds and edge forms"),
                ("03-200", "S", 15, "Reinforcing and embeds"),
                ("03-300", "S", 40, "Footings and slab on grade"),
                ("03-400", "S", 35, "Tilt-up wall panels")),
    "rebar": (("03-200", "M", 88, "Fabricated rebar, delivered"),
              ("03-200", "M", 12, "Chairs, dowels and accessories")),
    "masonry": (("04-200", "S", 78, "CMU and brick veneer"),
                ("04-400", "S", 22, "Cast stone and stone veneer")),
    "steel": (("05-100", "S", 62, "Structural steel framing"),
              ("05-300", "S", 18, "Metal floor and roof deck"),
              ("05-500", "S", 20, "Stairs, rails and misc. metals")),
    "joists": (("05-100", "S", 55, "Columns, joists and joist girders"),
               ("05-300", "S", 45, "Roof deck")),
    "framing": (("06-100", "S", 88, "Wood framing, sheathing and blocking"),
                ("05-500", "S", 12, "Hold-downs and steel posts")),
    "lumber": (("06-100", "M", 70, "Framing lumber package"),
               ("06-100", "M", 18, "Engineered floor joists and LVL"),
               ("06-100", "M", 12, "Sheathing and subfloor panels")),
    "millwork": (("06-400", "S", 75, "Kitchen and bath cabinets"),
                 ("06-200", "S", 25, "Finish carpentry and trim")),
    "waterproofing": (("07-100", "S", 70, "Below-grade and podium waterproofing"),
                      ("07-900", "S", 30, "Joint sealants")),
    "roofing": (("07-500", "S", 72, "Membrane roofing and flashing"),
                ("07-200", "S", 28, "Roof insulation and cover board")),
    "glazing": (("08-400", "S", 72, "Curtain wall and storefront"),
                ("08-500", "S", 28, "Punched windows")),
    "windows": (("08-500", "S", 80, "Vinyl windows and balcony doors"),
                ("08-400", "S", 20, "Retail storefront")),
    "doors": (("08-100", "M", 52, "Hollow metal frames and wood doors"),
              ("08-700", "M", 48, "Door hardware")),
    "drywall": (("09-200", "S", 70, "Metal studs and gypsum board"),
                ("07-200", "S", 12, "Batt and sound insulation"),
                ("09-200", "S", 18, "Shaft walls and rated assemblies")),
    "flooring": (("09-600", "S", 65, "Resilient flooring and carpet"),
                 ("09-300", "S", 35, "Ceramic tile")),
    "painting": (("09-900", "S", 80, "Interior painting"),
                 ("09-900", "S", 20, "Exterior coatings")),
    "specialties": (("10-210", "M", 45, "Toilet compartments and accessories"),
                    ("10-140", "M", 25, "Interior and code signage"),
                    ("10-440", "M", 30, "Fire extinguishers and cabinets")),
    "plumbing": (("22-100", "S", 55, "Domestic water, waste and vent piping"),
                 ("22-400", "S", 35, "Plumbing fixtures and trim"),
                 ("22-100", "S", 10, "Pipe insulation and testing")),
    "hvac": (("23-300", "S", 42, "Ductwork and air distribution"),
             ("23-700", "S", 40, "Rooftop units and central equipment"),
             ("23-090", "S", 18, "Building automation and controls")),
    "electrical": (("26-050", "S", 12, "Temporary power and grounding"),
                   ("26-200", "S", 55, "Service, distribution and branch wiring"),
                   ("26-500", "S", 33, "Lighting and lighting controls")),
}
# fmt: on

# --- Commitments -----------------------------------------------------------------------------

# Contract statuses, abbreviated so that each row of the tables below fits on a line.
A, D, P, OS = "approved", "draft", "pending", "out_for_signature"


class DemoCommitment(NamedTuple):
    project: str
    number: str  # SC-... subcontract (10% retainage), PO-... purchase order (none)
    scope: str
    vendor: str
    title: str  # at most 30 characters, as the stricter ERPs require
    status: str
    total: int
    contract_date: str


# fmt: off
C = DemoCommitment
COMMITMENTS: tuple[DemoCommitment, ...] = (
    C("2401", "SC-001", "sitework", "FRE", "Sitework and Site Utilities", A, 1185000, "2026-04-20"),
    C("2401", "SC-002", "concrete", "RMC", "Cast-in-Place Concrete", A, 1640000, "2026-04-27"),
    C("2401", "SC-003", "steel", "MHS", "Structural and Misc. Steel", A, 1420000, "2026-05-04"),
    C("2401", "SC-004", "roofing", "PKR", "Roofing and Insulation", A, 465000, "2026-05-26"),
    C("2401", "SC-005", "glazing", "CVG", "Curtain Wall and Windows", A, 1080000, "2026-05-26"),
    C("2401", "SC-006", "drywall", "ALP", "Drywall and Insulation", A, 1310000, "2026-06-15"),
    C("2401", "SC-007", "plumbing", "CPL", "Plumbing and Medical Gas", A, 1275000, "2026-05-11"),
    C("2401", "SC-008", "hvac", "APX", "HVAC and Controls", A, 2360000, "2026-05-11"),
    C("2401", "SC-009", "electrical", "BLE", "Electrical and Lighting", A, 1940000, "2026-05-11"),
    C("2401", "SC-010", "painting", "PCP", "Painting and Coatings", D, 212000, "2026-10-19"),
    C("2401", "PO-001", "doors", "WDH", "Doors, Frames and Hardware", A, 186500, "2026-07-06"),
    C("2401", "PO-002", "specialties", "IMS", "Toilet Accessories and Signage", A, 64800,
     "2026-08-03"),
    C("2402", "SC-001", "demolition", "DDA", "Selective Demolition", A, 148000, "2026-05-18"),
    C("2402", "SC-002", "sitework", "FRE", "Sitework and Utilities", A, 612000, "2026-05-18"),
    C("2402", "SC-003", "concrete", "RMC", "Foundations and Slabs", A, 845000, "2026-05-25"),
    C("2402", "SC-004", "masonry", "FHM", "CMU and Brick Masonry", A, 1120000, "2026-06-01"),
    C("2402", "SC-005", "roofing", "PKR", "Roofing and Insulation", A, 388000, "2026-06-22"),
    C("2402", "SC-006", "plumbing", "CPL", "Plumbing", A, 520000, "2026-06-08"),
    C("2402", "SC-007", "hvac", "APX", "HVAC and Controls", A, 1150000, "2026-06-08"),
    C("2402", "SC-008", "electrical", "BLE", "Electrical and Lighting", A, 980000, "2026-06-08"),
    C("2402", "SC-009", "flooring", "CFC", "Flooring and Tile", D, 236000, "2026-10-26"),
    C("2402", "PO-001", "doors", "WDH", "Doors, Frames and Hardware", A, 142300, "2026-08-10"),
    C("2403", "SC-001", "excavation", "CCE", "Excavation and Shoring", A, 1480000, "2026-07-13"),
    C("2403", "SC-002", "concrete", "RMC", "Podium Concrete", A, 3650000, "2026-07-20"),
    C("2403", "SC-003", "framing", "TLF", "Wood Framing Labor", A, 1860000, "2026-08-17"),
    C("2403", "SC-004", "waterproofing", "DLW", "Waterproofing and Sealants", A, 410000,
     "2026-08-24"),
    C("2403", "SC-005", "roofing", "PKR", "Roofing and Insulation", A, 620000, "2026-09-14"),
    C("2403", "SC-006", "windows", "CVG", "Windows and Storefront", A, 1260000, "2026-09-08"),
    C("2403", "SC-007", "drywall", "ALP", "Drywall and Insulation", A, 2140000, "2026-10-05"),
    C("2403", "SC-008", "plumbing", "CPL", "Plumbing", A, 2350000, "2026-08-10"),
    C("2403", "SC-009", "hvac", "APX", "HVAC and Controls", A, 1980000, "2026-08-10"),
    C("2403", "SC-010", "electrical", "BLE", "Electrical and Lighting", A, 2460000, "2026-08-10"),
    C("2403", "SC-011", "millwork", "ASP", "Cabinets and Millwork", OS, 890000, "2026-11-09"),
    C("2403", "PO-001", "lumber", "MSL", "Framing Lumber Package", A, 1120000, "2026-08-17"),
    C("2404", "SC-001", "sitework", "CCE", "Sitework and Paving", A, 1950000, "2026-11-02"),
    C("2404", "SC-002", "tilt_up", "RMC", "Tilt-Up Concrete", A, 2850000, "2026-11-09"),
    C("2404", "SC-003", "joists", "MHS", "Steel Joists and Deck", D, 1380000, "2026-11-16"),
    C("2404", "SC-004", "roofing", "PKR", "Roofing and Insulation", D, 920000, "2026-11-16"),
    C("2404", "SC-005", "electrical", "BLE", "Electrical and Lighting", D, 1120000, "2026-11-16"),
    C("2404", "PO-001", "rebar", "CRS", "Rebar Supply", A, 410000, "2026-11-09"),
)
# fmt: on


# --- Change orders ---------------------------------------------------------------------------


class DemoCommitmentChangeOrder(NamedTuple):
    project: str
    commitment: str
    number: str
    title: str
    status: str
    lines: tuple[tuple[int, str, str], ...]  # (position of the commitment line, amount, what)


class DemoPrimeChangeOrder(NamedTuple):
    project: str
    number: str
    title: str
    status: str
    date: str
    lines: tuple[tuple[str, str, str], ...]  # (cost code of the prime line, amount, what)


# fmt: off
CCO = DemoCommitmentChangeOrder
COMMITMENT_CHANGE_ORDERS: tuple[DemoCommitmentChangeOrder, ...] = (
    CCO("2401", "SC-001", "001", "Over-excavate unsuitable soils", A,
        ((2, "48750.00", "Over-excavate and replace unsuitable soils, grid C-F"),)),
    CCO("2401", "SC-002", "001", "Imaging equipment pads", A,
        ((3, "18420.00", "Housekeeping pads for MRI and CT equipment"),)),
    CCO("2401", "SC-005", "001", "Revised curtain wall anchors", P,
        ((1, "12900.00", "Embed plates at revised slab edge, levels 2-3"),)),
    CCO("2401", "SC-007", "001", "Medical gas in exam rooms", A,
        ((1, "34600.00", "Oxygen and vacuum outlets, exam rooms 210-224"),
         (2, "9850.00", "Added hand sinks, exam rooms 210-224"))),
    CCO("2401", "SC-009", "001", "Imaging suite power", D,
        ((2, "27300.00", "Dedicated feeders for MRI and CT rooms"),
         (3, "4150.00", "Lighting in RF-shielded rooms"))),
    CCO("2402", "SC-002", "001", "Rock excavation at footings", A,
        ((2, "36200.00", "Rock excavation, 410 CY at the unit price"),)),
    CCO("2402", "SC-004", "001", "Delete west stone veneer", A,
        ((2, "-22400.00", "Credit: cast stone veneer deleted at the west elevation"),)),
    CCO("2403", "SC-001", "001", "Dewatering", A,
        ((1, "68900.00", "Dewatering wells and pumping during excavation"),)),
    CCO("2403", "SC-002", "001", "Post-tension deck revisions", P,
        ((2, "64500.00", "Added tendons at level 2 transfer beams"),)),
)

PCCO = DemoPrimeChangeOrder
PRIME_CHANGE_ORDERS: tuple[DemoPrimeChangeOrder, ...] = (
    PCCO("2401", "001", "Unsuitable soils", A, "2026-08-28",
         (("31-200", "52650.00", "Over-excavation and engineered fill"),)),
    PCCO("2401", "002", "Imaging suite upgrades", A, "2026-09-18",
         (("26-200", "33900.00", "Imaging equipment feeders and lighting"),
          ("03-300", "19900.00", "Imaging equipment pads"))),
    PCCO("2402", "001", "Rock excavation", A, "2026-09-10",
         (("31-200", "39100.00", "Rock excavation at footings"),)),
    PCCO("2402", "002", "Secure entry vestibule", P, "2026-10-22",
         (("08-100", "18750.00", "Vestibule doors, frames and hardware"),
          ("26-500", "6400.00", "Vestibule lighting and access control power"))),
    PCCO("2403", "001", "Dewatering", A, "2026-10-05",
         (("31-200", "74200.00", "Dewatering during excavation"),)),
)
# fmt: on


# --- Derived from the tables -----------------------------------------------------------------


class SovLine(NamedTuple):
    full_code: str
    cost_type: str
    description: str
    amount: Decimal


def commitment_sov(commitment: DemoCommitment) -> list[SovLine]:
    """The commitment's SOV: its total split by the trade's scope, in whole dollars."""
    scope = SCOPES[commitment.scope]
    total = Decimal(commitment.total)
    amounts = [(total * share / 100).quantize(Decimal(1)) for _, _, share, _ in scope]
    amounts[-1] = total - sum(amounts[:-1], Decimal(0))
    return [
        SovLine(code, ctype, text, amount)
        for (code, ctype, _, text), amount in zip(scope, amounts, strict=True)
    ]


def commitment_retainage(commitment: DemoCommitment) -> Decimal:
    """Subcontracts hold 10% retainage; purchase orders none."""
    return Decimal(0) if commitment.number.startswith("PO-") else Decimal(10)


def commitment_by_key(project: str, number: str) -> DemoCommitment:
    return next(c for c in COMMITMENTS if (c.project, c.number) == (project, number))
