from experiments.models.experiment import (
    BUCKETS,
    Arm,
    ArmRole,
    ArmStatus,
    Assignment,
    Experiment,
    ExperimentChange,
    ExperimentStatus,
    Metric,
    Subject,
)

__all__ = [
    "BUCKETS",
    "Arm",
    "ArmRole",
    "ArmStatus",
    "Assignment",
    "Experiment",
    "ExperimentChange",
    "ExperimentStatus",
    "Metric",
    "Subject",
]
