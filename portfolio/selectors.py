"""Reads of the portfolio domain, already scoped to what the user may see."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.memo import already_read, keep, read_once
from core.page_reads import JSONRows, rows_from_json
from core.reasons import reason_decode
from core.scoping import scope_for_user
from portfolio.hooks import debt_page_reads as debt_page_reads_hook
from portfolio.hooks import debt_page_related
from portfolio.models import ConsentEvent, ContactPoint, Creditor, Debt, Debtor, Hold, Payment, Task


def _creditors_of_assigned_debts(user) -> Q:
    return Q(pk__in=Debt.objects.filter(assigned_to=user).values("creditor_id"))


def _debtors_of_assigned_debts(user) -> Q:
    return Q(id__in=Debt.objects.filter(assigned_to=user).values("debtor_id"))


def creditor_list(*, user) -> QuerySet[Creditor]:
    """Creditors the user works for: all for admins, granted ones for managers."""
    return scope_for_user(
        Creditor.objects.all(),
        user=user,
        creditor="",
        collector=_creditors_of_assigned_debts,
    )


def debt_queryset(*, user) -> QuerySet[Debt]:
    """Every debt the user may see: admin all, manager their creditors, collector their cases."""
    return scope_for_user(Debt.objects.all(), user=user, collector="assigned_to")


def debtor_queryset(*, user) -> QuerySet[Debtor]:
    """Debtors the user may see: those with at least one debt visible to them."""
    return scope_for_user(
        Debtor.objects.all(),
        user=user,
        collector=_debtors_of_assigned_debts,
    )


def payment_queryset(*, user) -> QuerySet[Payment]:
    """Payments on debts the user may see."""
    return scope_for_user(Payment.objects.all(), user=user, collector="debt__assigned_to")


# --- Staff UI: the debt list and the debt page -------------------------------------------------

DEBT_LIST_SORTS = {
    # public sort key -> ordering; "id" keeps pages stable when values tie.
    "ref": ("debt_ref", "id"),
    "debtor": ("debtor__full_name", "id"),
    "creditor": ("creditor__name", "id"),
    "product": ("product", "id"),
    "balance": ("balance", "id"),
    "due": ("due_date", "id"),
    # DPD grows as the due date gets older, so sorting by DPD is sorting by due date reversed.
    "dpd": ("-due_date", "-id"),
    "stage": ("stage", "id"),
    "collector": ("assigned_to__username", "id"),
}


def debt_list_queryset(*, user, sort: str = "due") -> QuerySet[Debt]:
    """Debts the user may see with what a list row shows, ordered by a DEBT_LIST_SORTS key."""
    descending = sort.startswith("-")
    ordering = DEBT_LIST_SORTS.get(sort.lstrip("-"), DEBT_LIST_SORTS["due"])
    if descending:
        ordering = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in ordering)
    return prefetch_open_holds(
        debt_queryset(user=user)
        .select_related("debtor", "creditor", "portfolio", "assigned_to")
        .order_by(*ordering)
    )


def debt_list_totals(*, queryset: QuerySet[Debt]) -> list[dict]:
    """Debt count and total balance per currency of a (filtered) debt queryset."""
    return list(
        queryset.order_by()
        .values("currency")
        .annotate(debts=Count("id"), balance=Sum("balance"))
        .order_by("currency")
    )


def debt_detail_get(*, user, pk: int, page_reads: bool = False) -> Debt | None:
    """One debt the user may see, with its debtor, contact points and consent history; or None.

    `page_reads`: also read, in the same query, what the debt page's panels show (the reads
    registered in portfolio.hooks.debt_page_reads), kept on the debt for the page's panels."""
    reads = {}
    if page_reads:
        for registered in debt_page_reads_hook.call_all(user=user):
            reads.update(registered)
    debt = (
        debt_queryset(user=user)
        .select_related(
            "debtor",
            "creditor",
            "portfolio",
            "assigned_to",
            *(path for paths in debt_page_related.call_all() for path in paths),
        )
        .prefetch_related(
            Prefetch(
                "debtor__contact_points",
                queryset=ContactPoint.objects.prefetch_related(
                    Prefetch(
                        "consent_events",
                        queryset=ConsentEvent.objects.select_related("actor").order_by(
                            "-occurred_at", "-id"
                        ),
                    )
                ),
            )
        )
        .annotate(**{name: expression for name, (expression, _load) in reads.items()})
        .filter(pk=pk)
        .first()
    )
    if debt is not None:
        for name, (_expression, load) in reads.items():
            load(debt, debt.__dict__.pop(name))
    return debt


def debtor_other_debts(*, user, debt: Debt) -> QuerySet[Debt]:
    """The debtor's other debts that the user may also see."""
    return _other_debts(user=user, debtor_id=debt.debtor_id, debt_id=debt.pk)


