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
