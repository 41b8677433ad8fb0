"""The course's widgets in JupyterLab, in a real browser, as a student uses them (issue 9).

nbval checks stored outputs; it cannot tell whether a widget renders in
JupyterLab or answers when a slider moves. This test starts JupyterLab from
this environment on a free localhost port (with a token, over temporary
copies of the notebooks, so stored outputs are never touched), opens every
notebook that has a widget in headless Chromium (the ``browser`` fixture of
``tests/browser/conftest.py``), runs all its cells, and then:

* asserts that every widget view renders: no "Error displaying widget", no
  "model not found", no console errors, and each view is a ``CourseWidget``;
* moves every control with the mouse or keyboard to a middle value and then
  to both ends of its range, and asserts that the output is redrawn within
  1 s, replaces the old output (no pile-up, no stale figure beside an error
  message) and that no traceback appears anywhere;
* saves a screenshot of the notebook and of each widget into
  ``_build/screenshots/jupyterlab/`` (git-ignored) for a reviewer.

How the harness finds and moves things is in ``lab_harness.py``. A harness
self-test runs first on a small notebook made here, with one good widget and
two broken ones, so that a green run means the checks can see a failure.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import nbformat
import pytest

import lab_harness as lab_h

NOTEBOOKS = lab_h.widget_notebooks()
SELFTEST_NAME = "99_harness_selftest.ipynb"

#: Console messages that are not errors of the course. Each needs a reason.
CONSOLE_ALLOWED: list[tuple[str, str]] = []


def _selftest_notebook(folder: Path) -> Path:
    """One good CourseWidget (slider, dropdown, toggle) and two broken ones."""
    setup = nbformat.v4.new_code_cell(
        "%matplotlib inline\n"
        "import ipywidgets as w\n"
        "import matplotlib.pyplot as plt\n"
        "from IPython.display import display\n"
        "from tcpmodel.widgets.base import CourseWidget",
        id="setup",
    )
    good = nbformat.v4.new_code_cell(
        "def draw(msl, scale, log):\n"
        "    if msl == 0:\n"
        "        raise ValueError(f'msl must be a number in [1, 120] (seconds); got {msl}')\n"
        "    fig, ax = plt.subplots(figsize=(4, 2))\n"
        "    ax.plot([0, 1], [0, 2 * msl * {'x1': 1, 'x10': 10, 'x100': 100}[scale]])\n"
        "    ax.set_yscale('log' if log else 'linear')\n"
        "    ax.set_title(f'2 MSL = {2 * msl} s')\n"
        "    return fig\n"
        "CourseWidget({'msl': w.IntSlider(value=30, min=0, max=120, description='MSL (s)'),\n"
        "              'scale': w.Dropdown(options=['x1', 'x10', 'x100'], description='scale'),\n"
        "              'log': w.ToggleButton(value=False, description='log y')}, draw, title='good')",
        id="demo-good",
    )
    # A bug at the top of the slider: the base class shows "Unexpected error".
    # And a long description that leaves the second slider no track to drag.
    buggy = nbformat.v4.new_code_cell(
        "def draw_buggy(n, squeezed):\n"
        "    if n == 10:\n"
        "        raise KeyError(n)\n"
        "    return f'n = {n}, squeezed = {squeezed}'\n"
        "CourseWidget({'n': w.IntSlider(value=5, min=0, max=10, description='n'),\n"
        "              'squeezed': w.FloatSlider(value=600, min=30, max=1200, step=30, description=\"s between a host's connections\",\n"
        "                                        style={'description_width': 'initial'})}, draw_buggy, title='buggy')",
        id="demo-buggy",
    )
    # Built by hand with the course's CSS classes, but never clears its output.
    piling = nbformat.v4.new_code_cell(
        "out = w.Output(); out.add_class('tcpmodel-output')\n"
        "err = w.HTML(); err.add_class('tcpmodel-error')\n"
        "pick = w.Dropdown(options=['a', 'b', 'c'], description='pick')\n"
        "bar = w.HBox([pick]); bar.add_class('tcpmodel-controls')\n"
        "def show(change=None):\n"
        "    with out:\n"
        "        display(f'picked {pick.value}')\n"
        "pick.observe(show, names='value'); show()\n"
        "box = w.VBox([bar, err, out]); box.add_class('tcpmodel-widget'); box",
        id="demo-piling",
    )
    for cell in (good, buggy, piling):
        cell.metadata["tags"] = ["nbval-ignore-output"]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 99 · Harness self-test", id="title"), setup, good, buggy, piling]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / SELFTEST_NAME
    nbformat.write(nb, path)
    return path


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def selftest_notebook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _selftest_notebook(tmp_path_factory.mktemp("selftest"))


@pytest.fixture(scope="module")
def lab(browser, selftest_notebook: Path):
    """JupyterLab over copies of every widget notebook and the self-test; always shut down."""
    server = lab_h.JupyterLab([*NOTEBOOKS, selftest_notebook])
    with server:
        yield server
    # __exit__ has shut the kernels and the server down (process group killed if needed).


@pytest.fixture
def session(browser, lab):
    """A NotebookSession factory; each session's kernel is shut down afterwards, pass or fail."""
    browser.set_script_timeout(240)
    sessions: list[lab_h.NotebookSession] = []

    def make(notebook: Path) -> lab_h.NotebookSession:
        s = lab_h.NotebookSession(browser, lab, notebook)
        sessions.append(s)
        return s

    yield make
    for s in sessions:
        s.shutdown_kernel()
    with contextlib.suppress(Exception):
        browser.get_log("performance")  # the site tests' network log; drop what this test made
    with contextlib.suppress(Exception):
        browser.get("about:blank")  # leave JupyterLab, so the next test starts from a blank page


