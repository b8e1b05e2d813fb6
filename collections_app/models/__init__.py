"""Escalation: versioned policies, daily cycle runs, and the collector workspace's records."""

from collections_app.models.cycle import CycleRun, CycleRunCreditor
from collections_app.models.policies import (
    CADENCE_KEYS,
    CADENCE_STAGES,
    LADDER,
    EscalationPolicy,
    EscalationPolicyVersion,
    default_cadence,
    validate_cadence,
)
from collections_app.models.workspace import Assignment, Interaction

__all__ = [
    "CADENCE_KEYS",
    "CADENCE_STAGES",
    "LADDER",
    "Assignment",
    "CycleRun",
    "CycleRunCreditor",
    "EscalationPolicy",
    "EscalationPolicyVersion",
    "Interaction",
    "default_cadence",
    "validate_cadence",
]
