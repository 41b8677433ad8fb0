"""One visual style for every plot: colour-blind-safe colours, fixed fonts.

The palette is Okabe & Ito's (2008), which stays distinguishable under the
common colour-vision deficiencies. Fonts are matplotlib's bundled DejaVu Sans
so that an SVG drawn on any machine has the same bytes.
"""

from __future__ import annotations

import contextlib
import sys
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
    # Raster text without FreeType hinting draws about 15% faster (a ladder is
    # mostly text) and looks the same at 100 dpi. SVG glyphs are paths either
    # way; only layouts measured in raster text (tight_layout) move a little.
    "text.hinting": "no_hinting",
}


@contextlib.contextmanager
def course_style() -> Iterator[None]:
    """Apply the course style for the duration of a ``with`` block."""
    with mpl.rc_context(RC):
        yield


#: How the notebook's inline backend should save course figures: uncropped, and
#: with light PNG compression (zlib level 1: 5% larger files, a tenth faster to show).
INLINE_FIGURE_KWARGS = {"bbox_inches": None, "pil_kwargs": {"compress_level": 1}}


def fixed_margins(fig, *, left: float, bottom: float = 0.58, right: float = 0.15, top: float = 0.36,  # noqa: ANN001 - a Figure
                  wspace: float | None = None, hspace: float | None = None) -> None:
    """Lay ``fig`` out with margins given in inches, instead of ``tight_layout``.

    ``tight_layout`` measures every text to find the margins, which costs
    about a third of a redraw. Figures that notebooks and widgets redraw use
    fixed margins sized for their longest labels; ``tests/test_plots.py``
    checks, at the ends of every widget control, that nothing falls outside.
    The defaults fit one line of tick labels and an axis label below, and a
    one-line title above.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig = plt.figure(figsize=(4, 2))
    >>> fixed_margins(fig, left=0.8)
    >>> round(float(fig.subplotpars.left), 2), round(float(fig.subplotpars.top), 2)
    (0.2, 0.82)
    >>> plt.close(fig)
    """
    width, height = fig.get_size_inches()
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height,
                        wspace=wspace, hspace=hspace)


def apply_course_style() -> None:
    """Apply the course style globally (notebook setup cells call this).

    In a notebook with the inline backend, figures are also shown uncropped
    (see ``INLINE_FIGURE_KWARGS``).
    The backend's default, ``bbox_inches="tight"``, lays every figure out a
    second time to find its crop box, which makes each figure about half as
    slow again to show and every widget that slow to answer. Course figures
    set their own margins (fixed margins or ``tight_layout``), so the crop
    would only trim the margin; ``tests/test_plots.py`` checks that no course
    figure draws outside its canvas.
    """
    mpl.rcParams.update(RC)
    inline_config = sys.modules.get("matplotlib_inline.config")
    if inline_config is not None:
        backend = inline_config.InlineBackend.instance()
        if backend.shell is not None:  # the inline backend is active in an IPython kernel
            # assigning re-registers the PNG formatter (an observer in matplotlib_inline)
            backend.print_figure_kwargs = {**backend.print_figure_kwargs, **INLINE_FIGURE_KWARGS}
