"""Where the apps above agreements plug into its lifecycle (registered in their
AppConfig.ready())."""

from core.hooks import Hook

# Called with `agreement=, debt_ids=, as_of=` when an agreement completes (paid up), in the
# same transaction, after its debts were settled: e.g. legal closes the court case as settled.
agreement_completed = Hook("agreements.agreement_completed")