# --------------------------------------------------------------------------- checks


def _console_errors(session: lab_h.NotebookSession) -> list[str]:
    return [m for m in session.console_errors() if not any(re.search(pattern, m) for pattern, _ in CONSOLE_ALLOWED)]


def run_notebook(session: lab_h.NotebookSession, cells: list[str]) -> list[str]:
    """Open, run all, render, move every control; return every failure found (empty: all good)."""
    name = session.notebook.name
    failures: list[str] = []
    session.console_errors()  # only this notebook's messages from here on
    session.open()
    run = session.run_all()
    unrun = [i + 1 for i, count in enumerate(run["counts"]) if count is None]
    if unrun:
        failures.append(f"{name}: code cells {unrun} did not run (an error stopped Run All?)")
    views = session.wait_for_views(cells)
    failures += [f"{name}: widget did not render: {m}" for m in views["missing"]]
    failures += [f"{name}: {m}" for m in views["problems"]]
    failures += [f"{name}: a widget view that is not a CourseWidget (CONTRIBUTING.md, Widgets): {m}" for m in views["foreign"]]
    failures += [f"{name}: console error after Run All: {m}" for m in _console_errors(session)]
    if failures or not views["roots"]:
        return failures or [f"{name}: no CourseWidget rendered"]
    seen_problems: set[str] = set()
    for index in range(session.widget_count()):
        controls = [c for c in session.controls(index) if not c["disabled"]]
        if not controls:
            failures.append(f"{name}: widget {index + 1} has no control to move")
        for control in controls:
            if control["kind"] == "slider" and control["track_px"] < lab_h.MIN_TRACK_PX:
                failures.append(
                    f"{name}: widget {index + 1} slider {control['label']!r} has a {control['track_px']:.0f} px track "
                    f"(< {lab_h.MIN_TRACK_PX} px: a learner cannot drag it; widen its layout or shorten its description)"
                )
            moves = session.exercise(index, control)
            if not any(m.changed for m in moves):
                failures.append(f"{name}: widget {index + 1} {control['kind']} {control['label']!r}: no move changed its value")
            for m in moves:
                what = f"{name}: {m.describe()}"
                if m.changed and not m.redrawn:
                    failures.append(f"{what}: output not redrawn within {lab_h.REDRAW_LIMIT_S:g} s")
                if m.roundtrip_s is not None and m.roundtrip_s > lab_h.REDRAW_LIMIT_S:
                    failures.append(f"{what}: redrawn after {m.roundtrip_s:.2f} s (limit {lab_h.REDRAW_LIMIT_S:g} s)")
                if not m.reached:
                    failures.append(f"{what}: the control did not reach its target")
                if m.piled_up:
                    failures.append(f"{what}: output piles up ({m.old_left} old item(s) left beside {m.new_items} new)")
                if m.stale_beside_error:
                    failures.append(f"{what}: error message {m.error_label!r} shown beside the previous output")
                for p in m.problems:
                    if p not in seen_problems:
                        seen_problems.add(p)
                        failures.append(f"{what}: {p}")
    failures += [f"{name}: console error while moving controls: {m}" for m in _console_errors(session)]
    return failures


