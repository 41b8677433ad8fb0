"""Workaround scenarios (issue 7): the tw_recycle_nat simulation at 1,000 clients."""

from __future__ import annotations

import statistics

from harness import benchmark, time_calls


def _run_recycle() -> object:
    from tcpmodel.sim import simulate

    return simulate("tw_recycle_nat", clients=1000, seed=0)


@benchmark("sim:tw_recycle_nat", unit="s", target=0.5)
def sim_tw_recycle_nat() -> float:
    """Median seconds of one tw_recycle_nat run with 1,000 clients behind one NAT address (1 h simulated)."""
    return statistics.median(time_calls(_run_recycle, repeat=7, warmup=1))
