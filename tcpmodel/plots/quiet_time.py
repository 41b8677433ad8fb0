"""Quiet time against delay: when does an old duplicate corrupt a new incarnation?

Left: for every (quiet time, delay) pair, whether the ``"old_duplicate"``
scenario delivers the old segment to incarnation 2 (computed once per
setting and cached). Right: the chosen run as a time line: the close, the
start of incarnation 2 and the arrival of the old SEQ=301. The widget in
:mod:`tcpmodel.widgets.quiet_time` redraws this figure; the static figure
``old_duplicate_quiet_vs_delay`` is its fallback.
"""

from __future__ import annotations

from functools import lru_cache

import matplotlib.pyplot as plt

from tcpmodel.figures import figure
from tcpmodel.sim import simulate
from tcpmodel.sim.analysis import corruption_grid, old_duplicate_summary

__all__ = ["draw_quiet_time", "draw_corruption_map", "grid_axes", "STATIC_FIGURE", "GRID_STEPS"]

STATIC_FIGURE = "old_duplicate_quiet_vs_delay"
_MSL = 30.0
#: 16 x 16 runs per map: fine enough to show the boundary (delay > quiet time),
#: and cheap enough (about 0.3 s) to compute when a learner first toggles TIME_WAIT.
GRID_STEPS = 16


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

    from tcpmodel.plots.style import PALETTE, ROLE_COLOURS, fixed_margins

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
    fixed_margins(fig, left=0.65, wspace=0.06)
    return fig



@figure(
    "old_duplicate_quiet_vs_delay",
    alt="Two maps of quiet time (0 to 90 s) against the old segment's delay (0 to 30 s, MSL = 30 s). Without TIME_WAIT a band of short quiet times and long delays is shaded as corrupted; with TIME_WAIT nothing is shaded.",
    caption="Where the old SEQ=301 corrupts incarnation 2 (old_duplicate, msl = 30 s): only without TIME_WAIT, when the segment outlives the quiet time.",
)
def old_duplicate_quiet_vs_delay():
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for ax, tw in zip(axes, (False, True)):
        draw_corruption_map(ax, tw, _MSL)
    fig.tight_layout()
    return fig