def _other_debts(*, user, debtor_id, debt_id) -> QuerySet[Debt]:
    return (
        debt_queryset(user=user)
        .filter(debtor_id=debtor_id)
        .exclude(pk=debt_id)
        .select_related("creditor", "assigned_to")
        .order_by("due_date", "id")
    )


def debt_payments(*, user, debt: Debt) -> QuerySet[Payment]:
    """Payments on one debt the user may see, newest first."""
    return _payments(user=user, debt_id=debt.pk)


def _payments(*, user, debt_id) -> QuerySet[Payment]:
    return (
        payment_queryset(user=user)
        .filter(debt_id=debt_id)
        .select_related("recorded_by")
        .order_by("-paid_at", "-id")
    )


def debt_page_other_debts(*, user, debt: Debt) -> list[Debt]:
    """debtor_other_debts, read with the page's debt when it was (debt_detail_get)."""
    return read_once(debt, "other_debts", lambda: list(debtor_other_debts(user=user, debt=debt)))


def debt_page_payments(*, user, debt: Debt) -> list[Payment]:
    """debt_payments, read with the page's debt when it was (debt_detail_get)."""
    return read_once(debt, "payments", lambda: list(debt_payments(user=user, debt=debt)))


def _history_sources(*, debt_id, debtor_id) -> list:
    return [
        (Debt.history.filter(id=debt_id), _("Debt %(ref)s"), lambda r: {"ref": r.debt_ref}),
        (
            Debtor.history.filter(id=debtor_id),
            _("Debtor %(name)s"),
            lambda r: {"name": r.full_name},
        ),
        (
            ContactPoint.history.filter(debtor_id=debtor_id),
            _("Contact point %(channel)s: %(value)s"),
            lambda r: {"channel": r.get_channel_display(), "value": r.value},
        ),
        (
            Payment.history.filter(debt_id=debt_id),
            _("Payment %(ref)s"),
            lambda r: {"ref": r.reference},
        ),
    ]


def _history_order(records: QuerySet) -> QuerySet:
    # Oldest first so each record can be diffed against the one before it, in memory.
    return records.select_related("history_user").order_by("history_date", "history_id")


def debt_page_reads(*, user) -> dict:
    """The debt page's own reads made with its debt (portfolio.hooks.debt_page_reads): the
    debtor's other debts, the debt's payments and the four history tables."""

    def keeper(key, model, related):
        return lambda debt, text: keep(debt, key, rows_from_json(model, text, related=related))

    reads = {
        "_read_other_debts": (
            JSONRows(
                _other_debts(user=user, debtor_id=OuterRef("debtor_id"), debt_id=OuterRef("pk")),
                related=("creditor", "assigned_to"),
            ),
            keeper("other_debts", Debt, ("creditor", "assigned_to")),
        ),
        "_read_payments": (
            JSONRows(_payments(user=user, debt_id=OuterRef("pk")), related=("recorded_by",)),
            keeper("payments", Payment, ("recorded_by",)),
        ),
    }
    sources = _history_sources(debt_id=OuterRef("pk"), debtor_id=OuterRef("debtor_id"))
    for n, (records, _label, _params) in enumerate(sources):
        reads[f"_read_history_{n}"] = (
            JSONRows(_history_order(records), related=("history_user",)),
            keeper(f"history:{n}", records.model, ("history_user",)),
        )
    return reads


@dataclass
class HistoryChange:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    date: datetime.datetime
    user: object  # the acting User, or None for the system (imports, the daily cycle)
    kind: str  # "created" | "changed" | "deleted"
    subject: str  # what changed, e.g. "Debt OBL-1" or "Contact point E-mail: a@b.co"
    changes: list[HistoryChange] = field(default_factory=list)
    reason: str = ""


# Timestamps change on every save and say nothing a reader needs.
_HISTORY_NOISE = {"created_at", "updated_at", "id"}