def _screenshot(session: lab_h.NotebookSession, folder: Path = lab_h.SCREENSHOTS) -> list[Path]:
    try:
        return session.screenshot(folder)
    except Exception as exc:  # noqa: BLE001 - a missing screenshot must not hide the real failure
        print(f"screenshot of {session.notebook.name} failed: {exc}")
        return []


# --------------------------------------------------------------------------- tests


def test_finds_widget_cells_by_output_and_by_allow_list(tmp_path: Path) -> None:
    """Discovery without a browser: a stored widget view, an allow-listed cell, and neither."""
    view = nbformat.v4.new_code_cell("w", id="demo-stored")
    view.outputs = [nbformat.v4.new_output("display_data", {lab_h.WIDGET_MIME: {"model_id": "m", "version_major": 2, "version_minor": 0}, "text/plain": "W"})]
    plain = nbformat.v4.new_code_cell("1 + 1", id="plain")
    plain.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)]
    with_view, without = nbformat.v4.new_notebook(), nbformat.v4.new_notebook()
    with_view.cells, without.cells = [plain, view], [plain]
    nbformat.write(with_view, tmp_path / "10_with.ipynb")
    nbformat.write(without, tmp_path / "11_without.ipynb")
    assert lab_h.widget_cells(tmp_path / "10_with.ipynb") == ["demo-stored"]
    assert lab_h.widget_notebooks(tmp_path) == [tmp_path / "10_with.ipynb"]
    # A cell listed in UNSTABLE_CELLS with a "widget" reason counts even with no stored view.
    listed = sorted(lab_h._listed_widget_cells())
    if listed:
        stem, cell_id = listed[0]
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("x", id=cell_id)]
        nbformat.write(nb, tmp_path / f"{stem}.ipynb")
        assert lab_h.widget_cells(tmp_path / f"{stem}.ipynb") == [cell_id]


def test_server_and_kernels_stop_even_when_the_test_fails() -> None:
    """Leaving the JupyterLab block by an exception still stops its kernels and the server."""
    import socket
    import time

    import psutil

    lab = lab_h.JupyterLab([])
    with pytest.raises(RuntimeError, match="boom"), lab:
        server = psutil.Process(lab.proc.pid)
        kernel_id = lab.api("POST", "/api/kernels")["id"]
        deadline = time.monotonic() + 30
        kernels = []
        while not kernels and time.monotonic() < deadline:
            kernels = [p for p in psutil.process_iter(["cmdline"]) if any(kernel_id in part for part in p.info["cmdline"] or [])]
            time.sleep(0.2)
        assert kernels, "the kernel process did not appear"
        port = lab.port
        raise RuntimeError("boom")
    gone, alive = psutil.wait_procs([server, *kernels], timeout=15)
    assert not alive, f"still running after the block: {[p.pid for p in alive]}"
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0, "the server's port still accepts connections"


def test_harness_catches_broken_widgets(session, selftest_notebook: Path) -> None:
    """The checks see a traceback-like bug and a piling output, and pass a good widget."""
    s = session(selftest_notebook)
    failures = run_notebook(s, lab_h.widget_cells(selftest_notebook))
    _screenshot(s)
    good = [m for m in s.moves if m.widget == 0]
    assert {m.kind for m in good} == {"slider", "select", "toggle"}, [m.describe() for m in good]
    assert not [f for f in failures if "widget 1 " in f], failures
    assert any(m.error_label.startswith("⚠ msl must be") for m in good), "the ValueError at MSL = 0 was not shown"
    assert all(m.redrawn for m in good if m.changed)
    assert any("widget 2 " in f and "Unexpected error" in f for f in failures), failures
    assert any("widget 2 " in f and "px track" in f for f in failures), failures
    assert any("widget 3 " in f and "piles up" in f for f in failures), failures


@pytest.mark.parametrize(
    "notebook",
    NOTEBOOKS or [pytest.param(None, marks=pytest.mark.skip(reason="no notebook in notebooks/ shows a widget yet"))],
    ids=[p.stem for p in NOTEBOOKS] or ["none"],
)
def test_widgets_render_and_respond(session, notebook: Path) -> None:
    s = session(notebook)
    try:
        failures = run_notebook(s, lab_h.widget_cells(notebook))
    finally:
        shots = _screenshot(s)
    for m in s.moves:
        print(m.describe(), f"[{m.error_label}]" if m.error_label else "")
    print("screenshots:", *[p.relative_to(lab_h.ROOT) for p in shots])
    assert not failures, "\n".join(failures)
