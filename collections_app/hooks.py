"""Where analytics (the layer above) plugs into escalation and the work queue.

Registered in AnalyticsConfig.ready(); the defaults keep collections_app whole without it.
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
