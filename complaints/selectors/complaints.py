"""Reads of complaints, scoped to the reader: staff by creditor or case, a debtor their own."""

import datetime
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from collections_app.models import Interaction
from complaints.models import Complaint
from complaints.models.complaint import OPEN_STATUSES
from complaints.rules import term_by_code
from complaints.services import clock
from core.memo import keep, read_once
from core.page_reads import JSONRows, rows_from_json
from core.roles import ADMIN, COLLECTOR, MANAGER, OFFICER
from core.scoping import scope_for_user
from messaging.models import Message

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


def complaint_steps(complaint: Complaint) -> list:
    """The complaint's steps, oldest first, with who took each."""
    return list(complaint.events.select_related("actor").order_by("occurred_at", "id"))


def complaint_related_contacts(complaint: Complaint) -> tuple:
    """The message and the call the complaint points at (either may be None)."""
    message = interaction = None
    if complaint.related_message_id:
        message = Message.objects.filter(pk=complaint.related_message_id).first()
    if complaint.related_interaction_id:
        interaction = (
            Interaction.objects.filter(pk=complaint.related_interaction_id)
            .select_related("collector")
            .first()
        )
    return message, interaction


def debtor_recent_contacts(*, debtor_id: int, limit: int = 30) -> tuple[list, list]:
    """The debtor's latest messages and logged contacts: what a complaint may point at."""
    messages = list(
        Message.objects.filter(debtor_id=debtor_id).order_by("-planned_for", "-id")[:limit]
    )
    interactions = list(
        Interaction.objects.filter(debtor_id=debtor_id).order_by("-occurred_at", "-id")[:limit]
    )
    return messages, interactions


def complaint_assignees(complaint: Complaint) -> QuerySet:
    """Who may be given the complaint: the creditor's managers and officers, administrators,
    and the collector the debt is assigned to."""
    people = Q(groups__name=ADMIN) | Q(is_superuser=True)
    people |= Q(groups__name__in=(MANAGER, OFFICER), managed_creditors=complaint.creditor_id)
    if complaint.debt_id and complaint.debt.assigned_to_id:
        people |= Q(pk=complaint.debt.assigned_to_id, groups__name=COLLECTOR)
    return (
        get_user_model()
        .objects.filter(people, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _debt_complaints(*, debt_id) -> QuerySet:
    return Complaint.objects.filter(debt_id=debt_id).order_by("-received_at", "-id")[:20]


def debt_complaints(debt) -> list[Complaint]:
    """The debt's latest complaints for its page (read with the page's debt when it was)."""
    return read_once(debt, "debt_complaints", lambda: list(_debt_complaints(debt_id=debt.pk)))


def debt_page_reads(*, user) -> dict:
    """The complaints panel's read, made with the page's debt (portfolio.hooks.debt_page_reads)."""
    return {
        "_read_debt_complaints": (
            JSONRows(_debt_complaints(debt_id=OuterRef("pk"))),
            lambda debt, text: keep(debt, "debt_complaints", rows_from_json(Complaint, text)),
        )
    }


def complaint_due_summary(queryset: QuerySet, *, as_of: datetime.date) -> dict[str, int]:
    """How many open complaints of `queryset` are overdue, due today, at risk or on track:
    one query grouped by date and clock, the business days counted once per group."""
    counts = dict.fromkeys(DUE_STATES, 0)
    groups = (
        queryset.filter(status__in=OPEN_STATUSES)
        .order_by()
        .values("term_code", "country", answer_due=Coalesce("extended_due_on", "due_on"))
        .annotate(n=Count("id"))
    )
    for group in groups:
        clock_of = SimpleNamespace(
            term_code=group["term_code"],
            country=group["country"],
            answer_due_on=group["answer_due"],
        )
        state, _left = complaint_due_state(clock_of, as_of=as_of)
        counts[state] += group["n"]
    return counts
