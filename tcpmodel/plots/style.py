"""One visual style for every plot: colour-blind-safe colours, fixed fonts.

The palette is Okabe & Ito's (2008), which stays distinguishable under the
common colour-vision deficiencies. Fonts are matplotlib's bundled DejaVu Sans
so that an SVG drawn on any machine has the same bytes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import matplotlib as mpl

PALETTE = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#6E6E6E",
}

#: Semantic colours, so that TIME_WAIT looks the same in every figure.
ROLE_COLOURS = {
    "client": PALETTE["blue"],
    "server": PALETTE["orange"],
    "time_wait": PALETTE["vermillion"],
    "ok": PALETTE["green"],
    "error": PALETTE["vermillion"],
    "lost": PALETTE["vermillion"],
    "neutral": PALETTE["grey"],
    "highlight": PALETTE["sky"],
}

RC = {
    "svg.hashsalt": "tcpmodel-time-wait-course",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.prop_cycle": mpl.cycler(
        color=[PALETTE[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky", "yellow", "black")]
    ),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "path.simplify": True,
}


@contextlib.contextmanager
def course_style() -> Iterator[None]:
    """Apply the course style for the duration of a ``with`` block."""
    with mpl.rc_context(RC):
        yield


def apply_course_style() -> None:
    """Apply the course style globally (notebook setup cells call this)."""
    mpl.rcParams.update(RC)
