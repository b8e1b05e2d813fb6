"""The results of an experiment: each arm's primary metric with its interval, the comparison
with the champion and a verdict, and its guard-rails (definitions in selectors.measures)."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet

from core.exceptions import ApplicationError
from core.scoping import scope_for_user
from experiments.models import Arm, ArmRole, Experiment, ExperimentStatus, Metric
from experiments.selectors.measures import ArmCounts, arm_counts
from experiments.services.calculator import sample_size_per_arm
from experiments.services.stats import (
    mean_ci,
    mean_diff_ci,
    proportion_ci,
    two_proportion_ztest,
)

ALPHA = 0.05
POWER = 0.8
GUARDRAIL_KEYS = ("complaints_per_1000", "opt_out_pct", "suppressed_pct", "contacts_per_payment")
_HUNDREDTH = Decimal("0.01")


class Verdict:
    NOT_YET = "not_yet"  # not significant yet, or fewer accounts than the calculator asked for
    BETTER = "better"
    WORSE = "worse"
    NO_DIFFERENCE = "no_difference"  # the experiment ended and the difference is not significant


def experiments_for_user(user) -> QuerySet[Experiment]:
    """The experiments `user` may see: admins all, managers their creditors', collectors none."""
    return scope_for_user(Experiment.objects.select_related("creditor"), user=user)


@dataclass
class MetricResult:
    """The primary metric of one arm (one per currency for amounts collected per account).

    `value`, `ci_low`, `ci_high`, `diff`, `diff_low`, `diff_high` are proportions (0-1) for the
    rates and amounts per account for the amount metric; floats, for comparing and drawing (the
    exact amounts are in `collected`)."""

    currency: str = ""
    x: int | Decimal = 0
    n: int = 0
    value: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    diff: float | None = None
    diff_low: float | None = None
    diff_high: float | None = None
    p_value: float | None = None
    verdict: str | None = None  # None for the champion
    collected: Decimal | None = None


@dataclass
class ArmResult:
    arm: Arm
    counts: ArmCounts
    accounts: int
    metrics: list[MetricResult]
    guardrails: dict[str, Decimal | None]
    breached: list[str]
    ceilings: dict[str, Decimal] = field(default_factory=dict)

    @property
    def is_champion(self) -> bool:
        return self.arm.role == ArmRole.CHAMPION

    @property
    def verdict(self) -> str | None:
        """The verdict of its first metric (for amounts: the currency collected most)."""
        return self.metrics[0].verdict if self.metrics else None


@dataclass
class ExperimentResults:
    experiment: Experiment
    as_of: datetime.date
    metric: str
    arms: list[ArmResult]
    needed_per_arm: int | None
    ended: bool


def guardrail_values(counts: ArmCounts) -> dict[str, Decimal | None]:
    """The guard-rail measures of an arm: complaints per 1,000 accounts, opt-outs as % of its
    accounts, suppressed as % of its messages, and messages sent per payment (with no payment
    yet, as if one had come: an arm that contacts without results is not spared)."""

    def ratio(top, bottom, scale=1) -> Decimal | None:
        if not bottom:
            return None
        return (Decimal(top) * scale / Decimal(bottom)).quantize(_HUNDREDTH, ROUND_HALF_UP)

    return {
        "complaints_per_1000": ratio(counts.complaints, counts.accounts, 1000),
        "opt_out_pct": ratio(counts.opt_outs, counts.accounts, 100),
        "suppressed_pct": ratio(counts.messages_suppressed, counts.messages_planned, 100),
        "contacts_per_payment": ratio(counts.contacts, max(counts.payments, 1)),
    }


def guardrail_ceilings(experiment: Experiment) -> dict[str, Decimal]:
    ceilings = {}
    for key in GUARDRAIL_KEYS:
        value = (experiment.guardrails or {}).get(key)
        if value in (None, ""):
            continue
        try:
            ceilings[key] = Decimal(str(value))
        except ArithmeticError:
            continue
    return ceilings


def guardrails_breached(values: dict, ceilings: dict[str, Decimal]) -> list[str]:
    """The guard-rails whose value is above their ceiling."""
    return [
        key
        for key in GUARDRAIL_KEYS
        if key in ceilings and values.get(key) is not None and values[key] > ceilings[key]
    ]


def needed_per_arm(experiment: Experiment) -> int | None:
    """Accounts per arm the calculator asked for (baseline rate and lift), None when unset."""
    if experiment.baseline_rate is None or experiment.minimum_lift is None:
        return None
    try:
        return sample_size_per_arm(
            baseline_pct=experiment.baseline_rate,
            lift_pct=experiment.minimum_lift,
            alpha=ALPHA,
            power=POWER,
        )
    except ApplicationError:
        return None


