"""The demo account's data: Summit Ridge Builders, a mid-size Colorado general contractor.

Everything is a table. Amounts that follow from others (commitment SOV lines, budgets, prime
contract SOVs, what each period bills) are derived here by small pure functions, so the
records stay consistent with one another; :mod:`integrations.demo` writes them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import cache
from typing import NamedTuple

from permissions.levels import Level, Privilege, Tool

ACCOUNT_SLUG = "summit"
ACCOUNT_NAME = "Summit Ridge Builders"
DEMO_PASSWORD = "demo"
ERP_COST_CODE_LIST = "ERP Standard Cost Codes"
BILLING_YEAR = 2026
CENT = Decimal("0.01")

# --- People ----------------------------------------------------------------------------------


class DemoUser(NamedTuple):
    username: str
    first_name: str
    last_name: str
    job_title: str
    role: str
    grants: dict[Tool, Level]
    privileges: tuple[Privilege, ...] = ()
    superuser: bool = False


def _levels(level: Level, *tools: Tool) -> dict[Tool, Level]:
    return dict.fromkeys(tools or tuple(Tool), level)


# fmt: off
_PROJECT_TOOLS = (
    Tool.PROJECT_ADMIN, Tool.BUDGET, Tool.PRIME_CONTRACTS, Tool.COMMITMENTS,
    Tool.CHANGE_ORDERS, Tool.INVOICING, Tool.DIRECT_COSTS, Tool.REPORTS,
)
_ITEM_TOOLS = (Tool.DIRECTORY, *_PROJECT_TOOLS[:-1])

DEMO_PEOPLE: tuple[DemoUser, ...] = (
    DemoUser(
        "erpadmin", "Morgan", "Reyes", "ERP Administrator",
        "ERP admin: Admin on ERP Integrations and Directory, Can Push to Accounting",
        {**_levels(Level.READ_ONLY), Tool.ERP_INTEGRATIONS: Level.ADMIN,
         Tool.DIRECTORY: Level.ADMIN},
        (Privilege.CAN_PUSH_TO_ACCOUNTING,),
    ),
    DemoUser(
        "approver", "Priya", "Natarajan", "Accounting Manager",
        "Accounting Approver: Admin on ERP Integrations, Can Push to Accounting, ERP digest",
        {**_levels(Level.READ_ONLY, *_ITEM_TOOLS), Tool.ERP_INTEGRATIONS: Level.ADMIN},
        (Privilege.CAN_PUSH_TO_ACCOUNTING, Privilege.SUBSCRIBE_ERP_DIGEST),
    ),
    DemoUser(
        "pm", "Jake", "Sullivan", "Senior Project Manager",
        "Project manager: Admin on the project tools (sends items to the ERP), no ERP rights",
        {**_levels(Level.ADMIN, *_PROJECT_TOOLS), Tool.DIRECTORY: Level.STANDARD},
    ),
    DemoUser(
        "viewer", "Lena", "Park", "Estimator",
        "Viewer: Read Only on every tool, ERP Integrations included",
        _levels(Level.READ_ONLY),
    ),
    DemoUser(
        "nobody", "Sam", "Ortiz", "Field Engineer",
        "Member with no tool grants: sees no records",
        {},
    ),
    DemoUser(
        "admin", "Alex", "Kim", "System Administrator",
        "Superuser: Django admin and every tool",
        {}, superuser=True,
    ),
)
# fmt: on

#: (username, role) of every demo login; all use :data:`DEMO_PASSWORD`.
DEMO_USERS: tuple[tuple[str, str], ...] = tuple((u.username, u.role) for u in DEMO_PEOPLE)

# --- Directory -------------------------------------------------------------------------------

SUB, SUP, OWN, CON = "subcontractor", "supplier", "owner", "consultant"


class Vendor(NamedTuple):
    abbr: str
    name: str
    vendor_type: str
    domain: str  # email is office@<domain>.example, website https://www.<domain>.example
    license_number: str
    address: str
    city: str
    state_code: str
    zip: str
    phone: str


# fmt: off
VENDORS: tuple[Vendor, ...] = (
    Vendor("LHP", "Lakewood Health Partners, LLC", OWN, "lakewoodhealth", "",
           "7400 W Alameda Ave, Suite 300", "Lakewood", "CO", "80226", "(303) 555-0101"),
    Vendor("BCV", "Bear Creek Valley School District", OWN, "bcvschools", "",
           "9870 W Bowles Ave", "Littleton", "CO", "80123", "(303) 555-0102"),
    Vendor("PSP", "Platte Street Partners, LLC", OWN, "plattestreetpartners", "",
           "1600 Wynkoop St, Suite 500", "Denver", "CO", "80202", "(720) 555-0103"),
    Vendor("PGL", "Prairie Gateway Logistics, LLC", OWN, "prairiegateway", "",
           "4100 E 56th Ave", "Commerce City", "CO", "80022", "(303) 555-0104"),
    Vendor("FRE", "Front Range Excavating, Inc.", SUB, "frontrangeexcavating", "DEN-A-20417",
           "4850 Ward Rd", "Wheat Ridge", "CO", "80033", "(303) 555-0111"),
    Vendor("CCE", "Cherry Creek Earthworks LLC", SUB, "cherrycreekearth", "DEN-A-31266",
           "12450 E Arapahoe Rd", "Centennial", "CO", "80112", "(720) 555-0112"),
    Vendor("RMC", "Rocky Mountain Concrete Co.", SUB, "rmconcrete", "DEN-A-11893",
           "5301 Dahlia St", "Commerce City", "CO", "80022", "(303) 555-0113"),
    Vendor("MHS", "Mile High Steel Erectors, Inc.", SUB, "milehighsteel", "DEN-A-15520",
           "6890 Washington St", "Denver", "CO", "80229", "(303) 555-0114"),
    Vendor("FHM", "Foothills Masonry, Inc.", SUB, "foothillsmasonry", "DEN-B-40712",
           "1220 Ford St", "Golden", "CO", "80401", "(303) 555-0115"),
    Vendor("TLF", "Timberline Framing LLC", SUB, "timberlineframing", "DEN-B-52304",
           "310 E 57th St", "Loveland", "CO", "80538", "(970) 555-0116"),
    Vendor("DLW", "Dryline Waterproofing", SUB, "drylinewp", "DEN-C-60155",
           "2075 S Valentia St", "Denver", "CO", "80231", "(720) 555-0117"),
    Vendor("PKR", "Peak Roofing & Sheet Metal", SUB, "peakroofing", "DEN-C-23071",
           "8145 Sheridan Blvd", "Arvada", "CO", "80003", "(303) 555-0118"),
    Vendor("CVG", "Clearview Glass & Glazing", SUB, "clearviewglass", "DEN-C-28840",
           "3550 Odessa Way", "Aurora", "CO", "80011", "(303) 555-0119"),
    Vendor("ALP", "Alpine Interiors, Inc.", SUB, "alpineinteriors", "DEN-B-19377",
           "10601 W 48th Ave", "Wheat Ridge", "CO", "80033", "(303) 555-0120"),
    Vendor("PCP", "ProCoat Painting Co.", SUB, "procoatpainting", "DEN-C-33109",
           "1450 W 64th Ave", "Denver", "CO", "80221", "(303) 555-0121"),
    Vendor("CFC", "Colorado Floor Covering", SUB, "coloradofloor", "DEN-C-47720",
           "7700 E Iliff Ave", "Denver", "CO", "80231", "(303) 555-0122"),
    Vendor("CPL", "Continental Plumbing Co.", SUB, "continentalplumbing", "DEN-MP-1187",
           "4400 Garfield St", "Denver", "CO", "80216", "(303) 555-0123"),
    Vendor("APX", "Apex Mechanical Contractors", SUB, "apexmechanical", "DEN-MH-2291",
           "11100 E 53rd Ave", "Denver", "CO", "80239", "(303) 555-0124"),
    Vendor("BLE", "Bright Line Electric, Inc.", SUB, "brightlineelectric", "CO-EC-0084412",
           "2600 W 2nd Ave", "Denver", "CO", "80219", "(303) 555-0125"),
    Vendor("DDA", "Denver Demolition & Abatement", SUB, "denverdemo", "DEN-W-70218",
           "5000 Brighton Blvd", "Denver", "CO", "80216", "(303) 555-0126"),
    Vendor("ASP", "Aspen Cabinet & Millwork", SUB, "aspencabinet", "",
           "615 Weaver Park Rd", "Longmont", "CO", "80501", "(720) 555-0127"),
    Vendor("WDH", "Western Door & Hardware Supply", SUP, "westerndoor", "",
           "3200 Walnut St", "Denver", "CO", "80205", "(303) 555-0131"),
    Vendor("IMS", "Intermountain Specialties, Inc.", SUP, "imspecialties", "",
           "2150 S 3270 W", "Salt Lake City", "UT", "84119", "(801) 555-0132"),
    Vendor("MSL", "Mountain States Lumber Co.", SUP, "mtnstateslumber", "",
           "6000 E 58th Ave", "Commerce City", "CO", "80022", "(303) 555-0133"),
    Vendor("CRS", "Centennial Rebar Supply", SUP, "centennialrebar", "",
           "1901 E 20th St", "Cheyenne", "WY", "82001", "(307) 555-0134"),
    Vendor("RGT", "Range Geotechnical & Testing", CON, "rangegeotech", "",
           "15 Inverness Way E", "Englewood", "CO", "80112", "(303) 555-0141"),
)
# fmt: on

# --- Standard cost codes (CSI MasterFormat) and cost types -----------------------------------

COST_TYPES: tuple[tuple[str, str], ...] = (
    ("L", "Labor"),
    ("M", "Material"),
    ("E", "Equipment"),
    ("S", "Subcontract"),
    ("O", "Other"),
)

# full code, name, default cost types. A code without a dash is a division (the parent).
# fmt: off
STANDARD_COST_CODES: tuple[tuple[str, str, str], ...] = (
    ("01", "General Requirements", ""),
    ("01-310", "Project Management and Coordination", "LO"),
    ("01-500", "Temporary Facilities and Controls", "LMEO"),
    ("01-740", "Cleaning and Waste Management", "LO"),
    ("02", "Existing Conditions", ""),
    ("02-300", "Subsurface Investigation", "SO"),
    ("02-410", "Demolition", "LES"),
    ("03", "Concrete", ""),
    ("03-100", "Concrete Forming", "LMS"),
    ("03-200", "Concrete Reinforcing", "LMS"),
    ("03-300", "Cast-in-Place Concrete", "LMES"),
    ("03-400", "Precast Concrete", "MS"),
    ("04", "Masonry", ""),
    ("04-200", "Unit Masonry", "LMS"),
    ("04-400", "Stone Assemblies", "MS"),
    ("05", "Metals", ""),
    ("05-100", "Structural Metal Framing", "MS"),
    ("05-300", "Metal Decking", "MS"),
    ("05-500", "Metal Fabrications", "LMS"),
    ("06", "Wood, Plastics, and Composites", ""),
    ("06-100", "Rough Carpentry", "LMS"),
    ("06-200", "Finish Carpentry", "LMS"),
    ("06-400", "Architectural Woodwork", "MS"),
    ("07", "Thermal and Moisture Protection", ""),
    ("07-100", "Dampproofing and Waterproofing", "S"),
    ("07-200", "Thermal Protection", "MS"),
    ("07-500", "Membrane Roofing", "S"),
    ("07-900", "Joint Protection", "S"),
    ("08", "Openings", ""),
    ("08-100", "Doors and Frames", "MS"),
    ("08-400", "Entrances, Storefronts, and Curtain Walls", "S"),
    ("08-500", "Windows", "MS"),
    ("08-700", "Hardware", "MS"),
    ("09", "Finishes", ""),
    ("09-200", "Plaster and Gypsum Board", "S"),
    ("09-300", "Tiling", "S"),
    ("09-600", "Flooring", "S"),
    ("09-900", "Painting and Coating", "S"),
    ("10", "Specialties", ""),
    ("10-140", "Signage", "MS"),
    ("10-210", "Compartments and Cubicles", "MS"),
    ("10-440", "Fire Protection Specialties", "M"),
    ("22", "Plumbing", ""),
    ("22-100", "Plumbing Piping", "S"),
    ("22-400", "Plumbing Fixtures", "MS"),
    ("23", "Heating, Ventilating, and Air Conditioning (HVAC)", ""),
    ("23-090", "Instrumentation and Control for HVAC", "S"),
    ("23-300", "HVAC Air Distribution", "S"),
    ("23-700", "Central HVAC Equipment", "MS"),
    ("26", "Electrical", ""),
    ("26-050", "Common Work Results for Electrical", "LS"),
    ("26-200", "Low-Voltage Electrical Transmission", "S"),
    ("26-500", "Lighting", "MS"),
    ("31", "Earthwork", ""),
    ("31-100", "Site Clearing", "ES"),
    ("31-200", "Earth Moving", "LES"),
    ("31-600", "Special Foundations and Load-Bearing Elements", "S"),
    ("32", "Exterior Improvements", ""),
    ("32-100", "Bases, Ballasts, and Paving", "MS"),
    ("32-300", "Site Improvements", "LMS"),
    ("32-900", "Planting", "S"),
    ("33", "Utilities", ""),
    ("33-100", "Water Utilities", "S"),
    ("33-300", "Sanitary Sewerage Utilities", "S"),
    ("33-400", "Storm Drainage Utilities", "S"),
)
# fmt: on
CODE_NAMES = {full_code: name for full_code, name, _ in STANDARD_COST_CODES}

# --- Projects --------------------------------------------------------------------------------


class DemoProject(NamedTuple):
    number: str
    name: str
    stage: str
    address: str
    city: str
    zip: str
    start: str
    completion: str
    owner: str  # vendor abbr
    prime_title: str
    prime_status: str
    fee_percent: int  # the GC's fee on cost, built into the prime contract SOV
    retainage_percent: int


# fmt: off
PROJECTS: tuple[DemoProject, ...] = (
    DemoProject("2401", "Lakewood Medical Office Building", "course_of_construction",
                "7450 W Alameda Ave", "Lakewood", "80226", "2026-06-01", "2027-08-27",
                "LHP", "GMP Agreement (AIA A102)", "approved", 5, 10),
    DemoProject("2402", "Westview Elementary Classroom Addition", "course_of_construction",
                "3150 S Kipling Pkwy", "Littleton", "80123", "2026-06-08", "2027-07-30",
                "BCV", "Stipulated Sum Agreement (AIA A101)", "approved", 6, 5),
    DemoProject("2403", "Platte Street Lofts", "course_of_construction",
                "1901 Platte St", "Denver", "80202", "2026-08-03", "2028-03-31",
                "PSP", "GMP Agreement (AIA A102)", "approved", 4, 10),
    DemoProject("2404", "I-76 Commerce Center Warehouse", "pre_construction",
                "15501 E 104th Ave", "Commerce City", "80022", "2027-02-01", "2027-12-17",
                "PGL", "Design-Build Agreement (DBIA 535)", "out_for_signature", 4, 5),
)
# fmt: on
PROJECT_STATE = "CO"

SUB_JOBS: tuple[tuple[str, str, str], ...] = (
    ("2402", "01", "Classroom Wing"),
    ("2402", "02", "Gymnasium and Commons Renovation"),
    ("2403", "RET", "Ground-Floor Retail"),
    ("2403", "RES", "Residential Levels 2-5"),
    ("2403", "GAR", "Podium Parking Garage"),
)

# --- Commitments -----------------------------------------------------------------------------

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

# --- Billing ---------------------------------------------------------------------------------

#: The months of BILLING_YEAR each project has billed, with the share of the prime contract
#: billed that month (before the per-division pace below).
OWNER_BILLING: dict[str, tuple[tuple[int, int], ...]] = {
    "2401": ((8, 7), (9, 10), (10, 14)),
    "2402": ((8, 7), (9, 9), (10, 10)),
    "2403": ((9, 3), (10, 5)),
}


def billing_months(project: str) -> tuple[int, ...]:
    return tuple(month for month, _ in OWNER_BILLING.get(project, ()))


#: Early trades bill faster than the project as a whole; the rest bill at this default.
DIVISION_PACE = {"01": "1.0", "02": "4.0", "31": "3.0", "33": "2.0", "03": "2.2", "05": "1.2"}
DEFAULT_PACE = "0.4"


class DemoBilling(NamedTuple):
    project: str
    commitment: str
    percents: tuple[int, ...]  # % of each line billed in each billing month; 0: no invoice
    last_status: str  # of the latest requisition; earlier ones are approved


SUBCONTRACTOR_BILLING: tuple[DemoBilling, ...] = (
    DemoBilling("2401", "SC-001", (35, 30, 20), "approved"),
    DemoBilling("2401", "SC-002", (15, 30, 25), "under_review"),
    DemoBilling("2401", "SC-003", (0, 10, 35), "approved"),
    DemoBilling("2401", "SC-007", (0, 6, 10), "under_review"),
    DemoBilling("2401", "SC-008", (0, 0, 8), "approved"),
    DemoBilling("2401", "SC-009", (0, 6, 12), "under_review"),
    DemoBilling("2402", "SC-001", (60, 40, 0), "approved"),
    DemoBilling("2402", "SC-002", (40, 35, 15), "approved"),
    DemoBilling("2402", "SC-003", (10, 35, 30), "approved"),
    DemoBilling("2402", "SC-004", (0, 0, 15), "under_review"),
    DemoBilling("2403", "SC-001", (35, 30), "approved"),
    DemoBilling("2403", "SC-002", (0, 12), "under_review"),
)
#: Lines of one requisition do not all move alike: line i bills percent x LINE_PACE[i % 5].
LINE_PACE = ("1.2", "1.0", "0.7", "0.9", "1.1")

# --- Direct costs ----------------------------------------------------------------------------


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

# --- What starts linked to the demo ERP ------------------------------------------------------

#: When the demo ERP last synced the pre-linked records (fixed, so reseeding changes nothing).
ERP_SYNCED_AT = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)

#: The records that start synced with the demo ERP: kind -> portal key -> (ERP id, ERP code).
#: Keys: vendor abbreviation, project number, "<project>-<sub job code>", cost type code, full
#: cost code, project number (its prime contract). A sandbox ERP seeded from this table holds
#: the same ids, so these links resolve. Everything not listed here starts unsent.
_SYNCED_PROJECTS = ("2401", "2402", "2403")  # 2404 is new: not yet set up in the ERP

# fmt: off
DEMO_ERP_IDS: dict[str, dict[str, tuple[str, str]]] = {
    "company": {
        "FRE": ("V-1001", "FRONTEX"), "RMC": ("V-1002", "RMCONC"), "MHS": ("V-1003", "MHSTEEL"),
        "FHM": ("V-1004", "FOOTMAS"), "PKR": ("V-1005", "PEAKROOF"), "CVG": ("V-1006", "CLEARGL"),
        "ALP": ("V-1007", "ALPINT"), "PCP": ("V-1008", "PROCOAT"), "CPL": ("V-1009", "CONTPLB"),
        "APX": ("V-1010", "APEXMECH"), "BLE": ("V-1011", "BRIGHTEL"), "DDA": ("V-1012", "DENDEMO"),
        "WDH": ("V-1013", "WESTDOOR"), "IMS": ("V-1014", "INTSPEC"), "MSL": ("V-1015", "MTNLUMB"),
    },
    "project": {number: (f"J-{number}", number) for number in _SYNCED_PROJECTS},
    "sub_job": {f"{project}-{code}": (f"J-{project}-{code}", f"{project}-{code}")
                for project, code, _ in SUB_JOBS if project in _SYNCED_PROJECTS},
    "cost_type": {code: (f"CT-{code}", code) for code, _ in COST_TYPES},
    "standard_cost_code": {full: (f"CC-{full}", full) for full, _, _ in STANDARD_COST_CODES},
    "prime_contract": {number: (f"PC-{number}", f"{number}-01") for number in _SYNCED_PROJECTS},
}
# fmt: on

# --- Derived amounts -------------------------------------------------------------------------

#: The GC's own costs, as a share (%) of the project's commitments: (cost code, cost type, %).
GENERAL_CONDITIONS: tuple[tuple[str, str, str], ...] = (
    ("01-310", "L", "4.0"),
    ("01-310", "O", "0.5"),
    ("01-500", "E", "1.0"),
    ("01-500", "M", "0.6"),
    ("01-740", "O", "0.5"),
    ("06-100", "L", "0.6"),
)
#: Buyout came in under budget: each budget line is its committed and spent cost plus this.
BUDGET_MARGIN = Decimal("1.04")


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


def _round_up(amount: Decimal, step: int) -> Decimal:
    return (amount / step).to_integral_value(rounding=ROUND_CEILING) * step


@cache
def budget_amounts(project: str) -> dict[tuple[str, str], Decimal]:
    """Budget per (cost code, cost type): commitments, general conditions and direct costs."""
    cost: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for commitment in COMMITMENTS:
        if commitment.project == project:
            for line in commitment_sov(commitment):
                cost[line.full_code, line.cost_type] += line.amount
    committed = sum(cost.values(), Decimal(0))
    for code, ctype, percent in GENERAL_CONDITIONS:
        cost[code, ctype] += committed * Decimal(percent) / 100
    for direct in DIRECT_COSTS:
        if direct.project == project:
            for code, ctype, amount, _ in direct.lines:
                cost[code, ctype] += Decimal(amount)
    return {key: _round_up(cost[key] * BUDGET_MARGIN, 500) for key in sorted(cost)}


def project_by_number(number: str) -> DemoProject:
    return next(p for p in PROJECTS if p.number == number)


@cache
def prime_sov(project: str) -> dict[str, Decimal]:
    """The owner's SOV: one line per cost code, the budget plus the GC's fee, to the $100."""
    markup = 1 + Decimal(project_by_number(project).fee_percent) / 100
    by_code: defaultdict[str, Decimal] = defaultdict(Decimal)
    for (code, _), amount in budget_amounts(project).items():
        by_code[code] += amount
    return {
        code: (amount * markup / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 100
        for code, amount in by_code.items()
    }


def main_cost_type(project: str, full_code: str) -> str:
    """The cost type carrying most of a code's budget (the one its prime contract line uses)."""
    amounts = {t: a for (c, t), a in budget_amounts(project).items() if c == full_code}
    return max(amounts, key=lambda t: amounts[t])


