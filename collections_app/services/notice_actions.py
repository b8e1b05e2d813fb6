"""What the cycle's notice steps share (US validation notices, bureau notices): the contact
action rows they insert and the channel a notice goes by."""

from messaging.models import ContactAction
from portfolio.services.holds import HOLD_IN_FORCE_SQL

ACTION_INSERT_SQL = f"""
    INSERT INTO {ContactAction._meta.db_table}
        (debt_id, business_date, stage, channel, template_code, status,
         policy_version_id, cycle_run_id, created_at)"""

# A notice goes by e-mail when the debtor consented to an address that has not bounced, else
# by letter (debt `{alias}`).
EMAIL_ELSE_LETTER_SQL = """CASE WHEN EXISTS (
        SELECT 1 FROM portfolio_contactpoint c
         WHERE c.debtor_id = {alias}.debtor_id AND c.channel = 'email' AND c.consent_granted
           AND c.invalid_at IS NULL)
    THEN 'email' ELSE 'letter' END"""

__all__ = ["ACTION_INSERT_SQL", "EMAIL_ELSE_LETTER_SQL", "HOLD_IN_FORCE_SQL"]
