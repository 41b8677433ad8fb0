"""Benchmarks of issue 5: Monte Carlo throughput and the rate calculator's latency."""

from __future__ import annotations

import time

from harness import benchmark, widget_update_p95


@benchmark("montecarlo_samples_per_s", unit="samples/s", target=1e6, better="higher")
def montecarlo_samples_per_s() -> float:
    from tcpmodel.models import simulate_duplicate_arrivals

    simulate_duplicate_arrivals(30, 120, n=100_000, seed=0)  # warm up numpy
    n = 5_000_000
    best = float("inf")
    for seed in range(3):
        start = time.perf_counter()
        simulate_duplicate_arrivals(30, 120, n=n, seed=seed)
        best = min(best, time.perf_counter() - start)
    return n / best


@benchmark("widget:rate_calculator", unit="s", target=0.1, better="lower")
def rate_calculator_p95() -> float:
    import matplotlib

    matplotlib.use("Agg", force=True)
    from tcpmodel.widgets.calculators import rate_calculator

    widget = rate_calculator()
    cycle = [
        {"time_wait_s": 60.0, "destinations": 1},
        {"time_wait_s": 30.0, "destinations": 4},
        {"low": 1024, "high": 65535, "tw_reuse": 1},
        {"low": 32768, "high": 60999, "tw_reuse": "ignore"},
    ]
    return widget_update_p95(widget, cycle)
