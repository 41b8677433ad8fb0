"""Course-wide benchmarks: import cost, and nbval time against the kernel-start floor."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from harness import ROOT, benchmark

NBVAL = ["--nbval", "--nbval-current-env", "--nbval-sanitize-with", str(ROOT / "tests/nbval_sanitize.cfg"), "-p", "no:cacheprovider"]
_course_seconds: dict[str, list[float]] = {}


@benchmark("import_tcpmodel", unit="s", target=0.15)
def import_tcpmodel() -> float:
    """Median seconds for `import tcpmodel` in a fresh interpreter (startup excluded)."""
    code = "import time; t = time.perf_counter(); import tcpmodel; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout) for _ in range(7)]
    return statistics.median(runs)


def _nbval_seconds(paths: list[Path]) -> float:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", *NBVAL, *map(str, paths)], cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"nbval failed while benchmarking:\n{result.stdout[-2000:]}")
    return elapsed


def _course_notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _floor_notebooks(tmp: Path) -> list[Path]:
    """As many one-cell notebooks as the course has: each only starts a kernel and adds 1 + 1."""
    paths = []
    for i, _ in enumerate(_course_notebooks()):
        nb = nbformat.v4.new_notebook()
        cell = nbformat.v4.new_code_cell("1 + 1", execution_count=1)
        cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)]
        nb.cells = [cell]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        path = tmp / f"{i:02d}_floor.ipynb"
        nbformat.write(nb, path)
        paths.append(path)
    return paths


#: Floor and course runs, alternated. One run of each swings by ±5% on this
#: 2-core machine (the ratio by ±0.1); medians of alternated runs share the
#: machine's state and settle it.
PAIRS = 3


def _compile_tcpmodel() -> None:
    """Byte-compile tcpmodel once, as an installed package is.

    Binder installs tcpmodel with pip (not editable), and pip byte-compiles what
    it installs. The editable install in .venv is compiled on first import,
    unless PYTHONDONTWRITEBYTECODE is set (as on this machine): then every
    kernel would recompile the package, about 0.04 s per notebook that no
    learner pays.
    """
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "tcpmodel")], check=True,
                   env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""})


def _paired_runs() -> dict[str, list[float]]:
    if not _course_seconds:
        _compile_tcpmodel()
        with tempfile.TemporaryDirectory() as tmp:
            floor_paths = _floor_notebooks(Path(tmp))
            runs: dict[str, list[float]] = {"floor": [], "course": []}
            for _ in range(PAIRS):
                runs["floor"].append(_nbval_seconds(floor_paths))
                runs["course"].append(_nbval_seconds(_course_notebooks()))
        _course_seconds.update(runs)
        out = ROOT / "_build" / "bench"
        out.mkdir(parents=True, exist_ok=True)
        (out / "course_execution_runs.json").write_text(json.dumps({"pairs": PAIRS, **runs}, indent=2) + "\n", encoding="utf-8")
    return _course_seconds


@benchmark("course_execution_floor", unit="s", target=float("inf"))
def course_execution_floor() -> float:
    """nbval over as many one-cell notebooks as the course has: the kernel-start floor (median of PAIRS runs)."""
    return statistics.median(_paired_runs()["floor"])


@benchmark("course_execution", unit="s", target=float("inf"))
def course_execution() -> float:
    """nbval over every course notebook (median of PAIRS runs, alternated with the floor's); target 2x the floor."""
    return statistics.median(_paired_runs()["course"])


@benchmark("course_execution_ratio", unit="x floor", target=2.0)
def course_execution_ratio() -> float:
    """course_execution / course_execution_floor, both from this run."""
    return course_execution() / course_execution_floor()