def _verdict(*, p_value, diff, enough: bool, ended: bool) -> str:
    if p_value is not None and p_value < ALPHA and enough and diff:
        return Verdict.BETTER if diff > 0 else Verdict.WORSE
    return Verdict.NO_DIFFERENCE if ended else Verdict.NOT_YET


def _proportion(counts: ArmCounts, metric: str) -> tuple[int, int]:
    if metric == Metric.CURE_RATE:
        return counts.cured, counts.delinquent
    return counts.promises_kept, counts.promises_kept + counts.promises_broken


def _metrics(
    metric: str, counts: ArmCounts, champion: ArmCounts | None, currencies: list[str]
) -> list[MetricResult]:
    if metric != Metric.COLLECTED_PER_ACCOUNT:
        x, n = _proportion(counts, metric)
        interval = proportion_ci(x, n)
        result = MetricResult(
            x=x,
            n=n,
            value=x / n if n else None,
            ci_low=interval[0] if interval else None,
            ci_high=interval[1] if interval else None,
        )
        if champion is not None:
            x1, n1 = _proportion(champion, metric)
            test = two_proportion_ztest(x1=x1, n1=n1, x2=x, n2=n)
            result.diff, result.diff_low, result.diff_high = test.diff, test.ci_low, test.ci_high
            result.p_value = test.p_value
        return [result]
    results = []
    for currency in currencies:
        mine = counts.collected.get(currency)
        amount = mine.amount if mine else Decimal("0.00")
        squares = mine.sum_squares if mine else Decimal(0)
        n = counts.accounts
        interval = mean_ci(n=n, total=amount, total_squares=squares)
        result = MetricResult(
            currency=currency,
            x=amount,
            n=n,
            value=float(amount) / n if n else None,
            ci_low=interval[0] if interval else None,
            ci_high=interval[1] if interval else None,
            collected=amount,
        )
        if champion is not None:
            theirs = champion.collected.get(currency)
            test = mean_diff_ci(
                n1=champion.accounts,
                sum1=theirs.amount if theirs else 0,
                sumsq1=theirs.sum_squares if theirs else 0,
                n2=n,
                sum2=amount,
                sumsq2=squares,
            )
            result.diff, result.diff_low, result.diff_high = test.diff, test.ci_low, test.ci_high
            result.p_value = test.p_value
        results.append(result)
    return results


def experiment_results(*, experiment: Experiment, as_of: datetime.date) -> ExperimentResults:
    """Each arm's primary metric on `as_of` against the champion's (intention to treat)."""
    arms = list(experiment.arms.order_by("bucket_from", "pk"))
    counts = arm_counts(experiment_ids=[experiment.pk], as_of=as_of)
    empty = ArmCounts()
    champion_arm = next((a for a in arms if a.role == ArmRole.CHAMPION), None)
    champion = counts.get(champion_arm.pk, empty) if champion_arm else None
    totals: dict[str, Decimal] = {}
    for row in counts.values():
        for currency, collected in row.collected.items():
            totals[currency] = totals.get(currency, Decimal(0)) + collected.amount
    currencies = sorted(totals, key=lambda c: (-totals[c], c))
    needed = needed_per_arm(experiment)
    ended = experiment.status != ExperimentStatus.RUNNING or as_of >= experiment.ends_on
    ceilings = guardrail_ceilings(experiment)
    results = []
    for arm in arms:
        mine = counts.get(arm.pk, empty)
        is_champion = arm.role == ArmRole.CHAMPION
        metrics = _metrics(
            experiment.primary_metric, mine, None if is_champion else champion, currencies
        )
        if not is_champion:
            enough = needed is None or (
                mine.accounts >= needed and champion is not None and champion.accounts >= needed
            )
            for metric in metrics:
                metric.verdict = _verdict(
                    p_value=metric.p_value, diff=metric.diff, enough=enough, ended=ended
                )
        values = guardrail_values(mine)
        results.append(
            ArmResult(
                arm=arm,
                counts=mine,
                accounts=mine.accounts,
                metrics=metrics,
                guardrails=values,
                breached=guardrails_breached(values, ceilings),
                ceilings=ceilings,
            )
        )
    return ExperimentResults(
        experiment=experiment,
        as_of=as_of,
        metric=experiment.primary_metric,
        arms=results,
        needed_per_arm=needed,
        ended=ended,
    )
