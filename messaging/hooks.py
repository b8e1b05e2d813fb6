"""Where the apps above messaging plug into it (registered in their AppConfig.ready())."""

from django.conf import settings

from core.hooks import Hook

# The personal link a message carries for a debtor (the portal registers its signed link).
portal_link = Hook("messaging.portal_link", default=lambda debtor_id: settings.CARTERA_PORTAL_URL)

# {debtor_id: (from, to)}: hours each debtor chose (the portal's contact preferences);
# planning keeps inside them where it lawfully can.
preferred_hours = Hook("messaging.preferred_hours", default=lambda *, debtor_ids: {})

# The last business date the daily cycle completed (None before its first run), and the
# cycle itself for one date: tomorrow's preview runs it in a transaction it rolls back.
cycle_last_completed_date = Hook("messaging.cycle_last_completed_date", default=lambda: None)
cycle_run_date = Hook("messaging.cycle_run_date")

# SQL of a relation, one row per debtor in a running experiment's arm (experiments registers
# it): (debtor_id, creditor_id, experiment_id, arm_id, role, policy_version_id,
# template_version_id, send_from_hour, send_to_hour, offer, holdout). The override columns are
# NULL (holdout false) where the debtor gets the champion's way: the champion arm, and any arm a
# guard-rail or a strategist stopped. Every row the cycle, planning and agreements write for a
# debt of `creditor_id` records `arm_id` as its `experiment_arm_id`.
debtor_arms_sql = Hook(
    "messaging.debtor_arms_sql",
    default=lambda: (
        "(SELECT NULL::bigint AS debtor_id, NULL::bigint AS creditor_id,"
        " NULL::bigint AS experiment_id, NULL::bigint AS arm_id, NULL::varchar AS role,"
        " NULL::bigint AS policy_version_id, NULL::bigint AS template_version_id,"
        " NULL::int AS send_from_hour, NULL::int AS send_to_hour, NULL::jsonb AS offer,"
        " FALSE AS holdout WHERE FALSE)"
    ),
)
