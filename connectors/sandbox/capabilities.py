"""What the sandbox ERP accepts, the rules a record must meet to be sent to it, and what it
sends to the portal (every kind of :class:`connectors.imports.FetchKind`).

The limits follow common construction ERPs (job and contract numbers of 10 characters, titles
of 30), so the demo shows the same validation a real ERP would need.
"""

from __future__ import annotations

from connectors.base import AcceptField, Capabilities, Check, Entity, Feature, ObjectType, Rule
from connectors.imports import FetchKind

APPROVED = ("approved",)


def _synced(field: str, what: str) -> Rule:
    return Rule(field, Check.PRESENT, f"{what} must be synced with the ERP first.")


def _lines(what: str, *, positive: bool = True) -> tuple[Rule, ...]:
    rules = [
        Rule("lines", Check.NOT_EMPTY, f"Add at least one line to the {what}."),
        Rule(
            "lines.cost_code_ref",
            Check.PRESENT,
            "Line {line}: its cost code is not on the ERP's cost code list.",
        ),
    ]
    if positive:
        rules.append(
            Rule("lines.amount", Check.POSITIVE, "Line {line}: the amount must be more than zero.")
        )
    return tuple(rules)


def _approved(what: str) -> Rule:
    return Rule("status", Check.ONE_OF, f"Only an approved {what} can be sent.", APPROVED)


CAPABILITIES = Capabilities(
    entities={
        ObjectType.COMPANY: Entity(
            export_create=True,
            unlink=True,
            rules=(
                Rule(
                    "name",
                    Check.MAX_LENGTH,
                    "The name is longer than the ERP's {limit} characters.",
                    60,
                ),
                Rule("address.street", Check.PRESENT, "The address is required by the ERP."),
            ),
            accept_fields=(
                AcceptField(
                    "erp_vendor_id",
                    "ERP vendor id",
                    max_length=10,
                    help_text="Leave empty to let the ERP number it.",
                ),
            ),
        ),
        ObjectType.PROJECT: Entity(
            export_create=True,
            rules=(
                Rule(
                    "number",
                    Check.MAX_LENGTH,
                    "The project number is longer than the ERP's {limit} characters.",
                    10,
                ),
                Rule(
                    "name",
                    Check.MAX_LENGTH,
                    "The name is longer than the ERP's {limit} characters.",
                    60,
                ),
                Rule(
                    "cost_code_list_is_erp",
                    Check.ONE_OF,
                    "The project must use the ERP standard cost code list.",
                    (True,),
                ),
            ),
            accept_fields=(
                AcceptField(
                    "erp_job_number",
                    "ERP job number",
                    max_length=10,
                    help_text="Leave empty to use the project number.",
                ),
            ),
        ),
        ObjectType.SUB_JOB: Entity(
            export_create=True,
            rules=(
                _synced("project_ref", "The project"),
                Rule(
                    "code",
                    Check.MAX_LENGTH,
                    "The sub job code is longer than the ERP's {limit} characters.",
                    30,
                ),
            ),
        ),
        ObjectType.COST_CODE: Entity(
            export_create=True,
            rules=(
                Rule(
                    "full_code",
                    Check.MAX_LENGTH,
                    "The code is longer than the ERP's {limit} characters.",
                    20,
                ),
            ),
        ),
        ObjectType.BUDGET: Entity(
            export_create=True,
            export_update=True,
            rules=(_synced("project_ref", "The project"), *_lines("budget", positive=False)),
        ),
        ObjectType.COMMITMENT: Entity(
            export_create=True,
            unlink=True,
            direct_export=True,
            batch_size=50,
            rules=(
                _approved("commitment"),
                _synced("project_ref", "The project"),
                _synced("vendor_ref", "The vendor"),
                Rule(
                    "number",
                    Check.MAX_LENGTH,
                    "The contract number is longer than the ERP's {limit} characters.",
                    10,
                ),
                Rule(
                    "erp_number",
                    Check.MAX_LENGTH,
                    "The ERP's contract numbers are at most {limit} characters.",
                    10,
                ),
                Rule(
                    "title",
                    Check.MAX_LENGTH,
                    "The title is longer than the ERP's {limit} characters.",
                    30,
                ),
                *_lines("commitment"),
            ),
        ),
        ObjectType.COMMITMENT_CHANGE_ORDER: Entity(
            export_create=True,
            unlink=True,
            direct_export=True,
            rules=(
                _approved("change order"),
                _synced("contract_ref", "The commitment"),
                Rule(
                    "number",
                    Check.MAX_LENGTH,
                    "The change order number is longer than the ERP's {limit} characters.",
                    10,
                ),
                *_lines("change order", positive=False),
            ),
        ),
        ObjectType.PRIME_CHANGE_ORDER: Entity(
            export_create=True,
            unlink=True,
            rules=(
                _approved("change order"),
                Rule("date", Check.PRESENT, "The change order date is required."),
                _synced("contract_ref", "The prime contract"),
                *_lines("change order", positive=False),
            ),
        ),
        ObjectType.SUBCONTRACTOR_INVOICE: Entity(
            export_create=True,
            unlink=True,
            direct_export=True,
            batch_size=100,
            rules=(
                _approved("invoice"),
                _synced("contract_ref", "The commitment"),
                _synced("party_ref", "The vendor"),
                Rule("lines", Check.NOT_EMPTY, "Add at least one line to the invoice."),
            ),
        ),
        ObjectType.OWNER_INVOICE: Entity(
            export_create=True,
            unlink=True,
            direct_export=True,
            batch_size=100,
            rules=(
                _approved("invoice"),
                _synced("contract_ref", "The prime contract"),
                Rule("lines", Check.NOT_EMPTY, "Add at least one line to the invoice."),
            ),
        ),
    },
    features=frozenset(
        {Feature.RESET_PCCOS, Feature.DIRECT_EXPORT, Feature.SUB_JOBS, Feature.MULTI_COMPANY_LINK}
    ),
    fetches=frozenset(FetchKind),  # every kind the portal takes from an ERP
)
