"""Benchmark registry and runner used by `make bench`.

Each ``benchmarks/bench_<topic>.py`` registers functions with
:func:`benchmark`; a function returns the measured value in the declared
unit, or raises :class:`BenchmarkSkipped` with a reason a reader understands
(for example "Chromium is not installed"). :func:`run_all` prints a table and
writes ``.bench.json`` as ``{name: {"value", "unit", "target", "better"}}``.
"""

from __future__ import annotations

import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class BenchmarkSkipped(Exception):
    """Raised by a benchmark that cannot run here; the message says why."""


@dataclass(frozen=True)
class Benchmark:
    name: str
    unit: str
    target: float
    better: str
    measure: Callable[[], float]

    def meets(self, value: float) -> bool:
        return value <= self.target if self.better == "lower" else value >= self.target


REGISTRY: dict[str, Benchmark] = {}


def benchmark(name: str, *, unit: str, target: float, better: str = "lower") -> Callable[[Callable[[], float]], Callable[[], float]]:
    """Register a zero-argument function that returns one measurement."""
    if better not in ("lower", "higher"):
        raise ValueError(f"better must be 'lower' or 'higher'; got {better!r}")

    def register(measure: Callable[[], float]) -> Callable[[], float]:
        REGISTRY[name] = Benchmark(name, unit, float(target), better, measure)
        return measure

    return register


def p95(samples: list[float]) -> float:
    """The 95th percentile of a list of timings (inclusive method)."""
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def time_calls(call: Callable[[], object], *, repeat: int = 30, warmup: int = 2) -> list[float]:
    """Wall-clock seconds of ``repeat`` calls, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def widget_update_p95(widget: object, values_cycle: list[dict], *, repeat: int = 30) -> float:
    """p95 seconds of ``widget.update(**values)`` cycling through ``values_cycle``, Agg backend."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import warnings

    state = {"i": 0}

    def step() -> None:
        values = values_cycle[state["i"] % len(values_cycle)]
        state["i"] += 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            widget.update(**values)  # type: ignore[attr-defined]

    return p95(time_calls(step, repeat=repeat))


def load_benchmark_modules(folder: Path = ROOT / "benchmarks") -> None:
    sys.path.insert(0, str(folder))
    for path in sorted(folder.glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        spec.loader.exec_module(module)  # type: ignore[union-attr]


def run_all(only: list[str] | None = None, out: Path = ROOT / ".bench.json") -> int:
    load_benchmark_modules()
    results: dict[str, dict] = {}
    missed = []
    print(f"{'benchmark':34} {'value':>14} {'target':>14}  result", flush=True)
    for name, bench in REGISTRY.items():
        if only and not any(pattern in name for pattern in only):
            continue
        comparison = "≤" if bench.better == "lower" else "≥"
        try:
            value = float(bench.measure())
        except BenchmarkSkipped as skip:
            print(f"{name:34} {'skipped':>14} {comparison}{bench.target:>12g} {bench.unit}  ({skip})", flush=True)
            results[name] = {"value": None, "unit": bench.unit, "target": bench.target, "better": bench.better, "skipped": str(skip)}
            continue
        if name == "course_execution" and "course_execution_floor" in results and results["course_execution_floor"]["value"]:
            # The course's target is relative: twice the floor measured in this same run.
            bench = Benchmark(name, bench.unit, 2 * results["course_execution_floor"]["value"], bench.better, bench.measure)
        ok = bench.meets(value)
        if not ok:
            missed.append(name)
        print(f"{name:34} {value:>14.4g} {comparison}{bench.target:>12g} {bench.unit}  {'ok' if ok else 'MISSED'}", flush=True)
        results[name] = {"value": value, "unit": bench.unit, "target": bench.target, "better": bench.better}
    if only and out.exists():
        previous = json.loads(out.read_text(encoding="utf-8"))
        previous.update(results)
        results = previous
    out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {out.name}; {len(missed)} target(s) missed{': ' + ', '.join(missed) if missed else ''}")
    return 1 if missed else 0
