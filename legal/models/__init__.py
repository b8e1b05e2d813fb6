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
from legal.models.costs import FEE_KINDS, ChargeableReason, CostKind, CostStatus, LegalCost
from legal.models.documents import LegalDocument
from legal.models.measures import CourtDeposit, PrecautionaryMeasure
from legal.models.prescription import PrescriptionAlert, PrescriptionInterruption

__all__ = [
    "CASE_TRANSITIONS",
    "FEE_KINDS",
    "OPEN_CASE_STATES",
    "STEP_ORDER",
    "CaseOutcome",
    "CaseState",
    "ChargeableReason",
    "CostKind",
    "CostStatus",
    "CourtDeposit",
    "LawFirm",
    "LegalCase",
    "LegalCaseChange",
    "LegalCost",
    "LegalDocument",
    "LegalSettings",
    "PrecautionaryMeasure",
    "PrescriptionAlert",
    "PrescriptionBasis",
    "PrescriptionInterruption",
]
