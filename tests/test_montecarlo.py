"""The duplicate-arrival model: analytic probability against its Monte Carlo estimator.

The analytic values in the hand-checked cases follow from the model's definition
(uniform delay on [0, MSL]: P(D > gap) = 1 - gap/MSL), not from the code.
"""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tcpmodel.models import (
    MonteCarloEstimate,
    duplicate_arrival_probability,
    duplicate_in_window,
    simulate_duplicate_arrivals,
)

MSL = 120.0


def test_hand_checked_values():
    assert duplicate_arrival_probability(30, MSL, isn_policy="same") == pytest.approx(0.75)
    assert duplicate_arrival_probability(0, MSL, isn_policy="same") == pytest.approx(1.0)
    # new incarnation lasting 30 s after a 30 s gap catches D in (30, 60): 30/120
    assert duplicate_arrival_probability(30, MSL, lifetime_s=30, isn_policy="same") == pytest.approx(0.25)
    # the hypothetical random ISN: a 64 KiB window covers 65535 of 2**32 sequence numbers
    assert duplicate_arrival_probability(0, MSL, isn_policy="random") == pytest.approx(65535 / 2**32)


def test_clock_driven_isns_decide_acceptance_without_chance():
    # RFC 9293 §3.4.1: the new ISN is the old one plus (old duration + gap) / 4 µs.
    # 5 s after a close, the clock has moved 5 / 4e-6 = 1,250,000: an old incarnation that
    # sent 300 octets is far behind the new window, one that sent 2,000,000 overlaps it.
    assert duplicate_arrival_probability(5, MSL) == 0.0  # the default policy
    assert duplicate_arrival_probability(5, MSL, sent_bytes=300, isn_policy="rfc6528") == 0.0
    assert duplicate_arrival_probability(5, MSL, sent_bytes=2_000_000) == pytest.approx(1 - 5 / MSL)
    # the old connection's own duration counts too: 2,000,000 octets over 10 s is slower than the clock
    assert duplicate_arrival_probability(5, MSL, sent_bytes=2_000_000, old_duration_s=10) == 0.0
    # the boundary is the clock: sent_bytes >= ticks overlaps, one octet fewer does not
    ticks = round(5 / 4e-6)
    assert duplicate_in_window(5, sent_bytes=ticks) and not duplicate_in_window(5, sent_bytes=ticks - 1)
    # Linux's 64 ns clock runs 62.5 times faster: the same 2,000,000 octets stay behind
    assert not duplicate_in_window(5, sent_bytes=2_000_000, isn_tick_s=2**6 * 1e-9)


@given(gap=st.floats(0, 100), sent=st.integers(0, 2**40), dur=st.floats(0, 1000), window=st.integers(1, 2**20))
def test_clock_driven_acceptance_is_all_or_nothing_and_never_above_the_worst_case(gap, sent, dur, window):
    kw = dict(sent_bytes=sent, old_duration_s=dur, window_bytes=window)
    p = duplicate_arrival_probability(gap, MSL, **kw)
    same = duplicate_arrival_probability(gap, MSL, window_bytes=window, isn_policy="same")
    assert p in (0.0, same)
    assert (p == same) == (duplicate_in_window(gap, **kw) or same == 0.0)


@given(gap=st.floats(0, 100), dur=st.floats(0, 100), tick=st.sampled_from([4e-6, 2**6 * 1e-9]))
def test_an_old_incarnation_slower_than_the_clock_never_reaches_the_new_window(gap, dur, tick):
    ticks = round((gap + dur) / tick)
    if 70_000 < ticks < 2**31:
        assert not duplicate_in_window(gap, sent_bytes=ticks - 70_000, old_duration_s=dur, isn_tick_s=tick)
        assert duplicate_in_window(gap, sent_bytes=ticks + 70_000, old_duration_s=dur, isn_tick_s=tick)


def test_exponential_delay_hand_checked():
    tau = 30.0
    expected = (math.exp(-60 / tau) - math.exp(-MSL / tau)) / (1 - math.exp(-MSL / tau))
    got = duplicate_arrival_probability(60, MSL, delay="exponential", mean_delay_s=tau, isn_policy="same")
    assert got == pytest.approx(expected)


@pytest.mark.parametrize("delay", ["uniform", "exponential"])
@pytest.mark.parametrize("gap", [MSL, MSL + 0.001, 2 * MSL, 3600])
def test_exactly_zero_once_the_gap_covers_the_longest_delay(delay, gap):
    assert duplicate_arrival_probability(gap, MSL, delay=delay, isn_policy="same") == 0.0
    assert simulate_duplicate_arrivals(gap, MSL, delay=delay, isn_policy="same", n=20_000, seed=5) == 0.0


