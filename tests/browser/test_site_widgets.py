"""Widgets on the static site (issue 16): every widget, its grid, its frames' truth, and a reader's browser.

The site (``_build/site``, built by the ``site`` fixture of ``test_site.py``
when stale) carries, after each widget's static figure, a manifest of its
controls and of the frames drawn at every point of its grid. These tests check

* that every widget cell of every notebook has a site version, and every grid
  point a frame whose file exists;
* the truth: for a sample of grid points of each widget, the frame drawn now by
  the live widget (built from the notebook cell, drawn with Agg in the course
  style) is byte for byte the site's frame;
* the budgets: the whole site ≤ 30 MB; a page ≤ 2 MB before the reader touches
  a control (every resource the page loaded, from the Performance API);
* in Chromium, every control of every widget moved (the middle and both ends
  of a slider, every option, both check box states, every step), each time
  the frame for the values shown, loaded, with its alt text; no console error,
  no failed request; one widget per page with the keyboard alone; axe-core on
  the widgets; with JavaScript off, the static figure and its caption.

Screenshots of each widget go to ``_build/screenshots/site-widgets/``.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from site_harness import Move, check_shown, exercise, keyboard_walk, manifests
from test_site import AXE_DISABLED, AXE_TAGS, NOTEBOOKS, ROOT, base_url, build_site, site  # noqa: F401 - fixtures

SCREENSHOTS = ROOT / "_build" / "screenshots" / "site-widgets"
SITE_BUDGET_BYTES = 30 * 2**20
PAGE_BUDGET_BYTES = 2 * 2**20
SPECS = build_site.site_widget_specs(NOTEBOOKS)
WIDGET_PAGES = sorted({f"notebooks/{Path(s['notebook']).stem}.html" for s in SPECS})


def _page_manifests(site: Path, page: str) -> list[dict]:
    text = (site / page).read_text(encoding="utf-8")
    found = re.findall(r'<div class="course-site-widget"[^>]*><script type="application/json">(.*?)</script></div>', text, re.S)
    return [json.loads(m.replace("<\\/", "</")) for m in found]


def _all_manifests(site: Path) -> dict[str, dict]:
    return {m["id"]: m for page in WIDGET_PAGES for m in _page_manifests(site, page)}


def test_every_widget_has_a_site_version_and_every_grid_point_a_frame(site):
    from tcpmodel.widgets.site import check_grid, grid_points, widget_from_source

    found = _all_manifests(site)
    assert sorted(found) == sorted(s["id"] for s in SPECS), "every widget cell of every notebook has a site version"
    for spec in SPECS:
        manifest = found[spec["id"]]
        grid = check_grid(widget_from_source(spec["source"]))
        points = grid_points(grid)
        keys = {".".join(map(str, index)) for index, _values in points}
        assert set(manifest["frames"]) == keys, f"{spec['id']}: the frames are not the grid's points"
        for key, frames in manifest["frames"].items():
            assert frames, f"{spec['id']} {key}: no frame"
            for frame in frames:
                assert frame["alt"].strip(), f"{spec['id']} {key}: frame without alt text"
                if "f" in frame:
                    path = site / "_static" / "widget-frames" / f"{frame['f']}.png"
                    assert path.is_file() and path.stat().st_size > 0, f"{spec['id']} {key}: missing frame file {path.name}"
                else:
                    assert frame.get("error"), f"{spec['id']} {key}: neither an image nor an error"


def _sample(points: list, rng: random.Random, k: int = 4) -> list:
    """The first point, the last, and ``k`` more at random (seeded)."""
    chosen = {0, len(points) - 1} | set(rng.sample(range(len(points)), min(k, len(points))))
    return [points[i] for i in sorted(chosen)]


@pytest.mark.parametrize("spec", SPECS, ids=[s["id"] for s in SPECS])
def test_site_frames_are_what_the_live_widget_draws(site, spec):
    """The truth: drawn again now by the live widget, a sample of frames is byte for byte the site's."""
    import matplotlib

    matplotlib.use("Agg")
    from tcpmodel.widgets.site import check_grid, grid_points, render_point, widget_from_source

    manifest = _all_manifests(site)[spec["id"]]
    widget = widget_from_source(spec["source"])
    rng = random.Random(f"site-truth-{spec['id']}")
    for index, values in _sample(grid_points(check_grid(widget)), rng):
        key = ".".join(map(str, index))
        live = render_point(widget, values)
        shown = manifest["frames"][key]
        assert len(live) == len(shown), f"{spec['id']} {values}: {len(live)} steps now, {len(shown)} on the site"
        for step, (now, frame) in enumerate(zip(live, shown)):
            where = f"{spec['id']} {values} step {step}"
            if now["png"] is None:
                assert frame.get("error") == now["error"], where
                continue
            on_site = (site / "_static" / "widget-frames" / f"{frame['f']}.png").read_bytes()
            assert on_site == now["png"], f"{where}: the site's frame is not what the widget draws now (run make site)"
            assert (frame["w"], frame["h"]) == (now["width"], now["height"]), where
            assert frame.get("html", "") == now["html"], f"{where}: the table beside the frame differs"


def test_site_stays_within_its_size_budget(site):
    size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    assert size <= SITE_BUDGET_BYTES, f"the site is {size / 2**20:.1f} MB; the budget is {SITE_BUDGET_BYTES / 2**20:.0f} MB"


