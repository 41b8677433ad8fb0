"""The TCP state diagram, in the layout of RFC 9293 Figure 5.

Theory of operation
-------------------
:func:`draw_state_diagram` draws :func:`tcpmodel.graph.state_graph` at the
fixed coordinates of :data:`tcpmodel.graph.LAYOUT`: opening at the top, the
active closer's path down the left, the passive closer's down the right and
TIME-WAIT, emphasised, at the bottom. By default it draws the edges of RFC
9293 Figure 5 (plus the FIN-WAIT-1 → TIME-WAIT edge of its Note 2); any
path can be highlighted in a colour, and any state marked as "current".
Edges that a highlighted path takes but Figure 5 leaves out (an ABORT, a
RST) are added, dashed. Every label comes from the table.

:class:`DiagramRenderer` renders the base once and blits overlays, for the
stepper widget.

The registered figures are drawn by the functions at the end of the module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from tcpmodel.figures import figure
from tcpmodel.graph import (
    ACTIVE_CLOSE,
    ACTIVE_CLOSE_EVENTS,
    CLIENT_OPEN,
    CLIENT_OPEN_EVENTS,
    FIGURE5,
    LAYOUT,
    PASSIVE_CLOSE,
    PASSIVE_CLOSE_EVENTS,
    SERVER_OPEN,
    SERVER_OPEN_EVENTS,
    SIMULTANEOUS_CLOSE,
    SIMULTANEOUS_CLOSE_EVENTS,
    edge_rows,
    edges_along,
)
from tcpmodel.plots.style import PALETTE, ROLE_COLOURS
from tcpmodel.states import Event, State, Transition

__all__ = ["Highlight", "draw_state_diagram", "draw_base", "draw_overlay", "edge_label", "DiagramRenderer", "box_key"]

S, E = State, Event

BOX_W, BOX_H = 2.3, 0.78
_BOTTOM_CLOSED = "CLOSED*"
_INTO_BOTTOM_CLOSED = {S.LAST_ACK, S.TIME_WAIT, S.CLOSING, S.FIN_WAIT_2, S.CLOSE_WAIT, S.FIN_WAIT_1}

#: Curvature and label offset (dx, dy) per drawn edge, tuned for LAYOUT.
_EDGE_STYLE: dict[tuple[State, Event], tuple[float, float, float]] = {
    (S.CLOSED, E.PASSIVE_OPEN): (0.9, -0.45, 0.0),
    (S.LISTEN, E.CLOSE): (0.9, 0.35, 0.0),
    (S.CLOSED, E.ACTIVE_OPEN): (-0.4, 0.0, 0.0),
    (S.SYN_SENT, E.CLOSE): (0.12, 0.0, 0.0),
    (S.LISTEN, E.SEND): (0.0, 0.3, 0.05),
    (S.LISTEN, E.RCV_SYN): (0.0, -0.35, 0.05),
    (S.SYN_RECEIVED, E.RCV_RST): (-0.3, -0.2, 0.15),
    (S.SYN_SENT, E.RCV_SYN): (0.0, 0.0, 0.3),
    (S.SYN_RECEIVED, E.RCV_ACK): (0.0, -0.3, -0.1),
    (S.SYN_SENT, E.RCV_SYN_ACK): (0.0, 0.35, -0.1),
    (S.SYN_RECEIVED, E.CLOSE): (0.0, -0.75, 0.0),
    (S.ESTABLISHED, E.CLOSE): (0.0, -0.1, 0.3),
    (S.ESTABLISHED, E.RCV_FIN): (0.0, 0.1, 0.3),
    (S.FIN_WAIT_1, E.RCV_ACK): (0.0, -0.75, 0.0),
    (S.FIN_WAIT_1, E.RCV_FIN): (0.0, 0.25, 0.3),
    (S.FIN_WAIT_1, E.RCV_FIN_ACK): (0.0, 0.0, 0.0),
    (S.FIN_WAIT_2, E.RCV_FIN): (0.0, -0.4, -0.3),
    (S.CLOSING, E.RCV_ACK): (0.0, 0.65, 0.0),
    (S.CLOSE_WAIT, E.CLOSE): (0.0, 0.7, 0.0),
    (S.LAST_ACK, E.RCV_ACK): (0.0, 0.7, 0.0),
    (S.TIME_WAIT, E.TIMEOUT): (0.0, 0.0, 0.3),
}


@dataclass(frozen=True)
class Highlight:
    """A path to highlight: the states in order, a colour, a legend label.

    ``events`` (optional) picks the exact table rows when two states are
    joined by more than one edge.
    """

    states: Sequence[State]
    colour: str
    label: str = ""
    events: Sequence[Event] | None = None


def edge_label(row: Transition) -> str:
    """The label of an edge: the event, and the segments sent.

    Examples
    --------
    >>> from tcpmodel.states import transition
    >>> edge_label(transition(State.ESTABLISHED, Event.CLOSE))
    'CLOSE\\nsnd FIN'
    >>> edge_label(transition(State.TIME_WAIT, Event.TIMEOUT))
    '2MSL timeout'
    """
    text = row.event.label
    if row.send:
        text += "\nsnd " + ", ".join(row.send)
    return text


def _pos(state: State | str, from_state: State | None = None) -> tuple[float, float]:
    if state is S.CLOSED and from_state in _INTO_BOTTOM_CLOSED:
        return LAYOUT[_BOTTOM_CLOSED]
    return LAYOUT[state]


def _node(ax, key: State | str, *, edge: str, face: str, width: float, bold: bool) -> FancyBboxPatch:
    x, y = LAYOUT[key]
    box = FancyBboxPatch(
        (x - BOX_W / 2, y - BOX_H / 2), BOX_W, BOX_H, boxstyle="round,pad=0.02,rounding_size=0.18",
        linewidth=width, edgecolor=edge, facecolor=face, zorder=3,
    )
    ax.add_artist(box)
    name = S.CLOSED.rfc_name if key == _BOTTOM_CLOSED else key.rfc_name  # type: ignore[union-attr]
    ax.text(x, y, name, ha="center", va="center", fontsize=9.5, zorder=4,
            fontweight="bold" if bold else "normal", color=PALETTE["black"])
    return box


def _exit_point(centre, towards, pad: float = 0.06) -> tuple[float, float]:
    # Where the ray from a box centre towards a point leaves the box (a rectangle, slightly padded).
    (x0, y0), (x1, y1) = centre, towards
    dx, dy = x1 - x0, y1 - y0
    hw, hh = BOX_W / 2 + pad, BOX_H / 2 + pad
    t = min(hw / abs(dx) if dx else float("inf"), hh / abs(dy) if dy else float("inf"))
    return x0 + t * dx, y0 + t * dy


def _arc_control(a, b, rad: float) -> tuple[float, float]:
    # matplotlib's arc3 control point: mid + rad * (dy, -dx).
    (x1, y1), (x2, y2) = a, b
    return (x1 + x2) / 2 + rad * (y2 - y1), (y1 + y2) / 2 - rad * (x2 - x1)


def _arrow(ax, a, b, *, rad: float, colour: str, width: float, style: str = "-", z: float = 2.0):
    """An arrow from box centre ``a`` to box centre ``b``, clipped at the boxes without patch clipping."""
    c = _arc_control(a, b, rad)
    start, end = _exit_point(a, c), _exit_point(b, c)
    # Keep the same control point for the clipped chord (cheap, and close enough at these curvatures).
    dx, dy = end[0] - start[0], end[1] - start[1]
    mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
    norm = dx * dx + dy * dy
    new_rad = ((c[0] - mid[0]) * dy - (c[1] - mid[1]) * dx) / norm if norm else 0.0
    arrow = FancyArrowPatch(
        start, end, arrowstyle="-|>", mutation_scale=11, connectionstyle=f"arc3,rad={new_rad:.4f}",
        color=colour, linewidth=width, linestyle=style, zorder=z, shrinkA=0, shrinkB=0,
    )
    ax.add_artist(arrow)
    return arrow


def _label_xy(a, b, rad: float, dx: float, dy: float) -> tuple[float, float]:
    (x1, y1), (x2, y2) = a, b
    # Midpoint of matplotlib's arc3 quadratic Bézier (equal aspect): mid + rad/2 * (dy, -dx).
    mx, my = (x1 + x2) / 2 + rad / 2 * (y2 - y1), (y1 + y2) / 2 - rad / 2 * (x2 - x1)
    return mx + dx, my + dy


def _in_figure(row: Transition) -> bool:
    return (row.state, row.event) in FIGURE5 and row.condition != "active open"


def box_key(row: Transition) -> State | str:
    """Which drawn box a transition ends in: ``"CLOSED*"`` (bottom right) for closes from the lower states.

    Examples
    --------
    >>> from tcpmodel.states import transition
    >>> box_key(transition(State.TIME_WAIT, Event.TIMEOUT)), box_key(transition(State.LISTEN, Event.CLOSE))
    ('CLOSED*', <State.CLOSED: 'CLOSED'>)
    """
    return _BOTTOM_CLOSED if row.next is S.CLOSED and row.state in _INTO_BOTTOM_CLOSED else row.next


_box_key = box_key


def _edge_geometry(row: Transition) -> tuple[tuple[float, float], tuple[float, float], float, float, float]:
    a, b = LAYOUT[row.state], LAYOUT[_box_key(row)]
    if _in_figure(row):
        rad, dx, dy = _EDGE_STYLE.get((row.state, row.event), (0.0, 0.0, 0.0))
    else:
        rad, dx, dy = 0.25, 0.0, 0.0
    return a, b, rad, dx, dy


def _edge_text(ax, row: Transition, *, z: float = 5.0):
    a, b, rad, dx, dy = _edge_geometry(row)
    lx, ly = _label_xy(a, b, rad, dx, dy)
    return ax.text(lx, ly, edge_label(row), ha="center", va="center", fontsize=7, zorder=z, color="#222222",
                   linespacing=1.0, bbox=dict(boxstyle="round,pad=0.12", fc="white", ec="none", alpha=0.85))


def _self_loop_text(ax, row: Transition, index: int, *, colour: str, z: float = 5.5):
    x, y = LAYOUT[row.state]
    left = x >= 4.0  # boxes on the left edge of the layout get their note on the right
    tx = x - BOX_W / 2 - 0.12 if left else x + BOX_W / 2 + 0.12
    ty = y + BOX_H / 2 - 0.42 * index
    text = "↺ " + edge_label(row).replace("\n", ", ")
    return ax.text(tx, ty, text, ha="right" if left else "left", va="top", fontsize=7, zorder=z, color=colour,
                   bbox=dict(boxstyle="round,pad=0.12", fc="white", ec="none", alpha=0.9))


def draw_base(ax, *, labels: bool = True, title: str | None = None) -> None:
    """Draw the un-highlighted diagram: every box and the Figure 5 edges, TIME-WAIT emphasised."""
    for key in LAYOUT:
        tw = key is S.TIME_WAIT
        _node(ax, key, edge=ROLE_COLOURS["time_wait"] if tw else PALETTE["grey"], face="#FBE3D6" if tw else "white",
              width=3.0 if tw else 1.2, bold=tw)
    for row in edge_rows(self_loops=False):
        if not _in_figure(row):
            continue
        a, b, rad, _dx, _dy = _edge_geometry(row)
        colour = ROLE_COLOURS["time_wait"] if row.next is S.TIME_WAIT else PALETTE["grey"]
        _arrow(ax, a, b, rad=rad, colour=colour, width=1.1)
        if labels:
            _edge_text(ax, row)
    ax.text(10.4, -1.75, "TIME-WAIT emphasised\ndashed: edges Figure 5 omits",
            ha="right", va="bottom", fontsize=7, color=PALETTE["grey"], linespacing=1.1)
    ax.set_xlim(-0.4, 10.6)
    ax.set_ylim(-2.1, 12.0)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=11)


def draw_overlay(
    ax,
    *,
    highlights: Sequence[Highlight] = (),
    current: Mapping[str, tuple[State, str]] | None = None,
    emphasise: Transition | None = None,
    labels: bool = True,
    relabel: bool = True,
    legend: bool = True,
    ring_path: bool = True,
    animated: bool = False,
) -> list:
    """Draw highlighted paths, current-state markers and one emphasised edge over :func:`draw_base`.

    Returns the artists drawn (the stepper blits them over a cached base).
    ``relabel`` redraws the labels of highlighted edges on top (otherwise only
    the emphasised edge's and the dashed edges' labels); ``legend`` adds a
    legend of the highlights; ``ring_path`` outlines every state on a path.

    Raises
    ------
    ValueError
        If a highlighted path does not follow the edges of the table.
    """
    artists: list = []
    ringed: set = set()
    loops_at: dict = {}
    for hl in highlights:
        rows = edges_along(list(hl.states), list(hl.events) if hl.events is not None else None)
        keys = [hl.states[0]] if hl.states else []
        for row in rows:
            a, b, rad, _dx, _dy = _edge_geometry(row)
            if a == b:
                # A self-loop ("stays CLOSED, sends RST") has no arrow to draw; its
                # label goes beside the box, stacked, so the state's name stays readable.
                if labels:
                    artists.append(_self_loop_text(ax, row, loops_at.get(a, 0), colour=hl.colour))
                loops_at[a] = loops_at.get(a, 0) + 1
                continue
            width = 4.4 if row == emphasise else 3.2
            artists.append(_arrow(ax, a, b, rad=rad, colour=hl.colour, width=width,
                                  style="-" if _in_figure(row) else "--", z=2.5))
            if labels and (relabel or row == emphasise or not _in_figure(row)):
                artists.append(_edge_text(ax, row, z=5.5))
            keys.append(_box_key(row))
        for key in keys if ring_path else ():
            if (key, hl.colour) in ringed:
                continue
            ringed.add((key, hl.colour))
            x, y = LAYOUT[key]
            g = 0.11 if key is S.TIME_WAIT else 0.0  # keep TIME-WAIT's own emphasis visible inside the ring
            box = FancyBboxPatch((x - BOX_W / 2 - g, y - BOX_H / 2 - g), BOX_W + 2 * g, BOX_H + 2 * g,
                                 boxstyle="round,pad=0.02,rounding_size=0.18", linewidth=3.0, edgecolor=hl.colour,
                                 facecolor="none", zorder=3.5)
            ax.add_artist(box)
            artists.append(box)
    for i, (label, (key, colour)) in enumerate((current or {}).items()):
        x, y = LAYOUT[key]
        grow = 0.12 + 0.12 * i
        ring = FancyBboxPatch((x - BOX_W / 2 - grow, y - BOX_H / 2 - grow), BOX_W + 2 * grow, BOX_H + 2 * grow,
                              boxstyle="round,pad=0.02,rounding_size=0.25", linewidth=2.4, edgecolor=colour,
                              facecolor="none", zorder=6)
        ax.add_artist(ring)
        text = ax.text(x + BOX_W / 2 + 0.1, y + BOX_H / 2 + 0.1 + 0.34 * i, f"◀ {label}", ha="left", va="bottom",
                       fontsize=8.5, fontweight="bold", color=colour, zorder=7)
        artists += [ring, text]
    if legend and highlights and any(h.label for h in highlights):
        handles = [plt.Line2D([0], [0], color=h.colour, lw=3, label=h.label) for h in highlights if h.label]
        artists.append(ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=False, borderaxespad=0.1))
    for artist in artists:
        artist.set_animated(animated)
    return artists


def draw_state_diagram(
    ax=None,
    *,
    highlights: Sequence[Highlight] = (),
    current: Mapping[str, tuple[State, str]] | None = None,
    title: str | None = None,
    labels: bool = True,
):
    """Draw the state diagram; return the Figure.

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Where to draw (a new 7.2 × 8.4 inch figure when None).
    highlights : sequence of Highlight
        Paths to draw thick in their colour. Each must follow table edges;
        edges Figure 5 omits (an ABORT, a RST) are added, dashed.
    current : mapping label → (State or "CLOSED*", colour), optional
        Endpoints to mark as "now in this state" (a ring and the label);
        ``"CLOSED*"`` is the lower drawing of CLOSED (see :func:`box_key`).
    title : str, optional
        Axes title.
    labels : bool
        Label the edges with their event and the segments sent.

    Raises
    ------
    ValueError
        If a highlighted path does not follow the edges of the table.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = draw_state_diagram(highlights=[Highlight(ACTIVE_CLOSE, "#0072B2", "active close")])
    >>> len(fig.axes)
    1
    >>> draw_state_diagram(highlights=[Highlight([State.CLOSED, State.TIME_WAIT], "#0072B2")])
    Traceback (most recent call last):
    ...
    ValueError: path must follow edges of the state graph; no edge CLOSED → TIME_WAIT
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.2, 8.4))
    else:
        fig = ax.figure
    try:
        draw_base(ax, labels=labels, title=title)
        draw_overlay(ax, highlights=highlights, current=current, labels=labels)
    except ValueError:
        if ax is not None and fig.axes == [ax]:
            plt.close(fig)
        raise
    return fig


