from legal.models.case import (
    CASE_TRANSITIONS,
    OPEN_CASE_STATES,
    STEP_ORDER,
    CaseOutcome,
    CaseState,
    LawFirm,
    LegalCase,
    LegalCaseChange,
    LegalSettings,
    PrescriptionBasis,
)

__all__ = [
    "CASE_TRANSITIONS",
    "OPEN_CASE_STATES",
    "STEP_ORDER",
    "CaseOutcome",
    "CaseState",
    "LawFirm",
    "LegalCase",
    "LegalCaseChange",
    "LegalSettings",
    "PrescriptionBasis",
]
from legal.models.costs import (
    FEE_KINDS,
    ChargeableReason,
    CostKind,
    CostStatus,
    LegalCost,
)
from legal.models.documents import LegalDocument

__all__ += ["LegalDocument"]

__all__ += ["FEE_KINDS", "ChargeableReason", "CostKind", "CostStatus", "LegalCost"]
