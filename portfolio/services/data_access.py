"""Recording who saw debtors' full identity documents or contact data (Ley 1581, CO-DATA).

Pages and API answers that show them call `debtor_data_access_record` with the debtors they
show: one row per debtor, written in one INSERT however long the list, so a list page costs one
statement more, not one per row.
"""

from collections.abc import Iterable

from portfolio.models import DebtorDataAccess


def debtor_data_access_record(
    *,
    user,
    debtor_ids: Iterable[int | None],
    data: str,
    via: str,
    ip_address: str | None = None,
    purpose: str = "",
) -> int:
    """Record that `user` saw `data` of these debtors (repeats and None ignored); the count."""
    ids = sorted({int(debtor_id) for debtor_id in debtor_ids if debtor_id})
    DebtorDataAccess.objects.bulk_create(
        DebtorDataAccess(
            debtor_id=debtor_id,
            user=user,
            data=data,
            via=via,
            ip_address=ip_address or None,
            purpose=purpose[:100],
        )
        for debtor_id in ids
    )
    return len(ids)