def commitment_retainage(commitment: DemoCommitment) -> Decimal:
    """Subcontracts hold 10% retainage; purchase orders none."""
    return Decimal(0) if commitment.number.startswith("PO-") else Decimal(10)


def commitment_by_key(project: str, number: str) -> DemoCommitment:
    return next(c for c in COMMITMENTS if (c.project, c.number) == (project, number))


def progress(total: Decimal, percent: Decimal, billed_before: Decimal) -> Decimal:
    """This period's billing: ``percent`` of ``total``, never more than what remains."""
    amount = (total * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return max(Decimal(0), min(amount, total - billed_before))


def retainage(amount: Decimal, percent: Decimal) -> Decimal:
    return (amount * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


class Billing(NamedTuple):
    """One month's invoice: work completed this period on each SOV line, in SOV order."""

    month: int
    status: str
    work: tuple[Decimal, ...]


def _bill_months(
    sov: list[Decimal], months: list[tuple[int, Decimal]], paces: list[Decimal]
) -> list[tuple[int, tuple[Decimal, ...]]]:
    """Each month bills percent x pace of every line, until the line is fully billed."""
    billed = [Decimal(0)] * len(sov)
    result = []
    for month, percent in months:
        work = tuple(
            progress(amount, percent * pace, before)
            for amount, pace, before in zip(sov, paces, billed, strict=True)
        )
        billed = [before + this for before, this in zip(billed, work, strict=True)]
        result.append((month, work))
    return result


def requisitions(billing: DemoBilling) -> list[Billing]:
    """A subcontractor's monthly requisitions on its commitment (months with 0% skipped)."""
    sov = [
        line.amount
        for line in commitment_sov(commitment_by_key(billing.project, billing.commitment))
    ]
    paces = [Decimal(LINE_PACE[i % len(LINE_PACE)]) for i in range(len(sov))]
    months = [
        (month, Decimal(percent))
        for month, percent in zip(billing_months(billing.project), billing.percents, strict=True)
        if percent
    ]
    billed = _bill_months(sov, months, paces)
    return [
        Billing(month, billing.last_status if i == len(billed) - 1 else "approved", work)
        for i, (month, work) in enumerate(billed)
    ]


def pay_applications(project: str) -> list[Billing]:
    """The owner pay applications billed so far on the project; the latest is under review."""
    sov = prime_sov(project)
    paces = [Decimal(DIVISION_PACE.get(code[:2], DEFAULT_PACE)) for code in sov]
    months = [(month, Decimal(percent)) for month, percent in OWNER_BILLING.get(project, ())]
    billed = _bill_months(list(sov.values()), months, paces)
    return [
        Billing(month, "under_review" if i == len(billed) - 1 else "approved", work)
        for i, (month, work) in enumerate(billed)
    ]
