"""Previews: render a template for a real debt, and what tomorrow's cycle would plan."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from messaging.hooks import cycle_run_date
from messaging.models import Message, MessageDebt
from messaging.models.templates import template_label
from messaging.rendering import Rendered, render_version
from messaging.services import us_debts
from messaging.services.context import message_context
from messaging.services.sending import version_for
from portfolio.models import OPEN_STAGES, Channel, Debt, Stage


def render_for_debt(*, version, debt: Debt, as_of: datetime.date) -> Rendered:
    """A template version rendered against one real debt (preview; nothing is stored)."""
    context = message_context(
        debtor=debt.debtor,
        creditor=debt.creditor,
        debts=[debt],
        language=version.template.language,
        as_of=as_of,
        collector=debt.assigned_to,
    )
    return render_version(version, context, channel=version.template.channel)


def render_message(message: Message) -> Rendered | None:
    """What a planned message would say if it were sent now (None without a template)."""
    # The version on the message: the one it was sent with, or the one an experiment's arm
    # pinned at planning; else the newest active text.
    version = message.template_version or version_for(
        creditor_id=message.creditor_id,
        code=message.template,
        channel=message.channel,
        language=message.language,
    )
    if version is None:
        return None
    debts = list(
        Debt.objects.filter(
            id__in=MessageDebt.objects.filter(message=message).values("debt_id")
        ).select_related("assigned_to")
    )
    open_debts = [d for d in debts if d.stage in OPEN_STAGES] or debts
    context = message_context(
        debtor=message.debtor,
        creditor=message.creditor,
        debts=open_debts,
        language=message.language,
        as_of=message.business_date,
        message_id=message.id,
        collector=next((d.assigned_to for d in open_debts if d.assigned_to_id), None),
    )
    rendered = render_version(version, context, channel=message.channel)
    if us_debts.covers_time_barred(
        debtor=message.debtor, debts=open_debts, as_of=message.business_date
    ):
        rendered = us_debts.with_disclosure(
            rendered,
            us_debts.time_barred_disclosure(
                language=message.language, creditor_name=message.creditor.name
            ),
        )
    return rendered


class _Rollback(Exception):
    pass


@dataclass
class TomorrowPreview:
    business_date: datetime.date
    by_stage: list = field(default_factory=list)
    by_channel: list = field(default_factory=list)
    by_template: list = field(default_factory=list)
    suppressed: list = field(default_factory=list)
    samples: list = field(default_factory=list)
    total: int = 0

    @property
    def breakdowns(self) -> list[tuple[str, list[tuple[str, int]]]]:
        """(heading, [(label, count)]) for the page's three count lists: each stage, channel
        and template by the name people read in the active language, not its code."""
        return [
            (title, [(label(row[column]), row["n"]) for row in rows])
            for title, column, rows, label in (
                (_("By stage"), "stage", self.by_stage, _choice_label(Stage)),
                (_("By channel"), "channel", self.by_channel, _choice_label(Channel)),
                (_("By template"), "template", self.by_template, template_label),
            )
        ]


def _choice_label(choices):
    """A value of `choices` by its label (an unknown value as it is)."""
    labels = dict(choices.choices)
    return lambda value: str(labels.get(value, value))


def tomorrow_preview(*, user, business_date: datetime.date, samples: int = 6) -> TomorrowPreview:
    """Run the cycle for `business_date` inside a transaction that is rolled back.

    Everything the real run would do (stage moves, contact actions, planning with the
    compliance engine) happens, is counted for the user's creditors, then undone.
    """
    from messaging.selectors import message_queryset

    preview = TomorrowPreview(business_date=business_date)
    try:
        with transaction.atomic():
            cycle_run_date.call_one(business_date=business_date)
            qs = message_queryset(user=user).filter(business_date=business_date)
            planned = qs.filter(status=Message.Status.PLANNED)
            preview.total = planned.count()
            for attr, column in (
                ("by_stage", "stage"),
                ("by_channel", "channel"),
                ("by_template", "template"),
            ):
                setattr(
                    preview,
                    attr,
                    list(
                        planned.order_by()
                        .values(column)
                        .annotate(n=Count("id"))
                        .order_by("-n", column)
                    ),
                )
            preview.suppressed = list(
                qs.filter(status=Message.Status.SUPPRESSED)
                .order_by()
                .values("suppression_rule")
                .annotate(n=Count("id"))
                .order_by("-n")
            )
            seen = set()
            for message in planned.select_related("debtor", "creditor").order_by("id")[:200]:
                if (message.channel, message.template) in seen or len(seen) >= samples:
                    continue
                seen.add((message.channel, message.template))
                rendered = render_message(message)
                preview.samples.append({"message": message, "rendered": rendered})
            raise _Rollback
    except _Rollback:
        pass
    return preview
