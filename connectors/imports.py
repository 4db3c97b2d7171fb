"""What a connector's ``fetch`` sends to the portal: the kinds of ERP records and their fields.

Every record is a JSON-able mapping. Common fields:

- ``origin_id`` (str, required): the ERP's own stable id of the record;
- ``origin_code`` (str): the number people see in the ERP (vendor id, job number, ...);
- ``changed_at`` (ISO 8601 str, optional): when the ERP last changed it; the portal keeps the
  newest version of a record and ignores an older one that arrives late.

References to other ERP records are their ``origin_id`` (``job``, ``vendor``, ``cost_code``,
``cost_type``, ``invoice``); dates are ISO ``YYYY-MM-DD`` strings, amounts decimal strings
(``"1250.00"``). A field the ERP does not know is left out or ``None``.

Per kind (``FetchKind``), beyond the common fields:

``vendors``
    ``name``, ``tax_id``, ``email``, ``phone``, ``street``, ``city``, ``state_code``, ``zip``,
    ``country_code``, ``is_active`` (bool).
``jobs``
    ``name``, ``address``, ``city``, ``state_code``, ``zip``, ``country_code``,
    ``start_date``, ``completion_date``, ``estimated_value``, ``is_active``.
``sub_jobs``
    ``job``, ``code``, ``name``.
``prime_contracts``
    ``job``, ``number``, ``title``, ``owner`` (a vendor's id or None), ``status``
    (``draft``/``approved``/...), ``lines``: a list of ``{"origin_id", "position",
    "cost_code", "cost_type", "description", "amount"}``.
``budgets``
    ``job``, ``name``, ``lines``: a list of ``{"origin_id", "cost_code", "cost_type",
    "description", "amount"}``.
``cost_types``
    ``code``, ``name``, ``is_active``.
``standard_cost_codes``
    ``code``, ``full_code``, ``name``, ``parent`` (the parent code's id, or None for a
    division), ``is_active`` (False: deactivated in the ERP).
``job_cost_transactions`` (per job: ``fetch(kind, cursor, job=...)``)
    ``job``, ``sub_job``, ``cost_code``, ``cost_type``, ``vendor``, ``amount``,
    ``reference_date`` (the source document's date), ``post_date`` (when it was posted),
    ``source_type`` (a ``SourceType``), ``source_document`` (its number), ``description``.
``payments``
    ``invoice_type`` (``subcontractor_invoice`` or ``owner_invoice``), ``invoice`` (the ERP
    id the invoice got when it was exported), ``amount`` (positive), ``paid_on``, ``method``
    (``check``, ``ach``, ``wire``, ``card``, ...), ``check_number``, ``status``
    (``partial``, ``paid`` or ``void``: a voided payment is sent again with ``void``),
    ``changed_at`` (required for payments: the order of their versions).
"""

from __future__ import annotations

from enum import StrEnum


class FetchKind(StrEnum):
    VENDORS = "vendors"
    JOBS = "jobs"
    SUB_JOBS = "sub_jobs"
    PRIME_CONTRACTS = "prime_contracts"
    BUDGETS = "budgets"
    COST_TYPES = "cost_types"
    STANDARD_COST_CODES = "standard_cost_codes"
    JOB_COST_TRANSACTIONS = "job_cost_transactions"
    PAYMENTS = "payments"


# Fetched one job at a time (``fetch(kind, cursor, job=<the job's origin_id>)``).
PER_JOB = frozenset({FetchKind.JOB_COST_TRANSACTIONS})


class SourceType(StrEnum):
    """Where a job cost transaction comes from in the ERP."""

    AP_INVOICE = "ap_invoice"
    SUBCONTRACTOR_INVOICE = "subcontractor_invoice"
    PAYROLL = "payroll"
    EQUIPMENT = "equipment"
    EXPENSE = "expense"
    GENERAL_LEDGER = "general_ledger"


class PaymentStatus(StrEnum):
    PARTIAL = "partial"
    PAID = "paid"
    VOID = "void"
