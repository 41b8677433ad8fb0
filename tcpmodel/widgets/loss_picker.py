"""The lost-segment picker: the learner chooses which segment the network loses.

The run is the ``"normal_close"`` scenario (A closes first). The drop-down
lists the segments of the loss-free run by index; losing one replays the
same run with that segment dropped, so retransmissions, a restarted 2MSL
timer or a RST appear in the ladder. A check box turns TIME_WAIT off.
"""

from __future__ import annotations

import ipywidgets as widgets

from tcpmodel.sim import simulate
from tcpmodel.sim.analysis import close_outcome, segment_choices
from tcpmodel.widgets.base import EVERY, CourseWidget

__all__ = ["loss_picker", "draw_loss_picker", "segments_table", "STATIC_FIGURE"]

STATIC_FIGURE = "ladder_lost_final_ack"
_MSL = 30.0


def draw_loss_picker(lose: int = -1, time_wait: bool = True, msl: float = _MSL):  # noqa: ANN201 - a Figure
    """Draw the ladder of ``normal_close`` with segment ``lose`` lost (-1: none).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = draw_loss_picker(6, time_wait=False)
    >>> "connection reset" in fig.texts[0].get_text()
    True
    """
    from tcpmodel.plots.ladder import draw_ladder

    lost = [] if lose is None or lose < 0 else [lose]
    trace = simulate("normal_close", closer="A", msl=msl, lose=lost, time_wait=time_wait)
    what = "no segment lost" if not lost else f"segment #{lose} lost"
    title = f"{what}, TIME_WAIT {'on' if time_wait else 'off'} → {close_outcome(trace)}"
    return draw_ladder(trace, title=title, highlight=lost[0] if lost else None, width=8.0, compact=True)


def segments_table(lose: int = -1, time_wait: bool = True, msl: float = _MSL) -> str:
    """The run's segments as an HTML table (sent, who, flags, arrived or lost): the ladder's steps in words.

    The static site shows it beside each frame of the loss picker.

    Examples
    --------
    >>> table = segments_table(6, time_wait=True)
    >>> "<th>segment</th>" in table, "lost" in table
    (True, True)
    """
    import html

    lost = [] if lose is None or lose < 0 else [lose]
    trace = simulate("normal_close", closer="A", msl=msl, lose=lost, time_wait=time_wait)
    rows = []
    for seg in trace.segments:
        arrived = "lost" if seg.t_arrived is None else f"{seg.t_arrived:,.2f} s"
        rows.append(f"<tr><td>#{seg.index}</td><td>{seg.t_sent:,.2f} s</td><td>{seg.src}→{seg.dst}</td>"
                    f"<td>{html.escape(seg.flags)}</td><td>{arrived}</td></tr>")
    head = "<tr><th>segment</th><th>sent at</th><th>from→to</th><th>flags</th><th>arrives at</th></tr>"
    return f"<table>{head}{''.join(rows)}</table><p>{html.escape(close_outcome(trace))}</p>"


def loss_picker(msl: float = _MSL) -> CourseWidget:
    """Build the widget: pick a segment to lose, and TIME_WAIT on or off.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> w = loss_picker()
    >>> w.update(lose=6, time_wait=True)
    >>> w.error_text
    ''
    """
    options = [("none", -1)] + segment_choices(simulate("normal_close", closer="A", msl=msl))
    controls = {
        "lose": widgets.Dropdown(options=options, value=-1, description="lose"),
        "time_wait": widgets.Checkbox(value=True, description="TIME_WAIT"),
    }
    shown: dict = {}

    def draw(lose, time_wait):  # noqa: ANN001, ANN202 - a Figure
        shown.update(lose=lose, time_wait=time_wait)
        return draw_loss_picker(lose, time_wait, msl)

    widget = CourseWidget(
        controls,
        draw,
        title="Which segment does the network lose?",
        static_figure=STATIC_FIGURE,
        site_grid={"lose": EVERY, "time_wait": EVERY},  # every segment, TIME_WAIT on and off: the whole widget
    )
    # On the static site, the run's segments are listed beside each ladder (its steps in words).
    widget.site_html = lambda: segments_table(shown["lose"], shown["time_wait"], msl)  # type: ignore[attr-defined]
    return widget
