"""Live labs: wall time of one run of every experiment on this kernel (issue 6)."""

from __future__ import annotations

import time

from harness import BenchmarkSkipped, benchmark


@benchmark("live:all_experiments", unit="s", target=10.0)
def all_experiments() -> float:
    """Seconds for tcpmodel.live.run_all(): every experiment, every parameter combination, once."""
    from tcpmodel import live

    ok, reason = live.available()
    if not ok:
        raise BenchmarkSkipped(reason)
    start = time.perf_counter()
    results = live.run_all()
    elapsed = time.perf_counter() - start
    wrong = [r.experiment for r in results if not r.matches]
    if wrong:
        raise RuntimeError(f"live experiments disagree with the model: {wrong}")
    return elapsed
