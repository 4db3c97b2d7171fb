"""The demo account's four projects, their sub jobs, and the template projects added from ERP
jobs start from."""

from __future__ import annotations

from typing import NamedTuple


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


def project_by_number(number: str) -> DemoProject:
    return next(p for p in PROJECTS if p.number == number)


class DemoTemplate(NamedTuple):
    name: str
    stage: str
    sync_job_costs: bool
    add_all_cost_codes: bool


# The template for imported jobs: a job added from the ERP is under way, syncs its job costs and
# can be costed against any code of the ERP's list from the start.
IMPORT_TEMPLATE = DemoTemplate(
    "Standard job", "course_of_construction", sync_job_costs=True, add_all_cost_codes=True
)
