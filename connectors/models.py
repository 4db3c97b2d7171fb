"""Models of the built-in connectors that keep tables (the sandbox ERP's ledger)."""

from connectors.sandbox.models import (
    Budget,
    ChangeOrder,
    Commitment,
    CostCode,
    CostType,
    Invoice,
    Job,
    JobCostTransaction,
    LedgerCounter,
    Payment,
    PrimeContract,
    SubJob,
    Vendor,
)

__all__ = [
    "Budget",
    "ChangeOrder",
    "Commitment",
    "CostCode",
    "CostType",
    "Invoice",
    "Job",
    "JobCostTransaction",
    "LedgerCounter",
    "Payment",
    "PrimeContract",
    "SubJob",
    "Vendor",
]
