"""Where the layers above plug into escalation and the work queue: analytics (segments, risk)
and complaints (disputes).

Registered in their AppConfig.ready(); the defaults keep collections_app whole without them.
"""

from core.hooks import Hook

# SQL of a relation (debt_id, code): the segment code the nightly job gave each debt. The cycle
# joins it so a policy scoped to a segment wins over the product and creditor defaults.
debt_segment_codes_sql = Hook(
    "collections_app.debt_segment_codes_sql",
    default=lambda: "(SELECT NULL::bigint AS debt_id, NULL::varchar AS code WHERE FALSE)",
)

# A queryset of the debtor's behaviour score (a `score` column), filtered by
# OuterRef("debtor_id"): the queue ranks riskier debtors first. None: every debtor is 50.
debtor_score_queryset = Hook("collections_app.debtor_score_queryset", default=lambda: None)

# The segments of these creditors (objects with pk and name) that the queue's filters offer.
segment_choices = Hook("collections_app.segment_choices", default=lambda *, creditor_ids: [])

# The segment code of one debt ('' when it has none): which policy governs it today.
debt_segment_code = Hook("collections_app.debt_segment_code", default=lambda debt: "")

# Called with `hold=, user=, channel=, received_at=` after staff opened a dispute hold (a
# contact logged with the dispute outcome, the hold form, the API), in the same transaction:
# complaints turns it into a dispute complaint with its legal clock, bound to that hold.
# `channel` is how the dispute reached us: an Interaction.Channel value, "staff" or "api";
# `received_at` when the debtor said it (the contact's time; None: now).
dispute_opened = Hook("collections_app.dispute_opened")

# Called with `debt_ids=, business_date=` after payments were written and their agreements
# recomputed (one payment or a payments file), in the same transaction: e.g. legal closes the
# court case of a debt paid in full. `business_date` is the day the payments count for.
payments_applied = Hook("collections_app.payments_applied")

# Called with `debt_ids=, business_date=` after a payment was reversed (its debt, and the debts
# of an agreement the reversal reopened, are owed again), in the same transaction: e.g. legal
# reopens the court case it had closed as paid or settled. `business_date` is the reversal's.
payment_reversed = Hook("collections_app.payment_reversed")
