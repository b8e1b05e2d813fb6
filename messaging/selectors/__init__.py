"""Reads of the outbox, templates and contact rules, scoped to what the user may see."""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from core.memo import already_read, keep
from core.page_reads import JSONRows, rows_from_json
from core.roles import ADMIN, COLLECTOR, MANAGER, user_role
from core.scoping import scope_for_user
from messaging.models import (
    ComplianceOverride,
    LetterProof,
    Message,
    MessageDebt,
    MessageTemplate,
    MessageTemplateVersion,
)
from messaging.services.compliance import rules as tables
from messaging.services.compliance.overrides import OVERRIDABLE_TYPES, tighten


def _messages_of_assigned_debts(user) -> Q:
    return Q(id__in=MessageDebt.objects.filter(debt__assigned_to=user).values("message_id"))


def message_queryset(*, user) -> QuerySet[Message]:
    """Messages the user may see: admin all, manager their creditors', collector their cases'."""
    return scope_for_user(
        Message.objects.all(),
        user=user,
        collector=_messages_of_assigned_debts,
    )


MESSAGES_PANEL_LIMIT = 50


def messages_for_debt(*, user, debt, limit: int = MESSAGES_PANEL_LIMIT) -> list[Message]:
    """The messages covering one debt (newest first), for the case page (read with the page's
    debt when it was: debt_page_reads)."""
    if limit == MESSAGES_PANEL_LIMIT:
        kept = already_read(debt, "messages_panel")
        if kept is not None:
            return kept
    return list(_messages_for_debt(user=user, debt_id=debt.pk)[:limit])


def _messages_for_debt(*, user, debt_id) -> QuerySet[Message]:
    return (
        message_queryset(user=user)
        .filter(id__in=MessageDebt.objects.filter(debt_id=debt_id).values("message_id"))
        .order_by("-planned_for", "-id")
    )


def _proofs_for_debt(debt_id) -> QuerySet[LetterProof]:
    return LetterProof.objects.filter(
        message_id__in=MessageDebt.objects.filter(debt_id=debt_id).values("message_id")
    ).order_by("-id")


def letter_proofs_for_debt(*, debt, message_ids) -> dict[int, LetterProof]:
    """The proofs of receipt of the letters among `message_ids` (the panel's, already scoped)
    covering one debt, by message id (read with the page's debt when it was)."""
    kept = already_read(debt, "letter_proofs_panel")
    if kept is None:
        kept = list(_proofs_for_debt(debt.pk)[:MESSAGES_PANEL_LIMIT])
    wanted = set(message_ids)
    return {proof.message_id: proof for proof in kept if proof.message_id in wanted}


def debt_page_reads(*, user) -> dict:
    """The messages panel's reads (its messages, their letters' proofs of receipt), made with
    the page's debt (portfolio.hooks.debt_page_reads)."""
    messages = _messages_for_debt(user=user, debt_id=OuterRef(OuterRef("pk")))
    proofs = _proofs_for_debt(OuterRef(OuterRef("pk")))
    return {
        "_read_messages_panel": (
            JSONRows(messages[:MESSAGES_PANEL_LIMIT]),
            lambda debt, text: keep(debt, "messages_panel", rows_from_json(Message, text)),
        ),
        "_read_letter_proofs_panel": (
            JSONRows(proofs[:MESSAGES_PANEL_LIMIT]),
            lambda debt, text: keep(debt, "letter_proofs_panel", rows_from_json(LetterProof, text)),
        ),
    }


def outbox_counts(*, queryset: QuerySet[Message]) -> dict:
    """Counts by channel and status of a (filtered) outbox queryset, as a table."""
    rows = queryset.order_by().values("channel", "status").annotate(n=Count("id"))
    table: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for row in rows:
        table.setdefault(row["channel"], {})[row["status"]] = row["n"]
        totals[row["status"]] = totals.get(row["status"], 0) + row["n"]
    return {"by_channel": table, "totals": totals, "all": sum(totals.values())}


def suppression_counts(*, user, business_date: datetime.date) -> list[dict]:
    """How many messages each rule suppressed on a date (for dashboards)."""
    return list(
        message_queryset(user=user)
        .filter(business_date=business_date, status=Message.Status.SUPPRESSED)
        .order_by()
        .values("suppression_rule")
        .annotate(n=Count("id"))
        .order_by("-n", "suppression_rule")
    )


