"""Course figures fit their canvas, so notebooks can show them uncropped.

``apply_course_style`` turns off the inline backend's ``bbox_inches="tight"``
(it lays every figure out twice). That is only safe while no figure draws
outside its own canvas; these tests check every figure the course shows:
the registered figures, a ladder of every scenario, and every widget's figure
at its initial value and at both ends of each control.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from tcpmodel.figures import registered_figures  # noqa: E402
from tcpmodel.plots.ladder import draw_ladder  # noqa: E402
from tcpmodel.plots.style import INLINE_FIGURE_KWARGS, apply_course_style, course_style  # noqa: E402
from tcpmodel.sim import scenario_names, simulate  # noqa: E402

LADDER_SCENARIOS = [name for name in scenario_names() if name != "tw_recycle_nat"]  # that one is not a ladder


def overflow_inches(fig: Figure) -> dict[str, float]:
    """How far (inches) the drawn content reaches past each edge of the canvas; 0 when inside."""
    fig.canvas.draw()
    box = fig.get_tightbbox(fig.canvas.get_renderer())
    width, height = fig.get_size_inches()
    reach = {"left": -box.x0, "bottom": -box.y0, "right": box.x1 - width, "top": box.y1 - height}
    return {edge: round(float(r), 3) for edge, r in reach.items() if r > 0.005}


def test_overflow_detects_text_outside_the_canvas():
    fig = plt.figure(figsize=(2, 2))
    fig.text(0.9, 0.5, "a label far too long for this figure")
    assert "right" in overflow_inches(fig)
    plt.close(fig)


@pytest.mark.parametrize("name", sorted(registered_figures()))
def test_registered_figure_fits_its_canvas(name):
    with course_style():
        fig = registered_figures()[name].draw()
        assert overflow_inches(fig) == {}
    plt.close("all")


@pytest.mark.parametrize("compact", [False, True], ids=["full", "compact"])
@pytest.mark.parametrize("scenario", LADDER_SCENARIOS)
def test_ladder_fits_its_canvas(scenario, compact):
    with course_style():
        fig = draw_ladder(simulate(scenario), compact=compact, title="a title as long as the notebooks use, for the width")
        assert overflow_inches(fig) == {}
    plt.close("all")


def _course_widgets():
    from tcpmodel.widgets.calculators import duplicate_explorer, exhaustion_calculator, rate_calculator
    from tcpmodel.widgets.loss_picker import loss_picker
    from tcpmodel.widgets.quiet_time import quiet_time_demo
    from tcpmodel.widgets.workarounds import recycle_nat_explorer, tw_reuse_explorer

    return [duplicate_explorer, exhaustion_calculator, rate_calculator, loss_picker, quiet_time_demo,
            recycle_nat_explorer, tw_reuse_explorer]


def _edge_values(widget) -> list[dict]:  # noqa: ANN001 - a CourseWidget
    """The initial values; then each control alone at each end of its range, at each
    option (drop-downs) or flipped (check boxes); then all of them at once, per choice."""
    import itertools

    import ipywidgets

    choices = {}
    for name, control in widget.controls.items():
        if isinstance(control, ipywidgets.Dropdown):
            choices[name] = [o[1] if isinstance(o, tuple) else o for o in control.options]
        elif isinstance(control, ipywidgets.Checkbox):
            choices[name] = [False, True]
        elif getattr(control, "min", None) is not None:
            choices[name] = [control.min, control.max]
    initial = dict(widget.values)
    settings = [initial] + [{**initial, name: v} for name, values in choices.items() for v in values]
    if len(list(itertools.product(*choices.values()))) <= 256:
        settings += [{**initial, **dict(zip(choices, combo))} for combo in itertools.product(*choices.values())]
    return settings


@pytest.mark.parametrize("make_widget", _course_widgets(), ids=lambda f: f.__name__)
def test_widget_figures_fit_their_canvas(make_widget):
    with course_style():
        widget = make_widget()
        for values in _edge_values(widget):
            fig = widget.draw(**values)
            if isinstance(fig, Figure):
                assert overflow_inches(fig) == {}, values
            plt.close("all")


def test_course_style_shows_inline_figures_uncropped():
    """In an IPython shell with the inline backend, a shown figure's PNG is its full canvas."""
    import base64
    import struct

    from IPython.core.interactiveshell import InteractiveShell
    from matplotlib_inline.backend_inline import configure_inline_support
    from matplotlib_inline.config import InlineBackend

    shell = InteractiveShell.instance()
    try:
        configure_inline_support(shell, "inline")  # what `%matplotlib inline` does in a kernel
        assert InlineBackend.instance().print_figure_kwargs["bbox_inches"] == "tight"  # the backend's default
        apply_course_style()
        assert InlineBackend.instance().print_figure_kwargs["bbox_inches"] is INLINE_FIGURE_KWARGS["bbox_inches"]
        fig = plt.figure(figsize=(3, 2), dpi=100)
        fig.add_subplot().text(0.5, 0.5, "x")
        png = shell.display_formatter.formatters["image/png"](fig)
        data = base64.b64decode(png) if isinstance(png, str) else png
        width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
        assert (width, height) == (300, 200)  # a tight crop would drop the blank margin around the axes
    finally:
        plt.close("all")
        InlineBackend.instance().print_figure_kwargs = {"bbox_inches": "tight"}
        InlineBackend.clear_instance()
        InteractiveShell.clear_instance()
        matplotlib.use("Agg")


def test_stored_quiet_time_grids_are_current():
    """Notebook 04's widget first shows the maps `make figures` stored; they must be what the simulator computes now."""
    from tcpmodel.plots.quiet_time import compute_grid, stored_grid

    for time_wait in (False, True):
        assert stored_grid(time_wait) == compute_grid(time_wait), "run `make figures` to refresh the stored maps"
