"""What the approver types when accepting an item: the values the connector asks for, and the
ERP's own number when the account numbers contracts or change orders the ERP's way.

:func:`accept_fields` is the one answer: the accept dialog draws it, the accept service checks
what was typed against it. A typed ``erp_number`` is set on the payload on export
(:func:`approvals.pipeline.payload_for`), and the connector files the record under it.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.base import AcceptField, ObjectType
from erp.connections import connector_class_for
from tenancy.models import Account

T = ObjectType
SEE_SETTINGS = (
    "This account uses the ERP's {what} numbers (see Settings): type the number the ERP files "
    "it under."
)

CONTRACT_NUMBER = AcceptField(
    "erp_number",
    "ERP contract number",
    required=True,
    max_length=30,
    help_text=SEE_SETTINGS.format(what="contract"),
)
CHANGE_ORDER_NUMBER = AcceptField(
    "erp_number",
    "ERP change order number",
    required=True,
    max_length=30,
    help_text=SEE_SETTINGS.format(what="change order"),
)


@dataclass(frozen=True)
class Numbering:
    """An account setting that, when off, has the approver type the ERP's number."""

    setting: str  # the Account field: True uses the portal's numbers
    field: AcceptField


# Per object type. Prime contracts come from the ERP (imported, never exported), so only
# commitments are accepted under an ERP contract number.
NUMBERING: dict[str, Numbering] = {
    T.COMMITMENT: Numbering("use_portal_contract_numbers", CONTRACT_NUMBER),
    T.COMMITMENT_CHANGE_ORDER: Numbering("use_portal_change_order_numbers", CHANGE_ORDER_NUMBER),
    T.PRIME_CHANGE_ORDER: Numbering("use_portal_change_order_numbers", CHANGE_ORDER_NUMBER),
}


def numbering_fields(account: Account, item_type: str) -> tuple[AcceptField, ...]:
    """The ERP number the account has the approver type for ``item_type``, if any."""
    numbering = NUMBERING.get(item_type)
    if numbering is None or getattr(account, numbering.setting):
        return ()
    return (numbering.field,)


def accept_fields(account: Account, item_type: str) -> tuple[AcceptField, ...]:
    """Every value the approver types when accepting an item of ``item_type`` (an ERP object
    type) for ``account``: the connector's, then the account's numbering (which replaces a
    connector field of the same name)."""
    own = numbering_fields(account, item_type)
    taken = {f.name for f in own}
    entity = connector_class_for(account).capabilities.entity(item_type)
    return (*(f for f in entity.accept_fields if f.name not in taken), *own)
