from bureau.models.runs import Bureau, FurnishedAccount, FurnishingRun, ReportAction

__all__ = ["Bureau", "FurnishedAccount", "FurnishingRun", "ReportAction"]