# -- In the browser -----------------------------------------------------------------


def _logs(driver) -> tuple[list[str], list[str]]:
    """Console errors and failed requests since the last call."""
    console, perf = driver.get_log("browser"), driver.get_log("performance")
    errors = [e["message"] for e in console if e.get("level") == "SEVERE"]
    failed, urls = [], {}
    for entry in perf:
        msg = json.loads(entry["message"])["message"]
        method, params = msg.get("method"), msg.get("params", {})
        if method == "Network.requestWillBeSent":
            urls[params["requestId"]] = params["request"]["url"]
        elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
            failed.append(f"{params['response']['status']} {params['response']['url']}")
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            failed.append(f"{params.get('errorText')} {urls.get(params['requestId'], '?')}")
    return errors, failed


PAGE_WEIGHT_JS = """
const nav = performance.getEntriesByType('navigation')[0];
const resources = performance.getEntriesByType('resource');
const size = e => e.decodedBodySize || e.encodedBodySize || e.transferSize || 0;
return {total: size(nav) + resources.reduce((s, e) => s + size(e), 0), count: resources.length + 1,
        largest: resources.map(e => [size(e), e.name]).sort((a, b) => b[0] - a[0]).slice(0, 3)};
"""


@pytest.mark.parametrize("path", WIDGET_PAGES)
def test_site_widgets_in_browser(page, base_url, site, path):  # noqa: F811 - fixtures
    """Every control of every widget on the page, with the mouse and keys; one widget with the keyboard alone."""
    load = page.goto(base_url + path)
    assert load.console_errors == [] and load.failed_requests == [], (load.console_errors, load.failed_requests)
    weight = page.driver.execute_script(PAGE_WEIGHT_JS)
    assert weight["total"] <= PAGE_BUDGET_BYTES, f"{path}: {weight['total'] / 2**20:.2f} MB before any control is touched {weight}"
    found = manifests(page.driver)
    assert {m["id"] for m in found} == {s["id"] for s in SPECS if path.endswith(Path(s["notebook"]).stem + ".html")}
    ready = page.driver.execute_script(
        "return Array.from(document.querySelectorAll('.course-site-widget')).map(d => [d.classList.contains('csw-ready'),"
        " !!d.previousElementSibling && d.previousElementSibling.matches('figure.course-widget-fallback') ? d.previousElementSibling.hidden : null])")
    assert all(r for r, _ in ready), f"{path}: widgets.js did not build every widget"
    assert all(hidden in (True, None) for _, hidden in ready), f"{path}: the static figure stays beside the live widget"

    violations = page.run_axe(tags=AXE_TAGS, disable=list(AXE_DISABLED))
    summary = [(v["id"], [n["target"] for n in v["nodes"]][:5]) for v in violations]
    assert violations == [], f"{path}: accessibility violations {summary}"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for manifest in found:  # before any move: the frame for the initial values, loaded
        first = check_shown(page.driver, manifest, Move(manifest["id"], "-", "page load"))
        problems += [] if first.ok else [f"{manifest['id']} on load: {first.problem}"]
        start = ".".join(str(c["initial"]) for c in manifest["controls"] if c["kind"] != "steps")
        assert first.key == start, f"{manifest['id']}: the controls show {first.key}, not the initial values {start}"
    for manifest in found:
        run = exercise(page.driver, manifest)
        problems += run.problems
        assert len(run.moves) >= sum(1 for c in manifest["controls"] if c["kind"] != "upload"), manifest["id"]
        root = page.driver.find_element("css selector", f'section.csw[data-widget="{manifest["id"]}"]')
        page.driver.execute_script("arguments[0].scrollIntoView({block: 'start', behavior: 'instant'}); window.scrollBy(0, -60);", root)
        root.screenshot(str(SCREENSHOTS / f"{manifest['id']}.png"))
    keyboard = keyboard_walk(page.driver, found[0])
    problems += keyboard.problems
    assert len(keyboard.moves) >= 2, f"{path}: the keyboard reached too few controls of {found[0]['id']}"
    errors, failed = _logs(page.driver)
    assert problems == [], f"{path}: {problems[:10]}"
    assert errors == [] and failed == [], f"{path}: console errors {errors}, failed requests {failed}"
    # The page after all that: still accessible, in the dark scheme too.
    page.set_color_scheme("dark")
    dark = page.run_axe(rules=["color-contrast"])
    page.set_color_scheme("light")
    assert dark == [], f"{path} (dark): {[(v['id'], [n['target'] for n in v['nodes']][:5]) for v in dark]}"


def test_without_javascript_the_static_figure_stays(page, base_url):  # noqa: F811
    path = WIDGET_PAGES[0]
    page.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        page.goto(base_url + path)
        state = page.driver.execute_script  # scripts are off for the page, not for the driver's own calls
        shown = state(
            "return Array.from(document.querySelectorAll('figure.course-widget-fallback')).map(f => [!f.hidden && f.offsetHeight > 0,"
            " f.querySelector('figcaption').textContent]).concat([[document.querySelectorAll('section.csw').length, '']])")
    finally:
        page.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    *figures, (widgets, _) = shown
    assert figures and all(visible for visible, _ in figures), f"{path}: the static figure is not shown without JavaScript"
    assert all("Binder" in caption for _, caption in figures)
    assert widgets == 0
