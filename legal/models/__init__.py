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
from legal.models.documents import LegalDocument
from legal.models.prescription import PrescriptionAlert, PrescriptionInterruption

__all__ += ["LegalDocument", "PrescriptionAlert", "PrescriptionInterruption"]
