"""The statistics of results: z-test, Wilson and Welch against published or closed-form values."""

import math

import pytest

from experiments.services.stats import (
    mean_ci,
    mean_diff_ci,
    proportion_ci,
    two_proportion_ztest,
)


def test_two_proportion_ztest_matches_the_textbook_example():
    """Stat Trek, "Hypothesis Test: Difference Between Proportions", example 1 (the Acme Drug
    Company's cold drug): 100 women of whom 38% caught a cold, 200 men of whom 51% did. The
    worked answer: pooled p = 0.467, SE = 0.0610, z = -2.13, two-sided P-value = 0.033 (0.0166
    in each tail), so the difference is significant at the 0.05 level."""
    test = two_proportion_ztest(x1=102, n1=200, x2=38, n2=100)
    assert test.diff == pytest.approx(-0.13)
    assert test.z == pytest.approx(-2.13, abs=0.005)
    assert test.p_value == pytest.approx(0.033, abs=0.001)
    assert test.p_value < 0.05


def test_unpooled_interval_matches_the_textbook_example():
    """Stat Trek, "Confidence Interval: Difference Between Proportions", the Cartoon Network
    survey: 400 boys of whom 40% like Superman, 300 girls of whom 30%; SE = 0.036, 90%
    interval 0.10 ± 0.059, i.e. 0.04 to 0.16 (unpooled standard error)."""
    test = two_proportion_ztest(x1=90, n1=300, x2=160, n2=400, confidence=0.90)
    assert test.diff == pytest.approx(0.10)
    assert test.ci_low == pytest.approx(0.04, abs=0.002)
    assert test.ci_high == pytest.approx(0.16, abs=0.002)
    half = (test.ci_high - test.ci_low) / 2
    assert half == pytest.approx(0.059, abs=0.0005)


def test_ztest_edge_cases():
    # An empty arm: nothing can be said.
    empty = two_proportion_ztest(x1=0, n1=0, x2=3, n2=10)
    assert (empty.diff, empty.z, empty.p_value, empty.ci_low) == (None, None, None, None)
    # Nobody cured in either arm: no variance, no test, but a difference of 0.
    none = two_proportion_ztest(x1=0, n1=50, x2=0, n2=50)
    assert none.diff == 0 and none.z is None and none.p_value is None
    # Identical proportions: z 0, p 1.
    same = two_proportion_ztest(x1=10, n1=100, x2=20, n2=200)
    assert same.z == pytest.approx(0) and same.p_value == pytest.approx(1)
    with pytest.raises(ValueError):
        two_proportion_ztest(x1=11, n1=10, x2=0, n2=10)


def test_wilson_interval_closed_forms_and_edges():
    # x = 0: the lower end is exactly 0 and the upper one is z²/(n + z²).
    z2 = 1.959963984540054**2
    low, high = proportion_ci(0, 10)
    assert low == 0.0 and high == pytest.approx(z2 / (10 + z2))
    # x = n mirrors it.
    low, high = proportion_ci(10, 10)
    assert high == 1.0 and low == pytest.approx(10 / (10 + z2))
    # Symmetric around 1/2 for x = n/2, and inside (0, 1).
    low, high = proportion_ci(50, 100)
    assert low + high == pytest.approx(1.0)
    assert low == pytest.approx(0.4038, abs=0.0001)
    assert proportion_ci(0, 0) is None


def test_welch_difference_of_means():
    # Group 1: 0..9 (mean 4.5, var 9.1667); group 2: 3..14 (mean 8.5, var 13): diff 4, SE √2,
    # Welch df ≈ 19.99, t quantile (0.975, 20) = 2.086: interval 4 ± 2.950.
    first, second = list(range(10)), list(range(3, 15))
    result = mean_diff_ci(
        n1=len(first),
        sum1=sum(first),
        sumsq1=sum(v * v for v in first),
        n2=len(second),
        sum2=sum(second),
        sumsq2=sum(v * v for v in second),
    )
    assert result.diff == pytest.approx(4.0)
    assert result.t == pytest.approx(4 / math.sqrt(2))
    assert result.df == pytest.approx(19.994, abs=0.001)
    assert result.ci_low == pytest.approx(4 - 2.086 * math.sqrt(2), abs=0.005)
    assert result.ci_high == pytest.approx(4 + 2.086 * math.sqrt(2), abs=0.005)
    # Two-sided p for t = 2.828 with 20 df is 0.0104.
    assert result.p_value == pytest.approx(0.0104, abs=0.0005)


def test_welch_edge_cases():
    assert mean_diff_ci(n1=0, sum1=0, sumsq1=0, n2=5, sum2=5, sumsq2=5).diff is None
    flat = mean_diff_ci(n1=3, sum1=0, sumsq1=0, n2=3, sum2=0, sumsq2=0)
    assert flat.diff == 0 and flat.p_value is None
    assert mean_ci(n=1, total=5, total_squares=25) is None