class DiagramRenderer:
    """Fast redraws for the stepper: the base diagram is rendered once, each frame blits only the overlay.

    The figure is not registered with pyplot, so the inline backend never shows it by itself.

    Examples
    --------
    >>> r = DiagramRenderer()
    >>> png = r.render(current={"client": (State.TIME_WAIT, "#0072B2")})
    >>> png[1:4]
    b'PNG'
    """

    def __init__(self, *, dpi: int = 72, title: str | None = None) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        from tcpmodel.plots.style import course_style

        with course_style():
            self.figure = Figure(figsize=(7.2, 8.4), dpi=dpi)
            self.canvas = FigureCanvasAgg(self.figure)
            self.ax = self.figure.add_axes((0.0, 0.0, 1.0, 0.96))
            draw_base(self.ax, title=title)
            self.canvas.draw()
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)

    def render(self, **overlay) -> bytes:
        """Return PNG bytes of the base diagram with :func:`draw_overlay` (same keywords) on top."""
        import io

        from PIL import Image

        from tcpmodel.plots.style import course_style

        with course_style():
            artists = draw_overlay(self.ax, animated=True, **overlay)
            try:
                self.canvas.restore_region(self._background)
                for artist in artists:
                    self.ax.draw_artist(artist)
            finally:
                for artist in artists:
                    artist.remove()
        width, height = self.canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="PNG", compress_level=1)
        return buffer.getvalue()


