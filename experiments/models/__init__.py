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
from experiments.models.snapshot import ArmSnapshot

__all__ = [
    "BUCKETS",
    "Arm",
    "ArmSnapshot",
    "ArmRole",
    "ArmStatus",
    "Assignment",
    "Experiment",
    "ExperimentChange",
    "ExperimentStatus",
    "Metric",
    "Subject",
]