@given(gap=st.floats(0, 200), more=st.floats(0, 50), msl=st.floats(1, 240))
def test_probability_falls_as_the_gap_grows(gap, more, msl):
    p1 = duplicate_arrival_probability(gap, msl, isn_policy="same")
    p2 = duplicate_arrival_probability(gap + more, msl, isn_policy="same")
    assert 0.0 <= p2 <= p1 <= 1.0


@given(gap=st.floats(0, 100), msl=st.floats(1, 240), window=st.integers(1, 2**30))
def test_random_isn_never_exceeds_the_worst_case(gap, msl, window):
    random_isn = duplicate_arrival_probability(gap, msl, window_bytes=window, isn_policy="random")
    same = duplicate_arrival_probability(gap, msl, window_bytes=window, isn_policy="same")
    assert random_isn <= same
    assert random_isn == pytest.approx(same * window / 2**32)


GRID = list(itertools.product(
    [0.0, 10.0, 45.0, 90.0, 119.0],           # gap_s
    [math.inf, 20.0],                          # lifetime_s
    ["uniform", "exponential"],                # delay
    # isn_policy, window_bytes, sent_bytes: the clock-driven ISN with an old incarnation slower
    # and faster than the clock over a 119 s gap (119 / 4e-6 = 29,750,000 ticks)
    [("same", 65535, 0), ("random", 2**28, 0), ("rfc6528", 65535, 1_000), ("rfc6528", 65535, 40_000_000)],
))


@pytest.mark.parametrize("gap,lifetime,delay,isn", GRID)
def test_monte_carlo_agrees_with_analytic_within_3_standard_errors(gap, lifetime, delay, isn):
    policy, window, sent = isn
    kwargs = dict(lifetime_s=lifetime, delay=delay, isn_policy=policy, window_bytes=window, sent_bytes=sent)
    p = duplicate_arrival_probability(gap, MSL, **kwargs)
    n = 200_000
    est = simulate_duplicate_arrivals(gap, MSL, n=n, seed=17, **kwargs)
    se = math.sqrt(p * (1 - p) / n)  # standard error under the analytic p
    assert abs(est - p) <= 3 * se + 1e-12, (est, p, se)


def test_estimate_is_a_float_with_its_standard_error_and_is_seeded():
    a = simulate_duplicate_arrivals(30, MSL, isn_policy="same", n=10_000, seed=3)
    b = simulate_duplicate_arrivals(30, MSL, isn_policy="same", n=10_000, seed=3)
    c = simulate_duplicate_arrivals(30, MSL, isn_policy="same", n=10_000, seed=4)
    assert isinstance(a, float) and isinstance(a, MonteCarloEstimate)
    assert float(a) == float(b) and a.hits == b.hits
    assert float(a) != float(c)
    assert a.n == 10_000 and a.standard_error == pytest.approx(math.sqrt(a * (1 - a) / 10_000))


def test_n_and_seed_may_be_positional():
    a = simulate_duplicate_arrivals(30, MSL, 5_000, 9, isn_policy="same")
    b = simulate_duplicate_arrivals(30, MSL, n=5_000, seed=9, isn_policy="same")
    assert a.n == 5_000 and float(a) == float(b)


def test_large_n_is_chunked_without_changing_the_mean():
    est = simulate_duplicate_arrivals(60, MSL, isn_policy="same", n=3_000_000, seed=11)
    assert abs(est - 0.5) <= 3 * math.sqrt(0.25 / 3_000_000)


@pytest.mark.parametrize(
    "kwargs,fragment",
    [
        ({"gap_s": -1, "msl_s": 120}, "gap_s must be a number in [0, 3600] (seconds); got -1"),
        ({"gap_s": 1, "msl_s": 0}, "msl_s must be a number in [0.001, 3600] (seconds); got 0"),
        ({"gap_s": 1, "msl_s": 120, "delay": "pareto"}, "delay must be one of 'uniform', 'exponential'"),
        ({"gap_s": 1, "msl_s": 120, "isn_policy": "clock"}, "isn_policy must be one of 'rfc6528', 'same', 'random'"),
        ({"gap_s": 1, "msl_s": 120, "sent_bytes": -1}, "sent_bytes must be an integer in [0, "),
        ({"gap_s": 1, "msl_s": 120, "window_bytes": 0}, "window_bytes must be an integer in [1, "),
        ({"gap_s": 1, "msl_s": 120, "lifetime_s": 0}, "lifetime_s must be a number in (0, inf)"),
    ],
)
def test_validation_messages(kwargs, fragment):
    for fn in (duplicate_arrival_probability, simulate_duplicate_arrivals):
        with pytest.raises(ValueError) as err:
            fn(**kwargs)
        assert fragment in str(err.value)


def test_simulation_rejects_bad_n():
    with pytest.raises(ValueError, match=r"n must be an integer in \[1, "):
        simulate_duplicate_arrivals(1, 120, n=0)
