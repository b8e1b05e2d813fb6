"""Reads of the bureau app: the notice ledger, eligibility at a cut-off, runs, legends due."""

from bureau.selectors.eligibility import debt_eligibility, eligibility, eligibility_summary
from bureau.selectors.notices import debt_notices, notices
from bureau.selectors.runs import debt_bureau_history, legends_due, run_get, run_lines, runs
from bureau.selectors.withdrawals import withdrawals_due

__all__ = [
    "debt_bureau_history",
    "debt_eligibility",
    "debt_notices",
    "eligibility",
    "eligibility_summary",
    "legends_due",
    "notices",
    "run_get",
    "run_lines",
    "runs",
    "withdrawals_due",
]