# ---------------------------------------------------------------------------
# Registered figures
# ---------------------------------------------------------------------------

_CLIENT = ROLE_COLOURS["client"]
_SERVER = ROLE_COLOURS["server"]


@figure(
    "state_diagram",
    alt="The TCP state diagram of RFC 9293 Figure 5: eleven states from CLOSED at the top through LISTEN, "
        "SYN-SENT and SYN-RECEIVED to ESTABLISHED, then the active closer's path FIN-WAIT-1, FIN-WAIT-2 on the "
        "left, the passive closer's CLOSE-WAIT, LAST-ACK on the right, CLOSING in the middle, and TIME-WAIT "
        "(emphasised) at the bottom, leaving to CLOSED only on the 2MSL timeout. Each arrow is labelled with "
        "its event and the segments sent.",
    caption="The TCP state machine (RFC 9293 §3.3.2, Figure 5, with the FIN-WAIT-1 → TIME-WAIT edge of its "
            "Note 2), drawn from tcpmodel.states.TABLE.",
)
def state_diagram():
    return draw_state_diagram(title="TCP connection states (RFC 9293 Figure 5)")


@figure(
    "state_diagram_active_close",
    alt="The TCP state diagram with the active close highlighted in blue: ESTABLISHED, CLOSE sends FIN to "
        "FIN-WAIT-1, the ACK of that FIN leads to FIN-WAIT-2, the peer's FIN is ACKed and leads to TIME-WAIT, "
        "and only the 2MSL timeout leads to CLOSED.",
    caption="The active closer's path: the side that sends the first FIN ends in TIME-WAIT (RFC 9293 §3.10.4, "
            "§3.10.7.4, §3.10.8).",
)
def state_diagram_active_close():
    return draw_state_diagram(
        highlights=[Highlight(ACTIVE_CLOSE, _CLIENT, "active close", ACTIVE_CLOSE_EVENTS)],
        title="Active close: ESTABLISHED → … → TIME-WAIT → CLOSED",
    )


