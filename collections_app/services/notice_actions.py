"""What the cycle's notice steps share (US validation notices, bureau notices): the contact
action rows they insert and the channel a notice goes by."""

from core.bulk import temp_table_select
from messaging.models import ContactAction
from portfolio.services.holds import HOLD_IN_FORCE_SQL

# What a notice step's query selects, in this order (typed: `%(day)s::date`, `NULL::bigint`).
ACTION_COLUMNS = (
    "debt_id",
    "business_date",
    "stage",
    "channel",
    "template_code",
    "status",
    "policy_version_id",
    "cycle_run_id",
    "created_at",
)

# A notice goes by e-mail when the debtor consented to an address that has not bounced, else
# by letter (debt `{alias}`).
EMAIL_ELSE_LETTER_SQL = """CASE WHEN EXISTS (
        SELECT 1 FROM portfolio_contactpoint c
         WHERE c.debtor_id = {alias}.debtor_id AND c.channel = 'email' AND c.consent_granted
           AND c.invalid_at IS NULL)
    THEN 'email' ELSE 'letter' END"""


# An action already planned for the day (the actions' unique key) is left alone.
ON_CONFLICT_SQL = "ON CONFLICT (debt_id, template_code, channel, business_date) DO NOTHING"


def notice_actions_insert(
    cursor, *, select_sql: str, params: dict, key_deferred: bool = False
) -> int:
    """Insert the contact actions `select_sql` selects (ACTION_COLUMNS), in debt order; an
    action already planned (same debt, template, channel and day) is left alone. Returns how
    many were new. `key_deferred`: the table is empty and its unique key is built after the
    day's first inserts (the cycle's `_store_actions`): no key to name, none to conflict with.

    The query reads every open debt the step covers to find the few without a notice, so it
    runs on its own, where PostgreSQL may give it parallel workers (core.bulk
    .temp_table_select), and the insert reads its result.
    """
    columns = ", ".join(ACTION_COLUMNS)
    temp_table_select(
        cursor, name="notice_actions", columns=ACTION_COLUMNS, sql=select_sql, params=params
    )
    cursor.execute(
        f"""
        INSERT INTO {ContactAction._meta.db_table} ({columns})
        SELECT {columns} FROM notice_actions ORDER BY debt_id
        {"" if key_deferred else ON_CONFLICT_SQL}
        """
    )
    inserted = cursor.rowcount
    cursor.execute("DROP TABLE notice_actions")
    return inserted


__all__ = [
    "ACTION_COLUMNS",
    "EMAIL_ELSE_LETTER_SQL",
    "HOLD_IN_FORCE_SQL",
    "ON_CONFLICT_SQL",
    "notice_actions_insert",
]
