"""Quiet time against delay: when does an old duplicate corrupt a new incarnation?

Left: for every (quiet time, delay) pair, whether the ``"old_duplicate"``
scenario delivers the old segment to incarnation 2 (computed once per
setting and cached). Right: the chosen run as a time line: the close, the
start of incarnation 2 and the arrival of the old SEQ=301. The widget in
:mod:`tcpmodel.widgets.quiet_time` redraws this figure; the static figure
``old_duplicate_quiet_vs_delay`` is its fallback.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import matplotlib.pyplot as plt

from tcpmodel.figures import figure
from tcpmodel.sim import simulate
from tcpmodel.sim.analysis import corruption_grid, old_duplicate_summary

__all__ = ["draw_quiet_time", "draw_corruption_map", "grid_axes", "compute_grid", "stored_grid", "write_stored_grids",
           "STATIC_FIGURE", "GRID_STEPS"]

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


def compute_grid(time_wait: bool, msl: float = _MSL) -> tuple:
    """The corruption map: one simulator run per (quiet time, delay) pair of :func:`grid_axes`."""
    quiet, delay = grid_axes(msl)
    return tuple(tuple(bool(v) for v in row) for row in corruption_grid(quiet, delay, time_wait=time_wait, msl=msl))


# The two maps at the course's MSL are what notebook 04's widget shows first, and 256 runs each:
# `make figures` stores them, like the figures, and tests/test_plots.py recomputes them and fails
# when the stored copy is stale. Any other MSL is computed on demand.
# Package data, found as live.py finds its stored runs (importlib.resources).
_STORED_GRIDS = resources.files("tcpmodel").joinpath("data/quiet_time_grids.json")


def write_stored_grids(path=_STORED_GRIDS) -> None:  # noqa: ANN001 - a pathlib.Path or Traversable
    """Compute the maps at the course's MSL, TIME_WAIT off and on, and store them (``make figures``)."""
    data = {"msl": _MSL, "steps": GRID_STEPS,
            "grids": {str(tw).lower(): [list(row) for row in compute_grid(tw, _MSL)] for tw in (False, True)}}
    path.write_text(json.dumps(data) + "\n", encoding="utf-8")


def stored_grid(time_wait: bool) -> tuple | None:
    """The stored map at the course's MSL, or None if none is stored for this grid."""
    if not _STORED_GRIDS.exists():
        return None
    data = json.loads(_STORED_GRIDS.read_text(encoding="utf-8"))
    if data["msl"] != _MSL or data["steps"] != GRID_STEPS:
        return None
    return tuple(tuple(row) for row in data["grids"][str(time_wait).lower()])


@lru_cache(maxsize=8)
def _grid(time_wait: bool, msl: float) -> tuple:
    stored = stored_grid(time_wait) if msl == _MSL else None
    return stored if stored is not None else compute_grid(time_wait, msl)


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