@figure(
    "state_diagram_passive_close",
    alt="The TCP state diagram with the passive close highlighted in orange: ESTABLISHED, the peer's FIN is "
        "ACKed and leads to CLOSE-WAIT, the application's CLOSE sends FIN and leads to LAST-ACK, and the ACK of "
        "that FIN leads straight to CLOSED, without TIME-WAIT.",
    caption="The passive closer's path: it receives the first FIN and never enters TIME-WAIT (RFC 9293 §3.10.7.4).",
)
def state_diagram_passive_close():
    return draw_state_diagram(
        highlights=[Highlight(PASSIVE_CLOSE, _SERVER, "passive close", PASSIVE_CLOSE_EVENTS)],
        title="Passive close: ESTABLISHED → CLOSE-WAIT → LAST-ACK → CLOSED",
    )


@figure(
    "state_diagram_simultaneous_close",
    alt="The TCP state diagram with the simultaneous close highlighted in purple: both sides CLOSE from "
        "ESTABLISHED and enter FIN-WAIT-1, each receives the other's FIN before its ACK and enters CLOSING, the "
        "ACK of its own FIN leads to TIME-WAIT, and the 2MSL timeout to CLOSED; both sides wait.",
    caption="Simultaneous close (RFC 9293 Figure 13): both sides pass through CLOSING and both wait in TIME-WAIT.",
)
def state_diagram_simultaneous_close():
    return draw_state_diagram(
        highlights=[Highlight(SIMULTANEOUS_CLOSE, PALETTE["purple"], "simultaneous close (each side)",
                              SIMULTANEOUS_CLOSE_EVENTS)],
        title="Simultaneous close: FIN-WAIT-1 → CLOSING → TIME-WAIT",
    )


@figure(
    "state_diagram_handshake_close",
    alt="The TCP state diagram with two paths: the client in blue from CLOSED through SYN-SENT to ESTABLISHED "
        "and, closing first, through FIN-WAIT-1 and FIN-WAIT-2 to TIME-WAIT and CLOSED; the server in orange "
        "from CLOSED through LISTEN and SYN-RECEIVED to ESTABLISHED and through CLOSE-WAIT and LAST-ACK to CLOSED.",
    caption="A client that opens actively and closes first, and a server that opens passively and closes second: "
            "only the client waits in TIME-WAIT.",
)
def state_diagram_handshake_close():
    client = CLIENT_OPEN + ACTIVE_CLOSE[1:]
    server = SERVER_OPEN + PASSIVE_CLOSE[1:]
    return draw_state_diagram(
        highlights=[
            Highlight(client, _CLIENT, "client (active open, closes first)", CLIENT_OPEN_EVENTS + ACTIVE_CLOSE_EVENTS),
            Highlight(server, _SERVER, "server (passive open, closes second)",
                      SERVER_OPEN_EVENTS + PASSIVE_CLOSE_EVENTS),
        ],
        title="Handshake and four-way close: client and server paths",
    )
