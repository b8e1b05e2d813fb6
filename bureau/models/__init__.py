from bureau.models.runs import (
    BUREAU_COUNTRY,
    Bureau,
    FurnishedAccount,
    FurnishingRun,
    ReportAction,
    RunStatus,
)

__all__ = [
    "BUREAU_COUNTRY",
    "Bureau",
    "FurnishedAccount",
    "FurnishingRun",
    "ReportAction",
    "RunStatus",
]
