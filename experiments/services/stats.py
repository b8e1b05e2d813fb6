"""The statistics of an experiment's results: two-proportion z-test, Wilson and Welch intervals.

Only the standard library (`statistics.NormalDist` for the normal quantiles). Inputs are counts
or Decimal amounts; the outputs are floats, for tests of significance and drawing, never shown
as amounts (amounts shown to people stay Decimal).
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from statistics import NormalDist

_NORMAL = NormalDist()


def _z_for(confidence: float) -> float:
    """The two-sided normal quantile of a confidence level (1.96 for 0.95)."""
    if not 0 < confidence < 1:
        raise ValueError("confidence is between 0 and 1")
    return _NORMAL.inv_cdf(0.5 + confidence / 2)


@dataclass(frozen=True)
class ZTest:
    """Proportion 2 minus proportion 1, its z, two-sided p-value and confidence interval.

    `z` and `p_value` are None when the test cannot be computed (an empty group, or both
    proportions 0 or both 1: no variance); `ci_low`/`ci_high` are None when a group is empty.
    """

    diff: float | None
    z: float | None
    p_value: float | None
    ci_low: float | None
    ci_high: float | None


def two_proportion_ztest(*, x1: int, n1: int, x2: int, n2: int, confidence=0.95) -> ZTest:
    """Two-sided z-test of p2 - p1 (pooled standard error), with an unpooled (Wald) interval."""
    for x, n in ((x1, n1), (x2, n2)):
        if n < 0 or x < 0 or x > n:
            raise ValueError("counts must satisfy 0 <= x <= n")
    if n1 == 0 or n2 == 0:
        return ZTest(diff=None, z=None, p_value=None, ci_low=None, ci_high=None)
    p1, p2 = x1 / n1, x2 / n2
    diff = p2 - p1
    margin = _z_for(confidence) * math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return ZTest(diff=diff, z=None, p_value=None, ci_low=diff - margin, ci_high=diff + margin)
    z = diff / se
    p_value = 2 * (1 - _NORMAL.cdf(abs(z)))
    return ZTest(diff=diff, z=z, p_value=p_value, ci_low=diff - margin, ci_high=diff + margin)


def proportion_ci(x: int, n: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """Wilson score interval of x/n (None when n is 0): stays inside [0, 1], sane at x=0."""
    if n < 0 or x < 0 or x > n:
        raise ValueError("counts must satisfy 0 <= x <= n")
    if n == 0:
        return None
    z = _z_for(confidence)
    p = x / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low = 0.0 if x == 0 else max(0.0, centre - half)
    high = 1.0 if x == n else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True)
class MeanDiff:
    """Mean 2 minus mean 1 (Welch), its t statistic, degrees of freedom, p-value and interval.

    The p-value and interval use the normal approximation when the degrees of freedom are
    large (the standard library has no Student t); below 30 the t quantile is approximated by
    the Cornish-Fisher expansion, good to three decimals for df >= 3.
    """

    diff: float | None
    t: float | None
    df: float | None
    p_value: float | None
    ci_low: float | None
    ci_high: float | None


def _mean_var(n: int, total: float, total_squares: float) -> tuple[float, float]:
    mean = total / n
    variance = (total_squares - n * mean * mean) / (n - 1) if n > 1 else 0.0
    return mean, max(variance, 0.0)


def _t_quantile(p: float, df: float) -> float:
    """Student t quantile by the Cornish-Fisher expansion around the normal one."""
    z = _NORMAL.inv_cdf(p)
    if df >= 1e6:
        return z
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    return z + g1 / df + g2 / df**2 + g3 / df**3


def _t_sf_two_sided(t: float, df: float) -> float:
    """Two-sided p-value of |t| with df degrees of freedom (by bisection on the quantile)."""
    t = abs(t)
    low, high = 0.5, 1 - 1e-15
    if _t_quantile(high, df) <= t:
        return 2 * (1 - high)
    for _ in range(80):
        mid = (low + high) / 2
        if _t_quantile(mid, df) < t:
            low = mid
        else:
            high = mid
    return 2 * (1 - (low + high) / 2)


def mean_diff_ci(
    *,
    n1: int,
    sum1: Decimal | float,
    sumsq1: Decimal | float,
    n2: int,
    sum2: Decimal | float,
    sumsq2: Decimal | float,
    confidence: float = 0.95,
) -> MeanDiff:
    """Welch's difference of two means (group 2 minus group 1) from each group's count, sum and
    sum of squares (what one SQL statement per arm gives, e.g. amounts collected per account,
    zeros included)."""
    if n1 < 2 or n2 < 2:
        if n1 and n2:
            diff = float(sum2) / n2 - float(sum1) / n1
            return MeanDiff(diff=diff, t=None, df=None, p_value=None, ci_low=None, ci_high=None)
        return MeanDiff(diff=None, t=None, df=None, p_value=None, ci_low=None, ci_high=None)
    mean1, var1 = _mean_var(n1, float(sum1), float(sumsq1))
    mean2, var2 = _mean_var(n2, float(sum2), float(sumsq2))
    diff = mean2 - mean1
    a, b = var1 / n1, var2 / n2
    se = math.sqrt(a + b)
    if se == 0:
        return MeanDiff(diff=diff, t=None, df=None, p_value=None, ci_low=diff, ci_high=diff)
    df = (a + b) ** 2 / (a * a / (n1 - 1) + b * b / (n2 - 1))
    t = diff / se
    quantile = _t_quantile(0.5 + confidence / 2, df)
    return MeanDiff(
        diff=diff,
        t=t,
        df=df,
        p_value=_t_sf_two_sided(t, df),
        ci_low=diff - quantile * se,
        ci_high=diff + quantile * se,
    )


def mean_ci(
    *, n: int, total: Decimal | float, total_squares: Decimal | float, confidence: float = 0.95
) -> tuple[float, float] | None:
    """A t interval of one group's mean (None with fewer than two values)."""
    if n < 2:
        return None
    mean, variance = _mean_var(n, float(total), float(total_squares))
    half = _t_quantile(0.5 + confidence / 2, n - 1) * math.sqrt(variance / n)
    return mean - half, mean + half
