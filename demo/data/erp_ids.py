"""What starts linked to the demo ERP, and under which ids."""

from __future__ import annotations

import datetime as dt

from demo.data.cost_codes import COST_TYPES, STANDARD_COST_CODES
from demo.data.projects import SUB_JOBS

#: When the demo ERP last synced the pre-linked records (fixed, so reseeding changes nothing).
ERP_SYNCED_AT = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)

#: The records that start synced with the demo ERP: kind -> portal key -> (ERP id, ERP code).
#: Keys: vendor abbreviation, project number, "<project>-<sub job code>", cost type code, full
#: cost code, project number (its prime contract); for what the portal exported,
#: "<project>-<commitment number>", "<project>-<commitment number>-<billing month>" (a
#: requisition) and "<project>-<billing month>" (a pay application). A sandbox ERP seeded from
#: this table holds the same ids, so these links resolve. Everything not listed here starts
#: unsent.
_SYNCED_PROJECTS = ("2401", "2402", "2403")  # 2404 is new: not yet set up in the ERP

#: The kinds the portal exports (the ERP numbered them; ERP id and code are that number), as
#: opposed to the records the ERP had first. Those listed below went through the export
#: pipeline before the demo begins: Platte Street Lofts' (2403) excavation subcontract, its two
#: approved requisitions (September and October) and the approved pay application (September);
#: the ERP has paid those invoices since (:func:`demo.data.erp_side.payment_rows`).
EXPORTED_KINDS = ("commitment", "subcontractor_invoice", "owner_invoice")


def _exported(number: str) -> tuple[str, str]:
    return number, number


# fmt: off
DEMO_ERP_IDS: dict[str, dict[str, tuple[str, str]]] = {
    "company": {
        "FRE": ("V-1001", "FRONTEX"), "RMC": ("V-1002", "RMCONC"), "MHS": ("V-1003", "MHSTEEL"),
        "FHM": ("V-1004", "FOOTMAS"), "PKR": ("V-1005", "PEAKROOF"), "CVG": ("V-1006", "CLEARGL"),
        "ALP": ("V-1007", "ALPINT"), "PCP": ("V-1008", "PROCOAT"), "CPL": ("V-1009", "CONTPLB"),
        "APX": ("V-1010", "APEXMECH"), "BLE": ("V-1011", "BRIGHTEL"), "DDA": ("V-1012", "DENDEMO"),
        "WDH": ("V-1013", "WESTDOOR"), "IMS": ("V-1014", "INTSPEC"), "MSL": ("V-1015", "MTNLUMB"),
        "CCE": ("V-1016", "CHCREEK"),  # the vendor of the exported 2403 SC-001
    },
    "project": {number: (f"J-{number}", number) for number in _SYNCED_PROJECTS},
    "sub_job": {f"{project}-{code}": (f"J-{project}-{code}", f"{project}-{code}")
                for project, code, _ in SUB_JOBS if project in _SYNCED_PROJECTS},
    "cost_type": {code: (f"CT-{code}", code) for code, _ in COST_TYPES},
    "standard_cost_code": {full: (f"CC-{full}", full) for full, _, _ in STANDARD_COST_CODES},
    "prime_contract": {number: (f"PC-{number}", f"{number}-01") for number in _SYNCED_PROJECTS},
    "commitment": {"2403-SC-001": _exported("PO-2403-SC001")},
    "subcontractor_invoice": {f"2403-SC-001-{month}": _exported(f"INV-2403-SC001-{month:02d}")
                              for month in (9, 10)},
    "owner_invoice": {"2403-9": _exported("INV-2403-PA01")},
}
# fmt: on
