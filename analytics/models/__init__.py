"""Analytics: segments and the behaviour score, and the nightly KPI snapshot tables."""

from analytics.models.kpis import (
    END_STATE_CHOICES,
    AgingSnapshot,
    AgreementSpan,
    BucketTransition,
    CollectionDay,
    ContactDay,
    DebtMonthOpening,
    InstalmentDay,
    MessageDay,
    PromiseDay,
    SuppressionDay,
)
from analytics.models.segments import (
    AGING_BUCKET_CHOICES,
    BehaviourScore,
    DebtSegment,
    NightlyRun,
    PaymentBehaviour,
    SegmentChange,
    SegmentDefinition,
    SegmentRule,
)

__all__ = [
    "AGING_BUCKET_CHOICES",
    "END_STATE_CHOICES",
    "AgingSnapshot",
    "AgreementSpan",
    "BehaviourScore",
    "BucketTransition",
    "CollectionDay",
    "ContactDay",
    "DebtMonthOpening",
    "DebtSegment",
    "InstalmentDay",
    "MessageDay",
    "NightlyRun",
    "PaymentBehaviour",
    "PromiseDay",
    "SegmentChange",
    "SegmentDefinition",
    "SegmentRule",
    "SuppressionDay",
]
