"""Calculators for notebooks 05 and 06: connection rate, exhaustion, duplicates.

Each function returns a :class:`~tcpmodel.widgets.base.CourseWidget` whose
controls feed a ``draw_*`` function of :mod:`tcpmodel.plots.cost`; bad input
(a reversed port range, a negative rate) shows the model's ``ValueError``
beside the controls. Each names its static fallback figure.

Examples
--------
>>> w = rate_calculator()
>>> w.update(low=60999, high=32768)
>>> w.error_text
'high must be an integer in [60999, 65535] (at least low); got 32768'
>>> w.update(low=32768, high=60999)
>>> w.error_text
''
"""

from __future__ import annotations

import ipywidgets as widgets

from tcpmodel.plots import cost
from tcpmodel.widgets.base import EVERY, CourseWidget

__all__ = ["rate_calculator", "exhaustion_calculator", "duplicate_explorer"]

_STYLE = {"description_width": "initial"}


def _port_controls() -> dict[str, widgets.ValueWidget]:
    return {
        "low": widgets.IntText(value=32768, description="ports from", style=_STYLE, layout=widgets.Layout(width="180px")),
        "high": widgets.IntText(value=60999, description="to", style=_STYLE, layout=widgets.Layout(width="150px")),
    }


def rate_calculator() -> CourseWidget:
    """Sustainable connect() rate from the port range, TIME_WAIT, destinations and tcp_tw_reuse."""
    controls = {
        **_port_controls(),
        "time_wait_s": widgets.FloatSlider(value=60.0, min=1.0, max=300.0, step=1.0, description="TIME_WAIT s",
                                           style=_STYLE, continuous_update=False),
        "destinations": widgets.IntSlider(value=1, min=1, max=16, description="destinations", style=_STYLE,
                                          continuous_update=False),
        # Not None for "ignore": ipywidgets deselects an option whose value is None,
        # so the dropdown would show blank in JupyterLab.
        "tw_reuse": widgets.Dropdown(options=[("ignore", "ignore"), ("0 off", 0), ("1 on", 1), ("2 loopback", 2)],
                                     value="ignore", description="tcp_tw_reuse", style=_STYLE),
        "loopback": widgets.Checkbox(value=False, description="loopback"),
    }

    def draw(low, high, time_wait_s, destinations, tw_reuse, loopback):
        tw_reuse = None if tw_reuse in ("ignore", None) else tw_reuse
        return cost.draw_rate(low, high, time_wait_s, destinations, tw_reuse, loopback)

    # The static site draws every combination of these values (2·2·4·3·4·2 = 384 frames). The ports are typed
    # in the notebook; the site offers Linux's default range, the IANA dynamic range's end and the widest range.
    # The rate is linear in ports, destinations and 1/TIME_WAIT, so a few points per slider show how it moves:
    # TIME_WAIT at the slider's ends, Linux's 60 s and 120 s; 1, 4 and 16 destinations. Other values: Binder.
    site_grid = {"low": [1024, 32768], "high": [60999, 65535], "time_wait_s": [1.0, 60.0, 120.0, 300.0],
                 "destinations": [1, 4, 16], "tw_reuse": EVERY, "loopback": EVERY}
    return CourseWidget(controls, draw, title="How many new connections per second?",
                        static_figure="cost_rate_vs_ports", site_grid=site_grid)


def exhaustion_calculator() -> CourseWidget:
    """When does connect() start failing at a given rate?"""
    controls = {
        "rate": widgets.FloatText(value=1000.0, description="connections/s", style=_STYLE,
                                  layout=widgets.Layout(width="200px")),
        **_port_controls(),
        "time_wait_s": widgets.FloatSlider(value=60.0, min=1.0, max=300.0, step=1.0, description="TIME_WAIT s",
                                           style=_STYLE, continuous_update=False),
        "destinations": widgets.IntSlider(value=1, min=1, max=16, description="destinations", style=_STYLE,
                                          continuous_update=False),
    }

    def draw(rate, low, high, time_wait_s, destinations):
        return cost.draw_exhaustion(rate, low, high, time_wait_s, destinations)

    # Site grid (3·2·2·4·3 = 144 frames): a rate below Linux's default limit, the notebook's 1,000/s above it,
    # and ten times that; the ports, TIME_WAIT and destinations as in rate_calculator.
    site_grid = {"rate": [100.0, 1000.0, 10000.0], "low": [1024, 32768], "high": [60999, 65535],
                 "time_wait_s": [1.0, 60.0, 120.0, 300.0], "destinations": [1, 4, 16]}
    return CourseWidget(controls, draw, title="When do the ports run out?", static_figure="cost_time_to_exhaustion",
                        site_grid=site_grid)


def duplicate_explorer() -> CourseWidget:
    """How likely is an old duplicate to land in the next incarnation?"""
    controls = {
        "gap_s": widgets.FloatSlider(value=30.0, min=0.0, max=300.0, step=1.0, description="gap s", style=_STYLE,
                                     continuous_update=False),
        "msl_s": widgets.FloatSlider(value=120.0, min=1.0, max=240.0, step=1.0, description="MSL s", style=_STYLE,
                                     continuous_update=False),
        "delay": widgets.Dropdown(options=["uniform", "exponential"], value="uniform", description="delay",
                                  style=_STYLE),
        "isn_policy": widgets.Dropdown(options=[("same sequence space (worst case)", "same"),
                                                ("clock-driven ISN (RFC 9293)", "rfc6528"),
                                                ("random ISN (hypothetical)", "random")],
                                       value="same", description="ISN", style=_STYLE),
        "sent_mb": widgets.FloatSlider(value=1.0, min=0.0, max=100.0, step=0.5, description="old sent MB",
                                       style=_STYLE, continuous_update=False),
    }

    def draw(gap_s, msl_s, delay, isn_policy, sent_mb):
        return cost.draw_duplicates(gap_s, msl_s, delay, None, isn_policy, sent_bytes=int(sent_mb * 1_000_000))

    # Site grid (4·4·2·3·3 = 288 frames): the gap at both ends, the notebook's 30 s and 120 s (the default MSL);
    # the MSL at both ends, 30 s and the notebook's 120 s; the data sent at 0, the notebook's 1 MB and
    # the slider's 100 MB end (the sequence space's wrap is what more data changes). Other values: Binder.
    site_grid = {"gap_s": [0.0, 30.0, 120.0, 300.0], "msl_s": [1.0, 30.0, 120.0, 240.0], "delay": EVERY,
                 "isn_policy": EVERY, "sent_mb": [0.0, 1.0, 100.0]}
    return CourseWidget(controls, draw, title="Old duplicates after a short wait", static_figure="cost_duplicates",
                        site_grid=site_grid)
