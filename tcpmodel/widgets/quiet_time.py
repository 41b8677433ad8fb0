"""Quiet time against delay: when does an old duplicate corrupt a new incarnation?

Left: for every (quiet time, delay) pair, whether the ``"old_duplicate"``
scenario delivers the old segment to incarnation 2 (computed once per
setting and cached). Right: the chosen run as a time line: the close, the
start of incarnation 2 and the arrival of the old SEQ=301.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import ipywidgets as widgets

from tcpmodel.sim import simulate
from tcpmodel.sim.analysis import corruption_grid, old_duplicate_summary
from tcpmodel.widgets.base import CourseWidget, _in_ipython

__all__ = ["quiet_time_demo", "draw_quiet_time", "STATIC_FIGURE", "GRID_STEPS"]

STATIC_FIGURE = "old_duplicate_quiet_vs_delay"
_MSL = 30.0
GRID_STEPS = 25


def grid_axes(msl: float = _MSL, steps: int = GRID_STEPS) -> tuple[list[float], list[float]]:
    """Quiet times 0…3·MSL and delays 0…MSL used by the map."""
    quiet = [3 * msl * i / (steps - 1) for i in range(steps)]
    delay = [msl * i / (steps - 1) for i in range(steps)]
    return quiet, delay


@lru_cache(maxsize=8)
def _grid(time_wait: bool, msl: float) -> tuple:
    quiet, delay = grid_axes(msl)
    return tuple(tuple(row) for row in corruption_grid(quiet, delay, time_wait=time_wait, msl=msl))


def draw_corruption_map(ax, time_wait: bool, msl: float = _MSL) -> None:  # noqa: ANN001 - matplotlib Axes
    """Shade the (quiet time, delay) pairs where incarnation 2 gets corrupted."""
    import numpy as np
    from matplotlib.colors import ListedColormap

    from tcpmodel.plots.style import PALETTE

    quiet, delay = grid_axes(msl)
    grid = np.array(_grid(time_wait, msl), dtype=float)
    dq, dd = quiet[1] - quiet[0], delay[1] - delay[0]
    ax.imshow(grid, origin="lower", aspect="auto", extent=(-dq / 2, quiet[-1] + dq / 2, -dd / 2, delay[-1] + dd / 2),
              cmap=ListedColormap(["#FFFFFF", PALETTE["vermillion"]]), vmin=0, vmax=1, alpha=0.55)
    ax.axvline(2 * msl, color=PALETTE["blue"], ls="--", lw=1)
    ax.text(2 * msl, delay[-1], " 2·MSL", color=PALETTE["blue"], fontsize=8, va="top")
    ax.set_xlabel("quiet time before reconnecting (s)")
    ax.set_ylabel("network delay of SEQ=301 (s, ≤ MSL)")
    ax.set_title(f"TIME_WAIT {'on' if time_wait else 'off'}: shaded = corrupted", fontsize=9)


def draw_quiet_time(quiet_time: float = 5.0, delay: float = 20.0, time_wait: bool = False, msl: float = _MSL):  # noqa: ANN201
    """Draw the map with the chosen point, and the chosen run's time line.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = draw_quiet_time(5.0, 20.0, time_wait=False)
    >>> "CORRUPTED" in fig.axes[1].get_title()
    True
    """
    import matplotlib.pyplot as plt

    from tcpmodel.plots.style import PALETTE, ROLE_COLOURS

    trace = simulate("old_duplicate", time_wait=time_wait, msl=msl, delay=delay, quiet_time=quiet_time)
    info = old_duplicate_summary(trace)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), gridspec_kw={"width_ratios": [1.1, 1]})
    draw_corruption_map(left, time_wait, msl)
    left.plot([quiet_time], [delay], marker="o", ms=9, mfc="none", mec=PALETTE["black"], mew=2)

    rows = [("incarnation 1 closes (A enters TIME_WAIT)", info["close"], PALETTE["blue"]),
            ("old SEQ=301 sent", info["sent"], PALETTE["grey"]),
            ("old SEQ=301 arrives at B", info["arrived"], PALETTE["purple"]),
            ("incarnation 2 starts (SYN)", info["inc2_start"], PALETTE["orange"])]
    last = max(t for _, t, _ in rows if t is not None)
    for i, (label, t, colour) in enumerate(rows):
        if t is None:
            continue
        right.plot([t], [i], marker="o", color=colour, ms=8)
        right.text(t, i + 0.25, f"{label}: {t:,.2f} s", fontsize=8, color=colour, ha="left" if t < 0.5 * last else "right")
    right.axvspan(info["close"], info["close"] + (2 * msl if time_wait else 0.0), color=ROLE_COLOURS["time_wait"], alpha=0.15)
    right.set_yticks([])
    right.set_ylim(-0.6, len(rows) - 0.1)
    right.set_xlabel("time (s)")
    verdict = "CORRUPTED: B delivered the old segment" if trace.corrupted else "safe: " + info["outcome"].split(":")[0]
    right.set_title(verdict, fontsize=9, color=ROLE_COLOURS["error"] if trace.corrupted else ROLE_COLOURS["ok"])
    fig.tight_layout()
    return fig


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
    )
    if _in_ipython():
        # The map for the other TIME_WAIT setting takes ~0.5 s to compute (625 runs);
        # compute it in the background now, or the learner's first toggle takes over 1 s.
        threading.Thread(target=_grid, args=(not controls["time_wait"].value, msl), daemon=True).start()
    return widget
