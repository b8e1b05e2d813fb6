"""Where the apps above portfolio plug into the books (registered in their AppConfig.ready())."""

from core.hooks import Hook

# Called with `creditors=[...]` after creditors are created (e.g. give them default policies).
creditor_created = Hook("portfolio.creditor_created")

# Panels of the staff debt page, each a template snippet rendered in the page's context (with
# `debt`, `as_of`, `payments`, `request`...). "header" notes sit under the debtor's name in
# the page header; the "work" panel comes right after the header, on the first screen (where a
# collector works the case); "case" panels follow the debt's summary; "activity" panels follow
# its contact points and payments. Register `fn() -> str`; the registration's key names the
# panel when an action refreshes it (portfolio.panels.debt_page_refresh).
debt_page_header_panels = Hook("portfolio.debt_page_header_panels")
debt_page_work_panels = Hook("portfolio.debt_page_work_panels")
debt_page_case_panels = Hook("portfolio.debt_page_case_panels")
debt_page_activity_panels = Hook("portfolio.debt_page_activity_panels")
# The "payments" slot: the debt's payments list. Nothing registered, the books' plain list
# (portfolio/_debt_payments.html); a registered snippet replaces it (e.g. with the reversal
# action and each payment's reversal), usually by including that list with `payment_extra`.
debt_page_payments_panels = Hook("portfolio.debt_page_payments_panels")

# select_related paths the debt page reads with its debt, so a registered panel costs no extra
# query (e.g. the debt's segment). Register `fn() -> list[str]`.
debt_page_related = Hook("portfolio.debt_page_related")

# Reads of the debt page's panels made in the query of its debt (core.page_reads), not one
# query each. Register `fn(*, user) -> dict[str, tuple[expression, loader]]`: each expression
# (correlated with OuterRef to the debt's columns) is computed for the page's debt and handed
# to `loader(debt, value)`, which keeps what its panel reads (core.memo.keep under the key of
# the panel's read_once), so the panel finds it there and makes no query.
debt_page_reads = Hook("portfolio.debt_page_reads")

# Called with `hold=, user=, outcome=, note=` inside `holds.hold_close` (a manager resolving a
# hold by hand), before the hold is lifted: an app whose record owns the hold (a complaint that
# must be answered) may refuse with an ApplicationError, or settle its record itself, lifting
# the hold (hold_close then returns it lifted). Nothing registered: the hold is lifted.
hold_closing = Hook("portfolio.hold_closing")
