"""The results partial of an experiment (the detail page loads it with htmx `hx-get`)."""

import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.dates import business_date_validate, business_today
from core.exceptions import ApplicationError
from experiments.models import Metric
from experiments.selectors.results import (
    GUARDRAIL_KEYS,
    ExperimentResults,
    Verdict,
    experiment_results,
    experiments_for_user,
)
from experiments.services.guardrails import guardrail_label

CHART_WIDTH = 480
LABEL_WIDTH = 150
ROW_HEIGHT = 36


def verdict_label(verdict: str | None) -> str:
    return {
        Verdict.NOT_YET: _("Not significant yet"),
        Verdict.BETTER: _("Better than the champion"),
        Verdict.WORSE: _("Worse than the champion"),
        Verdict.NO_DIFFERENCE: _("No significant difference"),
    }.get(verdict, "")


def _as_of(request) -> datetime.date:
    raw = request.GET.get("as_of", "").strip()
    today = business_today()
    if not raw:
        return today
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError as exc:
        raise ApplicationError(_("Enter a valid date."), field="as_of") from exc
    business_date_validate(day, today=today, past=3653, future=0, field="as_of")
    return day


def _svg(number: float) -> str:
    return f"{number:.1f}"


def _chart(results: ExperimentResults) -> dict:
    """Each arm's metric and its interval as bar geometry (SVG user units) on a shared axis."""
    points = [(arm, arm.metrics[0]) for arm in results.arms if arm.metrics]
    top = max(
        [m.ci_high or 0 for _a, m in points] + [m.value or 0 for _a, m in points] + [0],
    )
    top = top or 1
    plot = CHART_WIDTH - LABEL_WIDTH - 20
    rows = []
    for index, (arm, metric) in enumerate(points):
        y = 10 + index * ROW_HEIGHT

        def at(value) -> float:
            return LABEL_WIDTH + max(value or 0, 0) / top * plot

        rows.append(
            {
                "name": arm.arm.name,
                "y": y,
                "text_y": y + 16,
                "tick_from": y + 4,
                "tick_to": y + 18,
                "bar_x": LABEL_WIDTH,
                # Text, not floats: the template would localise "12.5" to "12,5" in Spanish.
                "bar_width": _svg(at(metric.value) - LABEL_WIDTH),
                "ci_from": _svg(at(metric.ci_low)),
                "ci_to": _svg(at(metric.ci_high)),
                "ci_y": y + 11,
                "has_ci": metric.ci_low is not None,
                "metric": metric,
                "is_champion": arm.is_champion,
            }
        )
    return {
        "width": CHART_WIDTH,
        "height": 20 + len(rows) * ROW_HEIGHT,
        "rows": rows,
        "currency": points[0][1].currency if points else "",
    }


@login_required
@require_GET
def experiment_results_partial(request, pk: int):
    """Per arm: accounts, metric with its interval, the difference with the champion, its
    p-value and verdict, the guard-rails (breached ones flagged) and a chart."""
    experiment = get_object_or_404(experiments_for_user(request.user), pk=pk)
    try:
        as_of = _as_of(request)
    except ApplicationError as exc:
        return HttpResponse(
            f"{exc.field}: {exc}", status=400, content_type="text/plain; charset=utf-8"
        )
    results = experiment_results(experiment=experiment, as_of=as_of)
    arms = []
    for arm in results.arms:
        arms.append(
            {
                "result": arm,
                "verdict_label": verdict_label(arm.verdict),
                "metrics": [
                    {"m": metric, "verdict_label": verdict_label(metric.verdict)}
                    for metric in arm.metrics
                ],
                "guardrails": [
                    {
                        "key": key,
                        "label": guardrail_label(key),
                        "value": arm.guardrails.get(key),
                        "ceiling": arm.ceilings.get(key),
                        "breached": key in arm.breached,
                    }
                    for key in GUARDRAIL_KEYS
                ],
            }
        )
    return render(
        request,
        "experiments/_results.html",
        {
            "results": results,
            "experiment": experiment,
            "arms": arms,
            "chart": _chart(results),
            "is_amount": results.metric == Metric.COLLECTED_PER_ACCOUNT,
            "metric_label": Metric(results.metric).label,
        },
    )
