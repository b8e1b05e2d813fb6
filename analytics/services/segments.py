"""Writes on segment definitions (managers: their creditors; admins: global ones too)."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from analytics.models import SegmentDefinition
from core.exceptions import ApplicationError
from core.roles import is_admin
from core.scoping import user_manages_creditor


def segment_user_can_edit(*, user, segment: SegmentDefinition) -> bool:
    """Admins edit every segment; managers those of the creditors they manage."""
    if is_admin(user):
        return True
    if segment.creditor_id is None:
        return False
    return user_manages_creditor(user=user, creditor_id=segment.creditor_id)


@transaction.atomic
def segment_save(*, user, form, rules_formset) -> SegmentDefinition:
    """Save a segment and its rules together (both already validated)."""
    segment = form.save(commit=False)
    if segment.creditor_id is None and not is_admin(user):
        raise ApplicationError(_("Only administrators may change segments of every creditor."))
    if segment.pk and not segment_user_can_edit(user=user, segment=segment):
        raise ApplicationError(_("You do not manage this segment's creditor."))
    segment.save()
    rules_formset.instance = segment
    rules = rules_formset.save(commit=False)
    if segment.is_catch_all and (rules or segment.rules.exists()):
        raise ApplicationError(_("The catch-all segment takes what no rule catches: no rules."))
    for obj in rules_formset.deleted_objects:
        obj.delete()
    for rule in rules:
        rule.segment = segment
        rule.save()
    return segment


@transaction.atomic
def segment_delete(*, user, segment: SegmentDefinition) -> None:
    """Delete a segment; its debts fall to the catch-all on the next nightly run."""
    if segment.is_catch_all:
        raise ApplicationError(_("The catch-all segment cannot be deleted."))
    if not segment_user_can_edit(user=user, segment=segment):
        raise ApplicationError(_("You do not manage this segment's creditor."))
    segment.delete()


def segment_preview(*, creditor_ids, as_of: datetime.date) -> dict:
    """How many open debts each rule and segment would catch now (first match wins)."""
    from analytics.services.loading import load_open_debts
    from analytics.services.nightly import compute_scores, compute_segments
    from analytics.services.rules import rules_in_order

    debts = load_open_debts(as_of=as_of, creditor_ids=creditor_ids)
    rules = rules_in_order(creditor_ids=creditor_ids)
    debts = compute_segments(debts, compute_scores(debts), rules=rules)
    return {
        "debts": len(debts),
        "by_rule": debts["rule_id"].value_counts().to_dict() if len(debts) else {},
        "by_segment": debts["new_segment_id"].value_counts().to_dict() if len(debts) else {},
    }