def template_queryset(*, user) -> QuerySet[MessageTemplate]:
    """Templates the user may open: the shipped defaults and their creditors' own texts.

    Admins see every creditor's texts, managers their creditors', collectors none at all.
    """
    if user_role(user) not in (ADMIN, MANAGER):
        return MessageTemplate.objects.none()
    own = scope_for_user(MessageTemplate.objects.filter(creditor__isnull=False), user=user)
    return MessageTemplate.objects.filter(Q(creditor__isnull=True) | Q(pk__in=own.values("pk")))


def template_version_queryset(*, user) -> QuerySet[MessageTemplateVersion]:
    """Versions of the templates the user may open (see template_queryset)."""
    return MessageTemplateVersion.objects.filter(
        template__in=template_queryset(user=user)
    ).select_related("template", "approval_changed_by")


def template_list(*, user, creditor=None) -> QuerySet[MessageTemplate]:
    """The texts in force for `creditor` (its own where it has one, else the default).

    Without a creditor: the shipped defaults. A creditor the user does not manage shows only
    the defaults (its own texts are outside the user's scope).
    """
    qs = template_queryset(user=user)
    if creditor is None:
        qs = qs.filter(creditor__isnull=True)
    else:
        own = MessageTemplate.objects.filter(
            creditor=creditor,
            code=OuterRef("code"),
            channel=OuterRef("channel"),
            language=OuterRef("language"),
        )
        qs = qs.annotate(has_own=Exists(own)).filter(
            Q(creditor=creditor) | Q(creditor__isnull=True, has_own=False)
        )
    # The approval of the version in force (WhatsApp: whether the provider may send it).
    current = MessageTemplateVersion.objects.filter(
        template=OuterRef("pk"), is_active=True
    ).order_by("-number")
    return (
        qs.select_related("creditor")
        .annotate(
            version_count=Count("versions"),
            approval_status=Subquery(current.values("approval_status")[:1]),
        )
        .order_by("code", "channel", "language")
    )


def template_for_creditor(*, user, template: MessageTemplate, creditor) -> MessageTemplate | None:
    """`creditor`'s own text for the same slot as the default `template`, if it has one."""
    return (
        template_queryset(user=user)
        .filter(
            creditor=creditor,
            code=template.code,
            channel=template.channel,
            language=template.language,
        )
        .first()
    )


def call_list(*, user, business_date: datetime.date) -> QuerySet[Message]:
    """Voice contacts handed to collectors for a date: a collector sees their own list."""
    qs = message_queryset(user=user).filter(
        channel="voice",
        business_date=business_date,
        status__in=(Message.Status.SENT, Message.Status.DELIVERED),
    )
    if user_role(user) == COLLECTOR:
        qs = qs.filter(collector=user)
    return qs.select_related("debtor", "collector").order_by("planned_for", "id")


SECTIONS = (
    (_("Everywhere"), tables.EVERYWHERE),
    (_("Colombia"), tables.CO),
    (_("Mexico"), tables.MX),
    (_("United States"), tables.US),
    (_("United States: Massachusetts"), tables.US_MA),
    (_("Other countries (conservative default)"), tables.DEFAULT),
)


def compliance_override_list(*, user, creditor=None) -> QuerySet[ComplianceOverride]:
    """The creditors' stricter rules, for those who manage the creditor (collectors see none)."""
    qs = scope_for_user(ComplianceOverride.objects.all(), user=user).select_related(
        "creditor", "updated_by"
    )
    if creditor is not None:
        qs = qs.filter(creditor=creditor)
    return qs


def effective_rules(*, overrides) -> list[dict]:
    """Per jurisdiction: each legal rule and what the creditor's active override makes of it."""
    by_rule = {o.rule_id: o for o in overrides}
    out = []
    for title, layer in SECTIONS:
        rows = []
        for law in layer:
            override = by_rule.get(law.id)
            effective = tighten(law, override.params) if override and override.is_active else law
            rows.append(
                {
                    "rule": law,
                    "effective": effective,
                    "override": override,
                    "overridable": law.type in OVERRIDABLE_TYPES,
                }
            )
        out.append({"title": title, "rows": rows})
    return out
