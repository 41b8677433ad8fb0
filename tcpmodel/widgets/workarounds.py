"""Widgets of notebook 07: tcp_tw_reuse against an old duplicate, and tcp_tw_recycle behind NAT.

Each is a :class:`~tcpmodel.widgets.base.CourseWidget` whose drawing comes
from :mod:`tcpmodel.plots.workarounds`; each names its static fallback figure.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> w = recycle_nat_explorer()
>>> w.update(clients=1)
>>> w.error_text
''
>>> w.static_figure
'recycle_nat_timeline'
"""

from __future__ import annotations

import math

import ipywidgets as widgets

from tcpmodel.plots.workarounds import draw_recycle_timeline, draw_tw_reuse
from tcpmodel.sim.recycle import CLIENT_OFFSETS
from tcpmodel.widgets.base import EVERY, CourseWidget

__all__ = ["tw_reuse_explorer", "recycle_nat_explorer"]

_STYLE = {"description_width": "initial"}
# A slider's default width (300 px) includes its description: a long one left
# "s between a host's connections" a track of 0 px, which cannot be dragged
# (a drag sent NaN, and the kernel raised TraitError).
_WIDE = widgets.Layout(width="460px")
# Sliders redraw on release (continuous_update=False): a redraw takes 0.1-0.4 s,
# so redrawing on every step of a drag queues frames and the figure lags the hand.


def tw_reuse_explorer() -> CourseWidget:
    """Timestamps on/off, ``tcp_tw_reuse`` 0/1/2, loopback, and how long the old duplicate is held."""
    controls = {
        "timestamps": widgets.Checkbox(value=True, description="timestamps (PAWS)", style=_STYLE),
        "tcp_tw_reuse": widgets.Dropdown(options=[0, 1, 2], value=1, description="tcp_tw_reuse", style=_STYLE),
        "loopback": widgets.Checkbox(value=False, description="loopback", style=_STYLE),
        "delay": widgets.FloatSlider(value=10.0, min=0.0, max=30.0, step=0.5, description="duplicate held (s)", style=_STYLE,
                                     continuous_update=False, layout=_WIDE),
    }
    # Site grid (2·3·2·11 = 132 frames): the delay every 2.5 s and every 5 s past 10 s, plus the slider steps
    # just below and just above the hold time from which the duplicate reaches the new incarnation
    # (tcpmodel.workarounds.reuse_exposure_s), so both outcomes of that boundary are on the site.
    from tcpmodel.workarounds import reuse_exposure_s

    below = math.floor(reuse_exposure_s() * 2) / 2
    around = {below, below + 0.5}
    delays = sorted({0.0, 2.5, 5.0, 7.5, 10.0, 15.0, 20.0, 25.0, 30.0} | around)
    site_grid = {"timestamps": EVERY, "tcp_tw_reuse": EVERY, "loopback": EVERY, "delay": delays}
    return CourseWidget(controls, draw_tw_reuse, title="tcp_tw_reuse: who stops the old duplicate?", static_figure="tw_reuse_paws",
                        site_grid=site_grid)


def recycle_nat_explorer() -> CourseWidget:
    """Hosts behind one NAT address, how their timestamp clocks are set, and the server's ``tcp_tw_recycle``."""
    controls = {
        "clients": widgets.IntSlider(value=6, min=1, max=30, description="hosts behind the NAT", style=_STYLE,
                                     continuous_update=False, layout=_WIDE),
        # The hosts' timestamp clocks: counting uptime (clients before Linux 4.10), one random offset per host
        # (clients from Linux 4.11 until 2026), or one per connection (Linux 4.10 clients, and kernels with commit
        # 165573e41f2f, first release inferred): tcpmodel.sim.recycle.CLIENT_OFFSETS.
        "client_offsets": widgets.Dropdown(options=list(CLIENT_OFFSETS), value="uptime", description="TSval clocks", style=_STYLE),
        "tw_recycle": widgets.Checkbox(value=True, description="tcp_tw_recycle on the server", style=_STYLE),
        "mean_interval_s": widgets.FloatSlider(value=600.0, min=30.0, max=1200.0, step=30.0, description="s between a host's connections",
                                               style=_STYLE, continuous_update=False, layout=_WIDE),
        "seed": widgets.IntSlider(value=1, min=0, max=9, description="seed", style=_STYLE, continuous_update=False),
    }
    # Site grid (4·3·2·4·3 = 288 frames): one host (never dropped), the notebook's 6, 15 and the slider's 30; the
    # interval at both ends, 300 s and the notebook's 600 s; seeds 0, the notebook's 1 and 9 (the seed moves
    # the connections, not the rule; notebook 07's sweep shows the spread over seeds). Other values: Binder.
    site_grid = {"clients": [1, 6, 15, 30], "client_offsets": EVERY, "tw_recycle": EVERY,
                 "mean_interval_s": [30.0, 300.0, 600.0, 1200.0], "seed": [0, 1, 9]}
    return CourseWidget(controls, draw_recycle_timeline, title="tcp_tw_recycle behind NAT", static_figure="recycle_nat_timeline",
                        site_grid=site_grid)
