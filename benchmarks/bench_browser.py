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

``site:widget_response_p95`` (issue 16), measured in the same run and printed
just after it, is the same question on the static site, where there is no
kernel: ``_build/site`` (built first if missing) is served on a free localhost
port, every site widget's every control is moved as the site's browser test
does (``tests/browser/site_harness.py``), and the page's script records the
time from each input event to the new frame being painted (decoded, swapped
in, one animation frame and a task later). The value is the p95 over all
widgets; per-widget figures, with the kernel round trip beside them, go to
``_build/bench/site_widget_response.json``.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict

from harness import ROOT, BenchmarkSkipped, benchmark, p95

sys.path.insert(0, str(ROOT / "tests" / "browser"))

DETAILS = ROOT / "_build" / "bench" / "browser_widget_roundtrip.json"


def _require_browser(lab_h):  # noqa: ANN001, ANN202 - the lab_harness module; its Chromium paths
    """Chromium's paths, or BenchmarkSkipped saying what to install (Chromium, or Selenium)."""
    paths = lab_h.find_chromium()
    if paths is None:
        raise BenchmarkSkipped(lab_h.INSTALL_HINT)
    try:
        import selenium  # noqa: F401
    except ImportError:
        raise BenchmarkSkipped("Selenium is not installed: .venv/bin/pip install -r requirements-site.txt") from None
    return paths


def _write_details(path, samples: list[float], per_widget: dict, **extra) -> float:  # noqa: ANN001, ANN003
    """Write the p95, the move count, ``extra`` and per-widget figures to ``path``; return the p95."""
    details = {"p95_s": p95(samples), "moves": len(samples), **extra,
               "widgets": {name: {"moves": len(v), "median_s": sorted(v)[len(v) // 2], "p95_s": p95(v), "max_s": max(v)}
                           for name, v in sorted(per_widget.items())}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(details, indent=2) + "\n", encoding="utf-8")
    return details["p95_s"]


@benchmark("browser:widget_roundtrip", unit="s", target=0.2)
def widget_roundtrip() -> float:
    """p95 seconds from moving a control to its output being redrawn, in Chromium, over all widgets."""
    import lab_harness as lab_h

    paths = _require_browser(lab_h)
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
    return _write_details(DETAILS, samples, per_widget)


SITE_DETAILS = ROOT / "_build" / "bench" / "site_widget_response.json"


@benchmark("site:widget_response_p95", unit="s", target=0.05)
def site_widget_response() -> float:
    """p95 seconds from a control's change to the new frame painted, on the static site in Chromium, over all site widgets."""
    import importlib.util
    import time

    import lab_harness as lab_h

    paths = _require_browser(lab_h)
    import site_harness
    from conftest import serving

    site = ROOT / "_build" / "site"
    if not (site / ".nojekyll").exists():
        spec = importlib.util.spec_from_file_location("build_site", ROOT / "tools" / "build_site.py")
        builder = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(builder)
        builder.build(ROOT / "notebooks", ROOT / "figures", site, ROOT / "_build" / "site-src")
    pages = sorted(str(p.relative_to(site)) for p in (site / "notebooks").glob("*.html")
                   if "course-site-widget" in p.read_text(encoding="utf-8"))
    if not pages:
        raise BenchmarkSkipped("no page of the site has a site widget")
    per_widget: dict[str, list[float]] = defaultdict(list)
    problems: list[str] = []
    with serving(site) as base, lab_h.chromium(paths) as driver:
        for page in pages:
            driver.get(base + page)
            while driver.execute_script("return document.readyState") != "complete":
                time.sleep(0.05)
            for manifest in site_harness.manifests(driver):
                problems += site_harness.exercise(driver, manifest).problems
            time.sleep(0.2)  # the last move's paint
            for t in site_harness.timings(driver):
                per_widget[t["widget"]].append(t["ms"] / 1000)
    samples = [v for values in per_widget.values() for v in values]
    if not samples:
        raise BenchmarkSkipped("no control move showed a new frame")
    kernel = json.loads(DETAILS.read_text(encoding="utf-8")) if DETAILS.exists() else {}
    return _write_details(SITE_DETAILS, samples, per_widget, problems=problems,
                          kernel_roundtrip_p95_s=kernel.get("p95_s"))