def debt_history(*, debt: Debt, limit: int = 200) -> list[HistoryEntry]:
    """Change history of a debt, its debtor, the debtor's contact points and the debt's payments,
    newest first."""
    sources = _history_sources(debt_id=debt.pk, debtor_id=debt.debtor_id)
    pending = []  # (record, subject, diff) before foreign keys are resolved
    for n, (records, label, params) in enumerate(sources):
        previous = {}
        # Read with the page's debt when it was (debt_page_reads), else here.
        rows = already_read(debt, f"history:{n}")
        for record in _history_order(records) if rows is None else rows:
            subject = label % params(record)
            diff = []
            before = previous.get(record.id)
            if before is not None and record.history_type == "~":
                diff = [
                    c for c in record.diff_against(before).changes if c.field not in _HISTORY_NOISE
                ]
            previous[record.id] = record
            pending.append((record, subject, diff))
    pending.sort(key=lambda item: (item[0].history_date, item[0].history_id), reverse=True)
    pending = pending[:limit]

    # Foreign keys come back as raw ids; resolve them with one query per related model.
    wanted: dict[type, set] = {}
    for record, _subject, diff in pending:
        for change in diff:
            model_field = record._meta.get_field(change.field)
            if model_field.is_relation:
                ids = wanted.setdefault(model_field.related_model, set())
                ids.update(v for v in (change.old, change.new) if v is not None)
    names = {
        model: {obj.pk: _display_name(obj) for obj in model._default_manager.filter(pk__in=ids)}
        for model, ids in wanted.items()
    }

    entries = []
    kinds = {"+": "created", "~": "changed", "-": "deleted"}
    for record, subject, diff in pending:
        changes = [
            HistoryChange(
                field=str(record._meta.get_field(c.field).verbose_name),
                old=_history_value(record, c.field, c.old, names),
                new=_history_value(record, c.field, c.new, names),
            )
            for c in diff
        ]
        entries.append(
            HistoryEntry(
                date=record.history_date,
                user=record.history_user,
                kind=kinds.get(record.history_type, "changed"),
                subject=subject,
                changes=changes,
                reason=reason_decode(record.history_change_reason),
            )
        )
    return entries


def _display_name(obj) -> str:
    # Users by their full name (as everywhere in the UI), anything else by its str().
    full_name = obj.get_full_name() if hasattr(obj, "get_full_name") else ""
    return full_name or str(obj)


def _history_value(record, field_name: str, value, names: dict) -> str:
    if value is None or value == "":
        return "—"
    model_field = record._meta.get_field(field_name)
    if field_name == "document_number":
        # The full document is shown only through the logged reveal, never in the history.
        return "•" * max(0, len(str(value)) - 4) + str(value)[-4:]
    if model_field.is_relation:
        return names.get(model_field.related_model, {}).get(value, f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime.datetime):
        return formats.localize(timezone.localtime(value))
    return formats.localize(value)


# The case page reads a debt's tasks once (newest first, for the timeline); the agreements
# panel takes the open ones from that read when it holds every task.
CASE_TASKS_LIMIT = 60


def case_tasks(*, debt: Debt, limit: int = CASE_TASKS_LIMIT) -> tuple[list[Task], bool]:
    """The debt's newest `limit` + 1 tasks (newest first) for the timeline, and whether that
    is every one of them; read once per page (the agreements panel takes its open tasks from
    here when the list is complete)."""

    def read():
        rows = list(
            Task.objects.filter(debt=debt)
            .select_related("created_by", "assigned_to")
            .order_by("-created_at", "-id")[: limit + 1]
        )
        return rows, len(rows) <= limit

    return read_once(debt, f"case_tasks:{limit}", read)


def debt_open_tasks(*, debt: Debt, limit: int = 10) -> list[Task]:
    """The debt's open tasks, soonest due first (with their assignee)."""
    kept = already_read(debt, f"case_tasks:{CASE_TASKS_LIMIT}")
    if kept is not None and kept[1]:
        rows = [t for t in kept[0] if t.status == Task.Status.OPEN]
        return sorted(rows, key=lambda t: (t.due_at, t.pk))[:limit]
    return list(
        Task.objects.filter(debt=debt, status=Task.Status.OPEN)
        .select_related("assigned_to")
        .order_by("due_at", "id")[:limit]
    )


def open_holds_for_debt(*, debt) -> QuerySet[Hold]:
    """Holds in force on a debt: its own and those on its debtor as a whole."""
    return Hold.objects.filter(
        Q(debt=debt) | Q(debtor_id=debt.debtor_id, debt__isnull=True), closed_at__isnull=True
    )


def prefetch_open_holds(debts: QuerySet) -> QuerySet:
    """Attach the holds in force to each debt in two queries (own, and the debtor's)."""
    return debts.prefetch_related(
        Prefetch(
            "holds", queryset=Hold.objects.filter(closed_at__isnull=True), to_attr="open_own_holds"
        ),
        Prefetch(
            "debtor__holds",
            queryset=Hold.objects.filter(closed_at__isnull=True, debt__isnull=True),
            to_attr="open_debtor_holds",
        ),
    )


def holds_for_debt(*, debt) -> QuerySet[Hold]:
    """Every hold, open or closed, that touched this debt."""
    return Hold.objects.filter(
        Q(debt=debt) | Q(debtor_id=debt.debtor_id, debt__isnull=True)
    ).select_related("opened_by", "closed_by")
