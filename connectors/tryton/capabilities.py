"""What the Tryton connector exports and fetches, and what a record must meet to be sent.

Declared *unsupported* (not in the entities, so the portal hides them): budgets (Tryton's
analytic budgets are not part of the modules this connector needs), commitment change orders (a
confirmed purchase cannot be amended without the ``purchase_amendment`` module), prime contract
change orders (Tryton has no prime contracts), and the "reset PCCOs" and multi-company link
features.

Fetched (see :mod:`connectors.tryton.imports`): vendors (parties), jobs, sub jobs and standard
cost codes (analytic accounts), job cost transactions (posted analytic lines, per job) and
payments (invoices' payment lines). Not fetched: cost types (Tryton has no such notion), prime
contracts (none in Tryton) and budgets (no ``analytic_budget``).
"""

from __future__ import annotations

from connectors.base import AcceptField, Capabilities, Check, Entity, Feature, ObjectType, Rule
from connectors.imports import FetchKind

APPROVED = ("approved",)
INVOICE_BATCH = 100  # posting costs about 0.8 s per invoice alone, about 0.13 s in batches of 100
COMMITMENT_BATCH = 50


def _synced(field: str, what: str) -> Rule:
    return Rule(field, Check.PRESENT, f"{what} must be synced with Tryton first.")


def _present(field: str, what: str) -> Rule:
    return Rule(field, Check.PRESENT, f"{what} is required by Tryton.")


def _approved(what: str) -> Rule:
    return Rule("status", Check.ONE_OF, f"Only an approved {what} can be sent.", APPROVED)


def _lines(what: str) -> tuple[Rule, ...]:
    return (
        Rule("lines", Check.NOT_EMPTY, f"Add at least one line to the {what}."),
        Rule(
            "lines.cost_code_ref",
            Check.PRESENT,
            "Line {line}: its cost code is not synced with Tryton's Cost Codes.",
        ),
    )


CAPABILITIES = Capabilities(
    entities={
        ObjectType.COMPANY: Entity(
            export_create=True,
            unlink=True,
            rules=(_present("name", "The name"),),
            accept_fields=(
                AcceptField(
                    "erp_vendor_id",
                    "Tryton party code",
                    max_length=60,
                    help_text=(
                        "Type the code of a party Tryton already has to link it; leave empty to "
                        "create a party."
                    ),
                ),
            ),
        ),
        ObjectType.PROJECT: Entity(
            export_create=True,
            unlink=True,
            rules=(
                _present("number", "The project number"),
                _present("name", "The project name"),
            ),
            accept_fields=(
                AcceptField(
                    "erp_job_number",
                    "Tryton job code",
                    max_length=60,
                    help_text=(
                        "The code of the job's analytic account under Jobs; leave empty to use "
                        "the project number. An existing job with that code is linked."
                    ),
                ),
            ),
        ),
        ObjectType.SUB_JOB: Entity(
            export_create=True,
            unlink=True,
            rules=(_synced("project_ref", "The project"), _present("code", "The sub job code")),
        ),
        ObjectType.COST_CODE: Entity(
            export_create=True,
            unlink=True,
            rules=(_present("full_code", "The cost code"),),
        ),
        ObjectType.COMMITMENT: Entity(
            # No unlink: Tryton processes a purchase as it is confirmed (without a queue worker),
            # and a processing purchase can be neither reset to draft, cancelled nor deleted
            # ("To delete purchase ... you must cancel it"), so it never leaves the ERP.
            export_create=True,
            direct_export=True,
            batch_size=COMMITMENT_BATCH,
            rules=(
                _approved("commitment"),
                _synced("project_ref", "The project"),
                _synced("vendor_ref", "The vendor"),
                _present("number", "The contract number"),
                *_lines("commitment"),
                Rule(
                    "lines.amount",
                    Check.POSITIVE,
                    "Line {line}: the amount must be more than zero (Tryton would take it for "
                    "a return).",
                ),
            ),
        ),
        ObjectType.SUBCONTRACTOR_INVOICE: Entity(
            export_create=True,
            unlink=True,
            direct_export=True,
            batch_size=INVOICE_BATCH,
            rules=(
                _approved("invoice"),
                _synced("contract_ref", "The commitment"),
                _synced("party_ref", "The vendor"),
                _synced("project_ref", "The project"),
                _present("number", "The invoice number"),
                *_lines("invoice"),
            ),
        ),
        ObjectType.OWNER_INVOICE: Entity(
            export_create=True,
            unlink=True,
            direct_export=True,
            batch_size=INVOICE_BATCH,
            rules=(
                _approved("invoice"),
                _synced("party_ref", "The owner"),
                _synced("project_ref", "The project"),
                *_lines("invoice"),
            ),
        ),
    },
    features=frozenset({Feature.DIRECT_EXPORT, Feature.SUB_JOBS}),
    fetches=frozenset(
        {
            FetchKind.VENDORS,
            FetchKind.JOBS,
            FetchKind.SUB_JOBS,
            FetchKind.STANDARD_COST_CODES,
            FetchKind.JOB_COST_TRANSACTIONS,
            FetchKind.PAYMENTS,
        }
    ),
)
