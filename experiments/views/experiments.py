"""Staff pages for experiments: the list, creating one (with the calculator), an experiment
with its arms and history, and its start, stop, stop-an-arm and promote actions.

Managers and administrators only; an experiment of a creditor the user does not manage is a
404. A refusal of a service comes back on the page with a 400, a success redirects with a
message (post/redirect/get).
"""

import datetime
import math

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.dates import business_today
from core.decorators import manager_required
from core.exceptions import ApplicationError
from core.paging import list_page, list_query, valid_filters
from experiments.forms import (
    ArmFormSet,
    ArmReasonForm,
    ExperimentFilterForm,
    ExperimentForm,
    PromoteForm,
    ReasonForm,
)
from experiments.models import ArmRole, ArmStatus, ExperimentStatus, Subject
from experiments.selectors.experiments import (
    arms_resolve,
    champion_rule,
    creditor_segments,
    current_template_versions,
    experiment_get,
    experiment_list,
    managed_creditors,
    policy_versions,
    promoted_rule,
    template_versions,
)
from experiments.services.calculator import days_to_supply, sample_size_per_arm
from experiments.services.drafts import policy_challenger_draft, template_challenger_draft
from experiments.services.lifecycle import (
    arm_stop,
    experiment_create,
    experiment_start,
    experiment_stop,
)
from experiments.services.promotion import experiment_promote

PAGE_SIZE = 25
DEFAULT_DAYS = 60


@manager_required
@require_GET
def experiment_list_view(request):
    """The experiments of the creditors the user manages, newest first."""
    query = list_query(request)
    form = ExperimentFilterForm(query or None, creditors=managed_creditors(user=request.user))
    experiments = experiment_list(user=request.user, filters=valid_filters(form))
    context = list_page(request, form=form, queryset=experiments, query=query, size=PAGE_SIZE)
    return render(
        request, "experiments/list.html", context, status=400 if context["invalid"] else 200
    )


# --- creating one -----------------------------------------------------------------------------


def _pick(queryset, value):
    try:
        return queryset.filter(pk=int(value)).first() if value else None
    except (TypeError, ValueError):
        return None


def _default_arms(*, creditor, subject: str, segment) -> list[dict]:
    """Champion (today's rule), one challenger 50/50, a spare challenger and a hold-out left
    out until given a share."""
    champion = {
        "code": "champion",
        "name": _("Today's rule"),
        "role": ArmRole.CHAMPION,
        "weight": 50,
    }
    rule = champion_rule(creditor=creditor, subject=subject, segment=segment)
    if rule.get("policy_version"):
        champion["policy_version"] = rule["policy_version"].pk
    champion.update(rule.get("offer") or {})
    if subject == Subject.TEMPLATE:
        current = current_template_versions(creditor=creditor)
        if current:
            champion["template_version"] = current[0].pk
    return [
        champion,
        {"code": "challenger", "name": _("Challenger"), "role": ArmRole.CHALLENGER, "weight": 50},
        {"code": "challenger-2", "name": _("Challenger 2"), "role": ArmRole.CHALLENGER},
        {"code": "holdout", "name": _("Hold-out"), "role": ArmRole.HOLDOUT},
    ]


def _form_context(request, *, form, formset, creditor, subject, calculator=None):
    current_ids = (
        {v.pk for v in current_template_versions(creditor=creditor)} if creditor else set()
    )
    return {
        "form": form,
        "formset": formset,
        "creditor": creditor,
        "subject": subject,
        "current_template_ids": current_ids,
        "calculator": calculator,
    }


def _arm_rows(formset) -> list:
    return [f for f in formset.forms if f.in_use]


def _arm_problems(*, subject, creditor, rows) -> str | None:
    """What the arms' rows lack before the service sees them (new thresholds or a new text
    count as a version: they are drafted as one)."""
    if subject == Subject.POLICY:
        for row in rows:
            data = row.cleaned_data
            if data["role"] != ArmRole.CHALLENGER:
                continue
            version = data.get("policy_version")
            if version is None and not row.thresholds():
                return _("Each challenger names the policy version it tests.")
            if version is not None and version.policy.current_version_id == version.pk:
                return _("A challenger tests a version other than today's.")
    if subject == Subject.TEMPLATE:
        current = {v.pk for v in current_template_versions(creditor=creditor)}
        for row in rows:
            data = row.cleaned_data
            version = data.get("template_version")
            if data["role"] != ArmRole.CHALLENGER:
                continue
            if version is None and not (data.get("text_body") or "").strip():
                return _("Each challenger names the template version it tests.")
            if version is not None and version.pk in current:
                return _("A challenger tests a text other than the one sent today.")
    return None


