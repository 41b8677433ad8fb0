"""The quiet-time demo of notebook 04: sliders over :mod:`tcpmodel.plots.quiet_time`."""

from __future__ import annotations

import ipywidgets as widgets

from tcpmodel.plots.quiet_time import GRID_STEPS, STATIC_FIGURE, _MSL, draw_quiet_time
from tcpmodel.widgets.base import EVERY, CourseWidget

__all__ = ["quiet_time_demo", "draw_quiet_time", "STATIC_FIGURE", "GRID_STEPS"]


def quiet_time_demo(msl: float = _MSL) -> CourseWidget:
    """Build the widget: sliders for quiet time and delay, TIME_WAIT on or off.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> w = quiet_time_demo()
    >>> w.update(quiet_time=30.0, delay=10.0)
    >>> w.error_text
    ''
    """
    controls = {
        # Redraw on release: a redraw takes 0.15-0.3 s, so redrawing on every step
        # of a drag queues frames and the figure lags the hand.
        "quiet_time": widgets.FloatSlider(value=5.0, min=0.0, max=3 * msl, step=0.5, description="quiet time (s)",
                                          continuous_update=False, style={"description_width": "initial"}),
        "delay": widgets.FloatSlider(value=20.0, min=0.0, max=msl, step=0.5, description="delay (s)",
                                     continuous_update=False),
        "time_wait": widgets.Checkbox(value=False, description="TIME_WAIT"),
    }
    widget = CourseWidget(
        controls,
        lambda quiet_time, delay, time_wait: draw_quiet_time(quiet_time, delay, time_wait, msl),
        title="Quiet time against delay: when does the old SEQ=301 get in?",
        static_figure=STATIC_FIGURE,
        site_grid=_site_grid(msl),
    )
    return widget


def _site_grid(msl: float) -> dict:
    """The static site's grid (13·7·2 = 182 frames at the course's MSL of 30 s).

    The map itself is drawn whole in every frame; the grid places the chosen
    point and its time line. Corruption needs delay > quiet time, so quiet
    times up to one MSL are drawn every MSL/6 (both sides of that boundary at
    every delay), and beyond it every MSL/3; delays every MSL/6. Values are
    rounded to the slider's 0.5 s step; the notebook's initial 5 s and 20 s
    are on the grid.

    Examples
    --------
    >>> grid = _site_grid(30.0)
    >>> grid["quiet_time"][:3], grid["quiet_time"][-1], grid["delay"]
    ([0.0, 5.0, 10.0], 90.0, [0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0])
    """
    def step(x: float) -> float:
        return round(x * 2) / 2

    quiet = sorted({step(msl * i / 6) for i in range(7)} | {step(msl + msl * i / 3) for i in range(1, 7)})
    return {"quiet_time": quiet, "delay": [step(msl * i / 6) for i in range(7)], "time_wait": EVERY}
