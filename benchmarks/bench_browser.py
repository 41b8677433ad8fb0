"""Browser benchmarks: the widget round trip a learner feels in JupyterLab (issue 9).

``browser:widget_roundtrip`` starts JupyterLab and headless Chromium exactly as
``tests/browser/test_jupyterlab_widgets.py`` does (``tests/browser/lab_harness.py``),
opens every notebook that has a widget, runs it, and moves every control of
every widget to a middle value and both ends of its range with the mouse or
keyboard. For each move that changed a value it measures, inside the page,
the time from the last input event to the last redraw of the widget's output
(images loaded), or to the error message for a bad value. The value is the
p95 over all those moves. Per-widget figures go to
``_build/bench/browser_widget_roundtrip.json``.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict

from harness import ROOT, BenchmarkSkipped, benchmark, p95

sys.path.insert(0, str(ROOT / "tests" / "browser"))

DETAILS = ROOT / "_build" / "bench" / "browser_widget_roundtrip.json"


@benchmark("browser:widget_roundtrip", unit="s", target=0.2)
def widget_roundtrip() -> float:
    """p95 seconds from moving a control to its output being redrawn, in Chromium, over all widgets."""
    import lab_harness as lab_h

    paths = lab_h.find_chromium()
    if paths is None:
        raise BenchmarkSkipped(lab_h.INSTALL_HINT)
    try:
        import selenium  # noqa: F401
    except ImportError:
        raise BenchmarkSkipped("Selenium is not installed: .venv/bin/pip install -r requirements-site.txt") from None
    notebooks = lab_h.widget_notebooks()
    if not notebooks:
        raise BenchmarkSkipped("no notebook in notebooks/ shows a widget yet")
    samples: list[float] = []
    per_widget: dict[str, list[float]] = defaultdict(list)
    with lab_h.JupyterLab(notebooks) as lab, lab_h.chromium(paths) as driver:
        for notebook in notebooks:
            session = lab_h.NotebookSession(driver, lab, notebook)
            try:
                session.open()
                session.run_all()
                session.wait_for_views(lab_h.widget_cells(notebook))
                session.exercise_all()
            finally:
                session.shutdown_kernel()
            for move in session.moves:
                if move.changed and move.roundtrip_s is not None:
                    samples.append(move.roundtrip_s)
                    per_widget[f"{notebook.stem} widget {move.widget + 1}"].append(move.roundtrip_s)
    if not samples:
        raise BenchmarkSkipped("no control move was redrawn")
    DETAILS.parent.mkdir(parents=True, exist_ok=True)
    DETAILS.write_text(
        json.dumps(
            {
                "p95_s": p95(samples),
                "moves": len(samples),
                "widgets": {
                    name: {"moves": len(v), "median_s": sorted(v)[len(v) // 2], "p95_s": p95(v), "max_s": max(v)}
                    for name, v in sorted(per_widget.items())
                },
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return p95(samples)
