"""The ledger: entries, the creditor's book rules, corrections, suspense and remittance."""

from ledger.models.corrections import (
    PaymentReversal,
    ReversalReason,
    ReversalSource,
    SuspenseItem,
    SuspenseMovement,
    SuspenseReason,
    SuspenseStatus,
    WriteOff,
    WriteOffReason,
)
from ledger.models.entries import COLLECTED_KINDS, EntryKind, LedgerEntry
from ledger.models.remittance import (
    CommissionBasis,
    CommissionRate,
    Remittance,
    RemittanceLine,
    RemittanceStatus,
)
from ledger.models.rules import (
    RATE,
    AccrualRule,
    ApplicationOrder,
    CreditType,
    DayCount,
    FeeRule,
    LedgerSettings,
    RateBasis,
    UsuryRate,
    order_components,
)

__all__ = [
    "COLLECTED_KINDS",
    "RATE",
    "AccrualRule",
    "ApplicationOrder",
    "CommissionBasis",
    "CommissionRate",
    "CreditType",
    "DayCount",
    "EntryKind",
    "FeeRule",
    "LedgerEntry",
    "LedgerSettings",
    "PaymentReversal",
    "RateBasis",
    "Remittance",
    "RemittanceLine",
    "RemittanceStatus",
    "ReversalReason",
    "ReversalSource",
    "SuspenseItem",
    "SuspenseMovement",
    "SuspenseReason",
    "SuspenseStatus",
    "UsuryRate",
    "WriteOff",
    "WriteOffReason",
    "order_components",
]
