"""Reads of complaints, scoped to the reader: staff by creditor or case, a debtor their own."""

import datetime

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from complaints.models import Complaint
from complaints.models.complaint import OPEN_STATUSES
from complaints.rules import term_by_code
from complaints.services import clock
from core.scoping import scope_for_user

# A complaint this close to its date (in the term's days) is shown as about to breach.
AT_RISK_DAYS = 2

DUE_STATES = ("overdue", "due_today", "at_risk", "on_track")


def complaints_visible(*, user) -> QuerySet:
    """Every complaint the user may see: an officer or manager their creditors', a collector
    those about the debts assigned to them."""
    return scope_for_user(
        Complaint.objects.all(), user=user, creditor="creditor", collector="debt__assigned_to"
    )


def complaint_list(*, user, filters: dict | None = None) -> QuerySet:
    """The user's complaints, filtered; open ones first by the date the answer is owed."""
    filters = filters or {}
    queryset = complaints_visible(user=user).select_related(
        "creditor", "debtor", "debt", "assigned_to"
    )
    if filters.get("status") == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    for name in ("kind", "channel", "creditor", "regulator", "root_cause", "country"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})
    if filters.get("assigned_to") == "me":
        queryset = queryset.filter(assigned_to=user)
    elif filters.get("assigned_to") == "nobody":
        queryset = queryset.filter(assigned_to__isnull=True)
    elif filters.get("assigned_to"):
        queryset = queryset.filter(assigned_to=filters["assigned_to"])
    if filters.get("due_before"):
        queryset = queryset.filter(
            Q(extended_due_on__isnull=True, due_on__lte=filters["due_before"])
            | Q(extended_due_on__lte=filters["due_before"])
        )
    if filters.get("received_from"):
        queryset = queryset.filter(received_on__gte=filters["received_from"])
    if filters.get("received_to"):
        queryset = queryset.filter(received_on__lte=filters["received_to"])
    if filters.get("q"):
        text = filters["q"].strip()
        queryset = queryset.filter(
            Q(number__iexact=text)
            | Q(subject__icontains=text)
            | Q(debtor__full_name__icontains=text)
            | Q(debt__debt_ref__iexact=text)
            | Q(regulator_reference__iexact=text)
        )
    return by_due(queryset)


def by_due(queryset: QuerySet) -> QuerySet:
    """Open complaints first, the one whose answer is owed soonest at the top."""
    return queryset.annotate(
        _open_first=Case(
            When(status__in=OPEN_STATUSES, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        _answer_due=Coalesce("extended_due_on", "due_on"),
    ).order_by("_open_first", "_answer_due", "received_at", "id")


def complaint_get(*, user, pk: int) -> Complaint | None:
    return (
        complaints_visible(user=user)
        .select_related("creditor", "debtor", "debt", "assigned_to", "hold", "created_by")
        .filter(pk=pk)
        .first()
    )


def complaint_due_state(complaint: Complaint, *, as_of: datetime.date) -> tuple[str, int]:
    """("overdue" | "due_today" | "at_risk" | "on_track", days left in the term's unit)."""
    term = term_by_code(complaint.term_code)
    left = clock.days_left(
        complaint.answer_due_on, as_of=as_of, unit=term.unit, country=complaint.country
    )
    if left < 0:
        return "overdue", left
    if left == 0:
        return "due_today", left
    if left <= AT_RISK_DAYS:
        return "at_risk", left
    return "on_track", left


def debtor_complaints(*, debtor_id: int) -> QuerySet:
    """A debtor's own complaints (the portal), newest first."""
    return (
        Complaint.objects.filter(debtor_id=debtor_id)
        .select_related("debt")
        .order_by("-received_at", "-id")
    )


def debtor_complaint_get(*, debtor_id: int, number: str) -> Complaint | None:
    return (
        Complaint.objects.filter(debtor_id=debtor_id, number=number)
        .select_related("debt", "creditor", "debtor")
        .first()
    )
