"""Agreements: payment agreements, their schedule, forgiveness, promises, negotiation limits."""

from agreements.models.agreement import (
    OPEN_STATUSES,
    AgreementChange,
    AgreementDebt,
    AgreementStatus,
    Forgiveness,
    Instalment,
    NegotiationChannel,
    PaymentAgreement,
)
from agreements.models.policy import NegotiationPolicy
from agreements.models.promise import PromiseToPay

__all__ = [
    "OPEN_STATUSES",
    "AgreementChange",
    "AgreementDebt",
    "AgreementStatus",
    "Forgiveness",
    "Instalment",
    "NegotiationChannel",
    "NegotiationPolicy",
    "PaymentAgreement",
    "PromiseToPay",
]
