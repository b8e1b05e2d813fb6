"""The books: parties, debts and their stage machine, payments, and the case records."""

from portfolio.models.case import Hold, StageChange, Task
from portfolio.models.debts import Debt
from portfolio.models.parties import (
    CLOSED_STAGES,
    MONEY,
    OPEN_STAGES,
    Channel,
    ConsentEvent,
    ConsentSource,
    ContactPoint,
    Country,
    Creditor,
    Debtor,
    DebtorDataAccess,
    DocumentType,
    Language,
    Portfolio,
    Product,
    Stage,
)
from portfolio.models.payments import Payment, PaymentReference

__all__ = [
    "CLOSED_STAGES",
    "MONEY",
    "OPEN_STAGES",
    "Channel",
    "ConsentEvent",
    "ConsentSource",
    "ContactPoint",
    "Country",
    "Creditor",
    "Debt",
    "Debtor",
    "DebtorDataAccess",
    "DocumentType",
    "Hold",
    "Language",
    "Payment",
    "PaymentReference",
    "Portfolio",
    "Product",
    "Stage",
    "StageChange",
    "Task",
]
