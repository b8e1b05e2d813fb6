"""Managers' segment pages: the ordered list with a preview, and the segment editor."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from analytics.forms_segments import SegmentForm, SegmentRuleFormSet
from analytics.models import SegmentDefinition
from analytics.selectors.segments import segment_counts
from analytics.services.segments import (
    segment_delete,
    segment_preview,
    segment_save,
    segment_user_can_edit,
)
from core.dates import business_today
from core.decorators import manager_required
from core.exceptions import ApplicationError
from core.roles import is_admin
from portfolio.selectors import creditor_list


def _visible_segments(user):
    creditors = creditor_list(user=user)
    return SegmentDefinition.objects.filter(
        Q(creditor__isnull=True) | Q(creditor__in=creditors)
    ).select_related("creditor")


@manager_required
def segment_list(request):
    creditors = creditor_list(user=request.user)
    creditor_ids = list(creditors.values_list("id", flat=True))
    segments = list(
        _visible_segments(request.user).prefetch_related("rules").order_by("priority", "id")
    )
    counts = segment_counts(creditor_ids=creditor_ids)
    preview = None
    if request.GET.get("preview"):
        preview = segment_preview(creditor_ids=creditor_ids, as_of=business_today())
    for segment in segments:
        segment.open_debts = counts.get(segment.id, 0)
        segment.can_edit = segment_user_can_edit(user=request.user, segment=segment)
        if preview is not None:
            segment.preview = preview["by_segment"].get(segment.id, 0)
            for rule in segment.rules.all():
                rule.preview = preview["by_rule"].get(rule.id, 0)
    return render(
        request,
        "analytics/segment_list.html",
        {"segments": segments, "preview": preview, "unsegmented": counts.get(None, 0)},
    )


def _edit(request, segment: SegmentDefinition | None):
    creditors = creditor_list(user=request.user).order_by("name")
    allow_global = is_admin(request.user)
    instance = segment or SegmentDefinition()
    form = SegmentForm(
        request.POST or None, instance=instance, creditors=creditors, allow_global=allow_global
    )
    formset = SegmentRuleFormSet(request.POST or None, instance=instance, prefix="rules")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            saved = segment_save(user=request.user, form=form, rules_formset=formset)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Segment %(name)s saved. The nightly job applies it to the debts.")
                % {"name": saved.name},
            )
            return redirect("analytics:segment-list")
    return render(
        request,
        "analytics/segment_edit.html",
        {"form": form, "formset": formset, "segment": segment},
    )


@manager_required
@require_http_methods(["GET", "POST"])
def segment_new(request):
    return _edit(request, None)


@manager_required
@require_http_methods(["GET", "POST"])
def segment_edit(request, pk):
    segment = get_object_or_404(_visible_segments(request.user), pk=pk)
    if not segment_user_can_edit(user=request.user, segment=segment):
        raise Http404
    return _edit(request, segment)


@manager_required
@require_POST
def segment_remove(request, pk):
    segment = get_object_or_404(_visible_segments(request.user), pk=pk)
    try:
        segment_delete(user=request.user, segment=segment)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Segment deleted."))
    return redirect("analytics:segment-list")
