"""Where the apps above the ledger plug into it (registered in their AppConfig.ready())."""

from core.hooks import Hook

# SQL of the debts whose late interest is frozen on a business date (an active agreement whose
# terms freeze accrual). Register `fn() -> str`: a SELECT of one column `debt_id` that may use
# the named parameter %(as_of)s. The accrual leaves those debts out of the day's run.
accrual_frozen_sql = Hook("ledger.accrual_frozen_sql")