@transaction.atomic
def _create(request, *, form, rows, creditor, subject):
    data = form.cleaned_data
    champion_version = None
    arms = []
    for row in rows:
        values = row.cleaned_data
        arm = {
            "code": values["code"],
            "name": values["name"],
            "role": values["role"],
            "weight": values["weight"],
            "policy_version": getattr(values.get("policy_version"), "pk", None),
            "template_version": getattr(values.get("template_version"), "pk", None),
            "offer": row.offer() if subject == Subject.OFFER else {},
            "send_from_hour": values.get("send_from_hour"),
            "send_to_hour": values.get("send_to_hour"),
        }
        if values["role"] == ArmRole.CHAMPION:
            champion_version = values.get(
                "template_version" if subject == Subject.TEMPLATE else "policy_version"
            )
        arms.append(arm)
    note = _("Challenger of experiment %(name)s") % {"name": data["name"]}
    if subject == Subject.POLICY:
        for arm, row in zip(arms, rows, strict=True):
            if arm["role"] == ArmRole.CHALLENGER and not arm["policy_version"] and row.thresholds():
                if champion_version is None:
                    raise ApplicationError(
                        _("Choose the champion's policy version first."), field="arms"
                    )
                draft = policy_challenger_draft(
                    user=request.user,
                    champion_version=champion_version,
                    thresholds=row.thresholds(),
                    note=note,
                )
                arm["policy_version"] = draft.pk
    if subject == Subject.TEMPLATE:
        for arm, row in zip(arms, rows, strict=True):
            body = (row.cleaned_data.get("text_body") or "").strip()
            if arm["role"] == ArmRole.CHALLENGER and not arm["template_version"] and body:
                if champion_version is None:
                    raise ApplicationError(
                        _("Choose the champion's template version first."), field="arms"
                    )
                draft = template_challenger_draft(
                    user=request.user,
                    creditor=creditor,
                    champion_version=champion_version,
                    subject=row.cleaned_data.get("text_subject") or "",
                    body=body,
                    note=note,
                )
                arm["template_version"] = draft.pk
    return experiment_create(
        user=request.user,
        creditor=creditor,
        segment=data.get("segment"),
        name=data["name"],
        hypothesis=data.get("hypothesis") or "",
        subject=subject,
        primary_metric=data["primary_metric"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        baseline_rate=data.get("baseline_rate"),
        minimum_lift=data.get("minimum_lift"),
        guardrails=form.guardrails(),
        arms=arms_resolve(creditor=creditor, subject=subject, arms=arms),
    )


@manager_required
@require_http_methods(["GET", "POST"])
def experiment_new(request):
    """Create a draft experiment: its definition, arms and the calculator beside them."""
    creditors = managed_creditors(user=request.user)
    source = request.POST if request.method == "POST" else request.GET
    creditor = _pick(creditors, source.get("creditor")) or creditors.first()
    if creditor is None:
        raise PermissionDenied(_("You manage no creditor."))
    subject = source.get("subject") if source.get("subject") in Subject.values else Subject.POLICY
    segments = creditor_segments(creditor=creditor)
    segment = _pick(segments, source.get("segment"))
    choices = {
        "policy_versions": policy_versions(creditor=creditor),
        "template_versions": template_versions(creditor=creditor),
    }
    if request.method == "GET":
        today = business_today()
        initial = {
            "creditor": creditor.pk,
            "segment": segment.pk if segment else None,
            "subject": subject,
            "primary_metric": "cure_rate",
            "starts_on": today,
            "ends_on": today + datetime.timedelta(days=DEFAULT_DAYS),
        }
        for name in ("name", "hypothesis", "primary_metric", "baseline_rate", "minimum_lift"):
            if source.get(name):
                initial[name] = source[name]
        form = ExperimentForm(initial=initial, creditors=creditors, segments=segments)
        formset = ArmFormSet(
            initial=_default_arms(creditor=creditor, subject=subject, segment=segment),
            prefix="arms",
            **choices,
        )
        context = _form_context(
            request,
            form=form,
            formset=formset,
            creditor=creditor,
            subject=subject,
            calculator=_calculate(request.user, source, creditor=creditor, segment=segment),
        )
        return render(request, "experiments/new.html", context)
    form = ExperimentForm(request.POST, creditors=creditors, segments=segments)
    formset = ArmFormSet(request.POST, prefix="arms", **choices)
    if form.is_valid() and formset.is_valid():
        rows = _arm_rows(formset)
        problem = _arm_problems(subject=subject, creditor=creditor, rows=rows)
        if problem:
            form.add_error(None, problem)
        else:
            try:
                experiment = _create(
                    request, form=form, rows=rows, creditor=creditor, subject=subject
                )
            except ApplicationError as exc:
                if exc.extra.get("status") == 403:
                    raise PermissionDenied(exc.message) from exc
                form.add_service_error(exc)
            else:
                messages.success(
                    request, _("Experiment created as a draft. Start it when you are ready.")
                )
                return redirect("experiments:detail", pk=experiment.pk)
    context = _form_context(
        request,
        form=form,
        formset=formset,
        creditor=creditor,
        subject=subject,
        calculator=_calculate(request.user, request.POST, creditor=creditor, segment=segment),
    )
    return render(request, "experiments/new.html", context, status=400)


def _smallest_share(source) -> int | None:
    shares = []
    for key, value in source.items():
        if key.startswith("arms-") and key.endswith("-weight") and value:
            try:
                share = int(value)
            except ValueError:
                continue
            if 1 <= share <= 99:
                shares.append(share)
    return min(shares) if shares else None


def _calculate(user, source, *, creditor, segment) -> dict:
    """The calculator panel's figures from the form's values ({"error"} on bad input)."""
    baseline, lift = source.get("baseline_rate"), source.get("minimum_lift")
    if not baseline or not lift:
        return {"empty": True}
    try:
        per_arm = sample_size_per_arm(baseline_pct=baseline, lift_pct=lift)
    except ApplicationError as exc:
        return {"error": exc.message}
    share = _smallest_share(source)
    days = None
    if creditor is not None and share:
        days = days_to_supply(
            creditor=creditor,
            segment=segment,
            share_pct=share,
            needed=per_arm,
            as_of=business_today(),
        )
    total = math.ceil(per_arm * 100 / share) if share else None
    return {"per_arm": per_arm, "share": share, "days": days, "total": total}


@manager_required
@require_GET
def calculator_panel(request):
    """The create page's calculator (htmx): accounts per arm and days to supply them."""
    creditor = _pick(managed_creditors(user=request.user), request.GET.get("creditor"))
    segment = (
        _pick(creditor_segments(creditor=creditor), request.GET.get("segment"))
        if creditor
        else None
    )
    calculator = _calculate(request.user, request.GET, creditor=creditor, segment=segment)
    return render(
        request,
        "experiments/_calculator.html",
        {"calculator": calculator},
        status=400 if calculator.get("error") else 200,
    )


# --- one experiment -----------------------------------------------------------------------------


def _experiment_or_404(request, pk):
    experiment = experiment_get(user=request.user, pk=pk)
    if experiment is None:
        # Another creditor's experiment looks exactly like a missing one.
        raise Http404
    return experiment


def _detail(request, experiment, *, error=None, status=200):
    arms = list(experiment.arms.all())
    running = experiment.status == ExperimentStatus.RUNNING
    context = {
        "object": experiment,
        "experiment": experiment,
        "arms": arms,
        "changes": list(experiment.changes.all()),
        "running": running,
        "draft": experiment.status == ExperimentStatus.DRAFT,
        "stoppable_arms": [
            a
            for a in arms
            if running and a.role != ArmRole.CHAMPION and a.status == ArmStatus.ACTIVE
        ],
        "promotable_arms": [
            a
            for a in arms
            if running and a.role != ArmRole.HOLDOUT and a.status == ArmStatus.ACTIVE
        ],
        "promoted_rule": promoted_rule(experiment),
        "error": error,
    }
    return render(request, "experiments/detail.html", context, status=status)


@manager_required
@require_GET
def experiment_detail(request, pk):
    return _detail(request, _experiment_or_404(request, pk))


def _act(request, pk, form_class, action, done):
    experiment = _experiment_or_404(request, pk)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        return _detail(request, experiment, error=first, status=400)
    try:
        action(experiment, form.cleaned_data if form else {})
    except ApplicationError as exc:
        if exc.extra.get("status") == 403:
            raise PermissionDenied(exc.message) from exc
        return _detail(request, _experiment_or_404(request, pk), error=exc.message, status=400)
    messages.success(request, done)
    return redirect("experiments:detail", pk=experiment.pk)


def _arm_of(experiment, arm_pk):
    arm = next((a for a in experiment.arms.all() if a.pk == arm_pk), None)
    if arm is None:
        raise ApplicationError(_("That arm is not this experiment's."), field="arm")
    return arm


@manager_required
@require_POST
def experiment_start_view(request, pk):
    def start(experiment, data):
        experiment_start(user=request.user, experiment=experiment, as_of=business_today())

    return _act(request, pk, None, start, _("Experiment started: its debtors are assigned."))


@manager_required
@require_POST
def experiment_stop_view(request, pk):
    def stop(experiment, data):
        experiment_stop(
            user=request.user, experiment=experiment, reason=data["reason"], as_of=business_today()
        )

    return _act(
        request, pk, ReasonForm, stop, _("Experiment stopped: everyone gets the champion's way.")
    )


@manager_required
@require_POST
def arm_stop_view(request, pk):
    def stop(experiment, data):
        arm_stop(user=request.user, arm=_arm_of(experiment, data["arm"]), reason=data["reason"])

    return _act(request, pk, ArmReasonForm, stop, _("Arm stopped."))


@manager_required
@require_POST
def experiment_promote_view(request, pk):
    def promote(experiment, data):
        experiment_promote(
            user=request.user,
            experiment=experiment,
            arm=_arm_of(experiment, data["arm"]),
            note=data["note"],
            as_of=business_today(),
        )

    return _act(
        request, pk, PromoteForm, promote, _("Winner promoted: it is the rule from the next cycle.")
    )
