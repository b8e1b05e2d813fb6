"""The row locks that payments and agreements share, and the one order every writer takes them in.

Two writers that lock the same rows in different orders can each wait for the other (a
deadlock: PostgreSQL aborts one). So every service that writes a payment or an agreement
locks, in this order, and never the other way round:

1. the portal's payment intent being confirmed (only the payment webhook locks it), or the
   suspense item being applied or refunded (`collections_app.services.suspense`: FOR UPDATE,
   so two staff using one item queue on it); a writer takes at most one of these;
2. debts, in id order: the debt being paid and every debt an open agreement binds to it
   (`debts_lock`);
3. payment agreements, in id order (`agreements.services`); instalments and agreement lines
   are written only while their agreement is locked;
4. then inserts only: the payment, history, stage changes, contact actions. Their foreign keys
   take a KEY SHARE lock on the debt and creditor rows at commit.

Creditor and debtor rows are never locked by these writers: each is shared by thousands of
debts, and every insert that refers to one (a message, a payment) takes KEY SHARE on it, so a
lock on them would queue unrelated work behind a payment, or deadlock with it. Debts are locked
FOR NO KEY UPDATE (writers never change a debt's id), which still excludes every other writer
of the debt but lets inserts that only refer to it (the planner's messages) go ahead.

A transaction that loses a deadlock anyway (a race with a writer outside this order) is run
again from the start by `core.transactions.atomic_with_retry`, which the payment services use.
"""

from collections.abc import Iterable

from portfolio.models import Debt


def debts_lock(debt_ids: Iterable[int], *, related: tuple[str, ...] = ()) -> dict[int, Debt]:
    """Lock these debts in id order (FOR NO KEY UPDATE OF the debt only); {id: debt}."""
    ids = sorted(set(debt_ids))
    if not ids:
        return {}
    rows = (
        Debt.objects.select_for_update(of=("self",), no_key=True)
        .select_related(*related)
        .filter(pk__in=ids)
        .order_by("pk")
    )
    return {debt.pk: debt for debt in rows}


def debts_lock_ids(debt_ids: Iterable[int]) -> list[int]:
    """Lock these debts in id order, as `debts_lock` does, reading back only their ids (for
    set-based writers that lock many debts and need none of their fields)."""
    ids = sorted(set(debt_ids))
    if not ids:
        return []
    return list(
        Debt.objects.select_for_update(of=("self",), no_key=True)
        .filter(pk__any=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
