"""The demo's billing records, written by :class:`demo.records.RecordSeeder` once the contracts
are there: subcontractor requisitions on the commitments and owner pay applications on the
prime contracts, month by month (:mod:`demo.data.billing`), each line against its contract's
schedule-of-values line. The few the portal exported before the demo begins start synced.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from demo.data.billing import SUBCONTRACTOR_BILLING, pay_applications, requisitions, retainage
from demo.data.contracts import commitment_by_key, commitment_retainage
from demo.data.projects import PROJECTS
from demo.rows import add_lines, billing_period
from integrations import models as m

if TYPE_CHECKING:
    from demo.records import RecordSeeder

__all__ = ["seed_owner_invoices", "seed_subcontractor_invoices"]


def seed_subcontractor_invoices(seeder: RecordSeeder) -> None:
    lines = []
    for billing in SUBCONTRACTOR_BILLING:
        spec = commitment_by_key(billing.project, billing.commitment)
        commitment = seeder.commitments[billing.project, billing.commitment]
        for requisition in requisitions(billing):
            period = billing_period(requisition.month)
            key = f"{billing.project}-{billing.commitment}-{requisition.month}"
            invoice = seeder.get(
                m.SubcontractorInvoice,
                commitment=commitment,
                number=f"{spec.vendor}{billing.project}-{requisition.month:02d}",
                defaults={
                    **period,
                    "status": requisition.status,
                    **seeder.exported("subcontractor_invoice", key, period["billing_date"]),
                },
            )
            for position, work in enumerate(requisition.work, 1):
                source = seeder.commitment_lines[commitment.pk, position]
                lines.append(
                    m.SubcontractorInvoiceLineItem(
                        invoice=invoice,
                        position=position,
                        description=source.description,
                        commitment_line=source,
                        work_completed=work,
                        work_retainage=retainage(work, commitment_retainage(spec)),
                    )
                )
    add_lines(m.SubcontractorInvoiceLineItem, "invoice", lines)


def seed_owner_invoices(seeder: RecordSeeder) -> None:
    lines = []
    for p in PROJECTS:
        contract = seeder.prime_contracts[p.number]
        for number, application in enumerate(pay_applications(p.number), 1):
            period = billing_period(application.month)
            key = f"{p.number}-{application.month}"
            invoice = seeder.get(
                m.OwnerInvoice,
                prime_contract=contract,
                application_number=number,
                defaults={
                    **period,
                    "status": application.status,
                    **seeder.exported("owner_invoice", key, period["billing_date"]),
                },
            )
            for position, work in enumerate(application.work, 1):
                source = seeder.prime_lines[contract.pk, position]
                lines.append(
                    m.OwnerInvoiceLineItem(
                        invoice=invoice,
                        position=position,
                        description=source.description,
                        prime_line=source,
                        work_completed=work,
                        work_retainage=retainage(work, Decimal(p.retainage_percent)),
                    )
                )
    add_lines(m.OwnerInvoiceLineItem, "invoice", lines)
