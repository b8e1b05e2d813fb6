"""Reads of agreements and promises, scoped to what the user may see."""

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet

from agreements.models import (
    AgreementChange,
    AgreementDebt,
    AgreementStatus,
    Instalment,
    PaymentAgreement,
    PromiseToPay,
)
from core.memo import keep
from core.page_reads import JSONRows, rows_from_json
from core.roles import ADMIN, MANAGER, user_role
from core.scoping import scope_for_user
from portfolio.models import Debt
from portfolio.selectors import debt_queryset


def _agreements_of_assigned_debts(user) -> Q:
    return Q(pk__in=AgreementDebt.objects.filter(debt__assigned_to=user).values("agreement_id"))


def agreement_queryset(*, user) -> QuerySet[PaymentAgreement]:
    """Agreements the user may see: admin all, managers their creditors, collectors their debts."""
    return scope_for_user(
        PaymentAgreement.objects.all(),
        user=user,
        collector=_agreements_of_assigned_debts,
    )


def agreement_detail_queryset(*, user) -> QuerySet[PaymentAgreement]:
    """With what a detail page or payload shows, in a fixed number of queries."""
    return (
        agreement_queryset(user=user)
        .select_related("creditor", "debtor", "proposed_by", "decided_by")
        .prefetch_related(
            Prefetch("instalments", queryset=Instalment.objects.order_by("number")),
            Prefetch(
                "lines", queryset=AgreementDebt.objects.select_related("debt").order_by("debt_id")
            ),
            Prefetch(
                "changes",
                queryset=AgreementChange.objects.select_related("actor").order_by(
                    "occurred_at", "id"
                ),
            ),
            "forgiveness",
        )
    )


def approval_queue(*, user) -> QuerySet[PaymentAgreement]:
    """Agreements waiting for a decision of this manager (their creditors), oldest first."""
    if user_role(user) not in (ADMIN, MANAGER):
        return PaymentAgreement.objects.none()
    return (
        agreement_detail_queryset(user=user)
        .filter(status=AgreementStatus.PENDING_APPROVAL)
        .order_by("created_at", "id")
    )


def promise_queryset(*, user) -> QuerySet[PromiseToPay]:
    """Promises on debts the user may see."""
    return PromiseToPay.objects.filter(debt__in=debt_queryset(user=user))


def debt_agreements(*, debt: Debt, user) -> list[PaymentAgreement]:
    """The debt's latest agreements with their schedule (two queries: the panel's budget)."""
    return list(
        agreement_queryset(user=user)
        .filter(lines__debt=debt)
        .prefetch_related(Prefetch("instalments", queryset=Instalment.objects.order_by("number")))
        .order_by("-created_at", "-id")[:10]
    )


def debtor_promises(*, debtor_id: int) -> list[PromiseToPay]:
    """All the debtor's promises, newest first, in one query (they are few per debtor)."""
    return list(_debtor_promises(debtor_id=debtor_id))


def _debtor_promises(*, debtor_id) -> QuerySet[PromiseToPay]:
    return (
        PromiseToPay.objects.filter(debtor_id=debtor_id)
        .select_related("created_by")
        .order_by("-promised_date", "-id")
    )


def debt_page_reads(*, user) -> dict:
    """The debtor's promises (the header, the agreements panel and the timeline read them
    once per page: core.memo key "debtor_promises"), read with the page's debt
    (portfolio.hooks.debt_page_reads)."""
    return {
        "_read_debtor_promises": (
            JSONRows(_debtor_promises(debtor_id=OuterRef("debtor_id")), related=("created_by",)),
            lambda debt, text: keep(
                debt, "debtor_promises", rows_from_json(PromiseToPay, text, related=("created_by",))
            ),
        )
    }


def debtor_promise_counts(*, debtor_id: int) -> dict[str, int]:
    """How the debtor kept their promises: counts per status."""
    row = PromiseToPay.objects.filter(debtor_id=debtor_id).aggregate(
        kept=Count("id", filter=Q(status=PromiseToPay.Status.KEPT)),
        broken=Count("id", filter=Q(status=PromiseToPay.Status.BROKEN)),
        pending=Count("id", filter=Q(status=PromiseToPay.Status.PENDING)),
    )
    return row


def accrual_frozen_debts_sql() -> str:
    """SQL of the debts an agreement freezes late interest for on %(as_of)s (ledger.hooks).

    An agreement whose terms freeze accrual freezes it from the day it became active until it
    ended (completed, broken or cancelled), so a replayed date reads the agreement as it was."""
    agreement = PaymentAgreement._meta.db_table
    line = AgreementDebt._meta.db_table
    return f"""
        SELECT ad.debt_id
        FROM {line} ad
        JOIN {agreement} a ON a.id = ad.agreement_id
        WHERE a.accrual_frozen
          AND coalesce(a.activated_on, a.proposed_on) <= %(as_of)s
          AND (a.status = '{AgreementStatus.ACTIVE}'
               OR (a.activated_on IS NOT NULL AND a.ended_on > %(as_of)s))
    """
