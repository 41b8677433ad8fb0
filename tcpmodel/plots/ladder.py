"""Ladder (sequence) diagrams of simulator traces, and the figures of every named scenario.

Theory of operation
-------------------
Time runs down the page; A and B are vertical lines with their states
written beside them (TIME_WAIT shaded). Each segment is a slanted arrow
labelled with its flags, seq and ack; a lost segment stops half-way at a ×.
The 2MSL and expired retransmission timers are brackets outside the lines.

A TIME_WAIT of 60 s next to segments 50 ms apart would leave the exchange a
smudge at the top, so long quiet gaps are compressed: time is drawn linearly
except that any gap longer than ``gap`` seconds with nothing happening is
drawn as a short break marked ``≈`` with its true length written beside it.
Every label still shows real times.
"""

from __future__ import annotations

from dataclasses import replace

import matplotlib.pyplot as plt
import numpy as np

from tcpmodel.figures import figure
from tcpmodel.plots.style import PALETTE, ROLE_COLOURS, fixed_margins
from tcpmodel.sim import Trace, simulate
from tcpmodel.states import State

__all__ = ["draw_ladder", "show_ladder", "TimeScale"]

_X = {"A": 0.0, "B": 1.0}
_COLOUR = {"A": ROLE_COLOURS["client"], "B": ROLE_COLOURS["server"]}


class TimeScale:
    """Piecewise-linear map from seconds to drawing units that shortens idle gaps.

    Between two consecutive moments where something happens, the drawing
    advances ``dt`` units, but at least ``min_step`` (so that labels of
    segments 50 ms apart do not overlap) and, for gaps longer than ``gap``
    seconds, exactly ``break_height`` (a compressed break).

    Examples
    --------
    >>> scale = TimeScale([0.0, 0.1, 60.1], gap=1.0, break_height=0.5, min_step=0.0)
    >>> round(float(scale(0.1)), 3), round(float(scale(60.1)), 3)
    (0.1, 0.6)
    >>> scale.breaks
    [(0.1, 60.1)]
    """

    def __init__(self, times: list[float], *, gap: float = 1.0, break_height: float = 0.5, min_step: float = 0.3) -> None:
        knots = sorted(set(float(t) for t in times))
        if not knots:
            knots = [0.0]
        xs, ys, self.breaks = [knots[0]], [0.0], []
        for a, b in zip(knots, knots[1:]):
            step = b - a
            if step > gap:
                self.breaks.append((a, b))
                step = break_height
            else:
                step = max(step, min_step)
            xs.append(b)
            ys.append(ys[-1] + step)
        self._xs, self._ys = np.array(xs), np.array(ys)

    def __call__(self, t: float) -> float:
        if len(self._xs) == 1:
            return float(t - self._xs[0])
        return float(np.interp(t, self._xs, self._ys))

    @property
    def height(self) -> float:
        return float(self._ys[-1])


def _key_times(trace: Trace) -> list[float]:
    times = [0.0, trace.end_time]
    for seg in trace.segments:
        times.append(seg.t_sent)
        if seg.t_arrived is not None:
            times.append(seg.t_arrived)
    for ep in ("A", "B"):
        times += [t for t, _ in trace.states[ep]]
    for span in trace.timers:
        if span.kind == "2MSL" or span.outcome == "expired":
            times += [span.start, span.end if span.end is not None else trace.end_time]
    return times


def _fmt_gap(seconds: float) -> str:
    return f"≈ {seconds:,.1f} s" if seconds < 100 else f"≈ {seconds:,.0f} s"


def draw_ladder(
    trace: Trace,
    *,
    title: str | None = None,
    gap: float = 1.0,
    ax=None,  # noqa: ANN001 - a matplotlib Axes
    highlight: int | None = None,
    width: float = 9.0,
    relative: bool | None = None,
    compact: bool = False,
):  # noqa: ANN201 - returns a matplotlib Figure
    """Draw ``trace`` as a ladder diagram and return the Figure.

    Parameters
    ----------
    trace : Trace
        From :func:`tcpmodel.sim.simulate`.
    title : str, optional
        Figure title (default: the scenario's name).
    gap : float
        Idle gaps longer than this many seconds are drawn compressed.
    ax : matplotlib Axes, optional
        Draw into this Axes instead of a new figure.
    highlight : int, optional
        Index of a segment to draw thicker (for example the one a learner chose to lose).
    width : float
        Figure width in inches.
    relative : bool, optional
        Show sequence numbers relative to each side's ISN, as Wireshark does
        (``seq=1`` is the first data octet). Default: only when an ISN is
        larger than 10**6, so small textbook ISNs such as 100 stay visible.
    compact : bool
        Label segments with their flags only and leave out the time axis
        labels: about a third of the text, for widgets that redraw often.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from tcpmodel.sim import simulate
    >>> fig = draw_ladder(simulate("lost_final_ack", msl=1.0))
    >>> len(fig.axes)
    1
    """
    scale = TimeScale(_key_times(trace), gap=gap, break_height=0.45, min_step=0.3)
    y = scale
    total = max(y(trace.end_time), 0.5)
    own_figure = ax is None
    if ax is None:
        height = 4.2 if compact else min(1.6 + 0.62 * total, 30.0)
        # compact figures are for widgets that redraw on every change: fewer pixels to rasterise
        kwargs = {"dpi": 72} if compact else {}
        fig, ax = plt.subplots(figsize=(width, height), **kwargs)
    else:
        fig = ax.figure
    top, bottom = -0.45, total + 0.25

    # lifelines with state labels and TIME_WAIT bands
    for ep, x in _X.items():
        ax.plot([x, x], [top + 0.2, bottom], color=PALETTE["grey"], lw=1.2, zorder=1)
        role = "client" if ep == "A" else "server"
        ax.text(x, top, f"{ep} ({role})", ha="center", va="bottom", fontsize=10, fontweight="bold", color=_COLOUR[ep])
        changes = trace.states[ep]
        side = -1 if ep == "A" else 1
        ha = "right" if side < 0 else "left"
        groups: dict[float, list] = {}
        for t, state in changes:
            groups.setdefault(t, []).append(state)
        for t, states in groups.items():
            # several changes at one instant share one label: "CLOSED → SYN_SENT"
            waiting = State.TIME_WAIT in states
            colour = ROLE_COLOURS["time_wait"] if waiting else PALETTE["black"]
            ax.text(x + side * 0.03, y(t), " → ".join(s.name for s in states), ha=ha, va="center", fontsize=7.5,
                    color=colour, fontweight="bold" if waiting else "normal")
        # one Line2D for all the little ticks on this lifeline (cheaper to draw than one each)
        tx, ty = [], []
        for t in groups:
            tx += [x - 0.008, x + 0.008, np.nan]
            ty += [y(t), y(t), np.nan]
        ax.plot(tx, ty, color=PALETTE["black"], lw=1)
        for i, (t, state) in enumerate(changes):
            t_end = changes[i + 1][0] if i + 1 < len(changes) else trace.end_time
            if state == State.TIME_WAIT and t_end > t:
                ax.plot([x, x], [y(t), y(t_end)], color=ROLE_COLOURS["time_wait"], lw=5, alpha=0.45, solid_capstyle="butt", zorder=2)

    # compressed gaps
    for a, b in scale.breaks:
        ya, yb = y(a), y(b)
        mid = (ya + yb) / 2
        for x in _X.values():
            ax.plot([x - 0.02, x + 0.02], [mid - 0.04, mid + 0.04], color=PALETTE["black"], lw=1, zorder=4)
        ax.text(0.5, mid, f"{_fmt_gap(b - a)} pass", ha="center", va="center", fontsize=7.5, style="italic",
                color=PALETTE["grey"], bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none"))

    # timers
    for span in trace.timers:
        if span.kind == "RTO" and span.outcome != "expired":
            continue
        end = span.end if span.end is not None else trace.end_time
        x = _X[span.endpoint]
        bx = x + (-0.5 if span.endpoint == "A" else 0.5) + (0.08 if span.kind == "RTO" else 0.0) * (1 if span.endpoint == "A" else -1)
        colour = ROLE_COLOURS["time_wait"] if span.kind == "2MSL" else PALETTE["purple"]
        y0, y1 = y(span.start), y(end)
        tick = 0.02 if span.endpoint == "A" else -0.02
        ax.plot([bx + tick, bx, bx, bx + tick], [y0, y0, y1, y1], color=colour, lw=1.2)
        label = f"2MSL\n{end - span.start:,.0f} s" if span.kind == "2MSL" else "RTO"
        if span.outcome == "restarted":
            label = "2MSL\n↻ restarted"
        elif span.outcome.startswith("ended early"):
            label += "\nended early"
        ax.text(bx - tick * 1.2, y0 + 0.04, label, ha="right" if span.endpoint == "A" else "left", va="top",
                fontsize=6.5, color=colour, linespacing=1.0)

    isn = {}
    for seg in trace.segments:
        if "SYN" in seg.flags.split("+"):
            isn.setdefault((seg.src, seg.incarnation), seg.seq)
    if relative is None:
        relative = any(v > 10**6 for v in isn.values())

    def label(seg) -> str:  # noqa: ANN001
        if not relative:
            return seg.label()
        peer = "B" if seg.src == "A" else "A"
        rel = replace(seg, seq=(seg.seq - isn.get((seg.src, seg.incarnation), 0)) % 2**32,
                      ack=(seg.ack - isn.get((peer, seg.incarnation), 0)) % 2**32 if "ACK" in seg.flags.split("+") else seg.ack)
        return rel.label()

    # segments; in compact mode lines and markers of one style are batched into one artist
    batches: dict[tuple, list] = {}

    def batch(key: tuple, xs: list, ys: list) -> None:
        bx, by = batches.setdefault(key, ([], []))
        bx += [*xs, np.nan]
        by += [*ys, np.nan]

    for seg in trace.segments:
        x0, y0 = _X[seg.src], y(seg.t_sent)
        x1 = _X[seg.dst]
        old = seg.duplicate_of is None and seg.t_arrived is not None and "OLD DUPLICATE" in seg.outcome
        flags = set(seg.flags.split("+"))
        colour = ROLE_COLOURS["error"] if "RST" in flags else _COLOUR[seg.src]
        if old:
            colour = PALETTE["purple"]
        lw = 2.6 if seg.index == highlight and seg.duplicate_of is None else 1.3
        if seg.t_arrived is None:
            xm = x0 + (x1 - x0) * 0.55
            ym = y0 + 0.12
            if compact:
                batch(("line", colour, lw, "-"), [x0, xm], [y0, ym])
                batch(("marker", ROLE_COLOURS["lost"], "x"), [xm], [ym])
            else:
                ax.plot([x0, xm], [y0, ym], color=colour, lw=lw, zorder=3)
                ax.plot([xm], [ym], marker="x", ms=9, mew=2.2, color=ROLE_COLOURS["lost"], zorder=5)
            lx, ly = 0.5, (y0 + ym) / 2
        else:
            y1 = y(seg.t_arrived)
            if compact:
                # a line with a triangle marker at its head: far cheaper to draw than an arrow patch
                batch(("line", colour, lw, "--" if seg.retransmission else "-"), [x0, x1], [y0, y1])
                batch(("marker", colour, ">" if x1 > x0 else "<"), [x1], [y1])
            else:
                ax.annotate("", xy=(x1, y1), xytext=(x0, y0), zorder=3,
                            arrowprops=dict(arrowstyle="-|>", color=colour, lw=lw, linestyle="--" if seg.retransmission else "-",
                                            shrinkA=0, shrinkB=0))
            lx, ly = (x0 + x1) / 2, (y0 + y1) / 2
            if abs(y1 - y0) > 1.0:  # a long-delayed segment: label near its start
                lx, ly = x0 + (x1 - x0) * 0.2, y0 + (y1 - y0) * 0.2
        text = seg.flags if compact else label(seg)
        if seg.retransmission:
            text += " (rtx)" if compact else " (retransmit)"
        if seg.t_arrived is None:
            text += " — lost"
        if old:
            text += " ← old duplicate"
        ax.text(lx, ly - 0.03, text, ha="center", va="bottom", fontsize=6.5, color=colour, zorder=6)
    for key, (bx, by) in batches.items():
        if key[0] == "line":
            ax.plot(bx, by, color=key[1], lw=key[2], ls=key[3], zorder=3)
        else:
            big = key[2] == "x"
            ax.plot(bx, by, ls="none", marker=key[2], ms=9 if big else 6, mew=2.2 if big else 1.0, color=key[1], zorder=5 if big else 3)

    # time axis: real seconds at the state changes
    ax.set_xlim(-0.72, 1.72)
    ax.set_ylim(bottom, top - 0.15)
    ticks = sorted({round(t, 3) for ep in ("A", "B") for t, _ in trace.states[ep]})
    shown, last = [], -1e9
    for t in ticks:
        if y(t) - last >= 0.25:
            shown.append(t)
            last = y(t)
    if compact:
        ax.set_axis_off()  # no ticks or spines to lay out and draw
    else:
        ax.set_yticks([y(t) for t in shown])
        ax.set_yticklabels([f"{t:,.2f} s" for t in shown], fontsize=7)
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)
    ax.set_ylabel("time (≈: compressed)" if scale.breaks else "time")
    errors = "; ".join(f"{ep}: {', '.join(trace.errors[ep])}" for ep in ("A", "B") if trace.errors[ep])
    subtitle = f"errors — {errors}" if errors else "no errors"
    if title and "error" in title:
        subtitle = ""
    if trace.corrupted:
        subtitle += " · CORRUPTED: an old segment was delivered"
    if relative and not compact:
        subtitle += " · seq/ack relative to each ISN"
    subtitle = subtitle.strip(" ·")
    heading = f"{title or trace.scenario}\n{subtitle}".strip()
    if compact:
        # a figure text, not an Axes title: placing a title makes matplotlib lay out
        # the (hidden) ticks, which costs a quarter of the drawing time
        fig.text(0.5, 0.995, heading, ha="center", va="top", fontsize=9)
    else:
        ax.set_title(heading, fontsize=9)
    if own_figure:
        # fixed margins (in inches) instead of tight_layout, which costs half the drawing time
        # (compact figures have no time labels, so they need no left margin)
        fixed_margins(fig, left=0.1 if compact else 0.85, right=0.1, top=0.5, bottom=0.1)
    return fig


# ------------------------------------------------------------------- figures
_MSL = 30.0


@figure(
    "ladder_normal_close",
    alt="Ladder diagram of a normal close: A (client) closes first, passes FIN_WAIT_1, FIN_WAIT_2 and waits 2·MSL (60 s) in TIME_WAIT; B passes CLOSE_WAIT and LAST_ACK and is CLOSED at once.",
    caption="Normal close with the client as active closer (msl = 30 s): only the side that sends the first FIN waits in TIME_WAIT.",
)
def ladder_normal_close():
    return draw_ladder(simulate("normal_close", closer="A", msl=_MSL), title="normal_close (closer = A)")


@figure(
    "ladder_normal_close_server_first",
    alt="Ladder diagram of a normal close where B (the server) closes first: now B passes FIN_WAIT_1, FIN_WAIT_2 and TIME_WAIT, and A goes through CLOSE_WAIT and LAST_ACK.",
    caption="The same close with the server as active closer (msl = 30 s): the server now holds the TIME_WAIT.",
)
def ladder_normal_close_server_first():
    return draw_ladder(simulate("normal_close", closer="B", msl=_MSL), title="normal_close (closer = B)")


@figure(
    "ladder_simultaneous_close",
    alt="Ladder diagram of a simultaneous close: both FINs cross, both sides pass FIN_WAIT_1, CLOSING and TIME_WAIT, and both wait 2·MSL.",
    caption="Simultaneous close (msl = 30 s): both ends are active closers and both wait in TIME_WAIT.",
)
def ladder_simultaneous_close():
    return draw_ladder(simulate("simultaneous_close", msl=_MSL), title="simultaneous_close")


@figure(
    "ladder_lost_final_ack",
    alt="Ladder diagram of a lost final ACK with TIME_WAIT: A's last ACK is lost, B retransmits its FIN after one RTO, A in TIME_WAIT ACKs it again and restarts its 2MSL timer, and both close without error.",
    caption="Lost final ACK with TIME_WAIT (msl = 30 s): the retransmitted FIN is answered and both sides close cleanly.",
)
def ladder_lost_final_ack():
    return draw_ladder(simulate("lost_final_ack", time_wait=True, msl=_MSL), title="lost_final_ack (time_wait=True)")


@figure(
    "ladder_lost_final_ack_no_time_wait",
    alt="Ladder diagram of a lost final ACK without TIME_WAIT: A is already CLOSED when B's retransmitted FIN arrives, A answers with a RST, and B's connection ends with connection reset.",
    caption="Lost final ACK without TIME_WAIT: the retransmitted FIN meets a CLOSED endpoint and gets a RST.",
)
def ladder_lost_final_ack_no_time_wait():
    return draw_ladder(simulate("lost_final_ack", time_wait=False, msl=_MSL), title="lost_final_ack (time_wait=False)")


@figure(
    "ladder_old_duplicate",
    alt="Ladder diagram of an old duplicate without TIME_WAIT: segment SEQ=301 of incarnation 1 is held 20 s in the network, incarnation 2 starts 5 s after the close with the same ISN, and B delivers the old segment as new data.",
    caption="Old duplicate without TIME_WAIT (msl = 30 s, delay = 20 s, quiet time = 5 s): the old SEQ=301 lands in the new window and corrupts incarnation 2.",
)
def ladder_old_duplicate():
    return draw_ladder(simulate("old_duplicate", time_wait=False, msl=_MSL, delay=20.0, quiet_time=5.0),
                       title="old_duplicate (time_wait=False)")


@figure(
    "ladder_old_duplicate_time_wait",
    alt="Ladder diagram of the same old duplicate with TIME_WAIT: the old SEQ=301 arrives while A still waits in TIME_WAIT, before incarnation 2 can start, and nothing is corrupted.",
    caption="The same delay with TIME_WAIT: incarnation 2 cannot start until 2·MSL after the close, when the old segment is gone.",
)
def ladder_old_duplicate_time_wait():
    return draw_ladder(simulate("old_duplicate", time_wait=True, msl=_MSL, delay=20.0, quiet_time=5.0),
                       title="old_duplicate (time_wait=True)")


@figure(
    "ladder_time_wait_assassination",
    alt="Ladder diagram of TIME-WAIT assassination: a duplicate of B's FIN reaches A in TIME_WAIT after B has returned to LISTEN; A's ACK draws a RST from B's listener, the RST ends A's TIME_WAIT at once, A reconnects, and the old SEQ=301 held 20 s in the network is delivered in incarnation 2.",
    caption="TIME-WAIT assassination (RFC 1337 §1; msl = 30 s, delay = 20 s): a RST cuts TIME_WAIT short and the old duplicate corrupts incarnation 2 (hazard H1, RFC 1337 §2.2). With tcp_rfc1337=1 the RST is ignored.",
)
def ladder_time_wait_assassination():
    return draw_ladder(simulate("time_wait_assassination", msl=_MSL, delay=20.0),
                       title="time_wait_assassination (rfc1337=False)")


@figure(
    "ladder_abortive_close",
    alt="Ladder diagram of an abortive close with SO_LINGER 0: A sends a RST instead of a FIN, neither side enters TIME_WAIT (as on Linux), and B's application sees connection reset.",
    caption="Abortive close (SO_LINGER {on, 0}): no TIME_WAIT anywhere, and the peer sees a reset.",
)
def ladder_abortive_close():
    return draw_ladder(simulate("abortive_close", msl=_MSL), title="abortive_close (SO_LINGER 0)")


def show_ladder(trace: Trace, **kwargs) -> None:  # noqa: ANN003 - passed to draw_ladder
    """Draw ``trace`` with :func:`draw_ladder` and show it once (for notebook cells).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> show_ladder(simulate("normal_close", msl=1.0))
    """
    draw_ladder(trace, **kwargs)
    plt.show()
    plt.close("all")


def draw_ttl_vs_msl(ttl: int = 64, msl: float = _MSL, max_per_hop: float = 1.0):  # noqa: ANN201 - a Figure
    """How long a looping packet lives (TTL hops × seconds per hop) against the MSL.

    TTL counts hops (RFC 1812 §4.2.2.9: "each router is required to reduce the
    TTL field by at least one"), so the lifetime in seconds depends on how long
    each hop takes; above the MSL line the network breaks TCP's assumption that
    no segment outlives the MSL (RFC 9293 Glossary).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = draw_ttl_vs_msl(64, 30.0)
    >>> fig.axes[0].get_xlabel()
    'seconds per hop in the loop'
    """
    per_hop = np.linspace(0.0, max_per_hop, 101)
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    ax.plot(per_hop, ttl * per_hop, color=PALETTE["blue"], label=f"lifetime with TTL {ttl}")
    ax.axhline(msl, color=ROLE_COLOURS["time_wait"], ls="--", label=f"MSL = {msl:g} s")
    ax.fill_between(per_hop, msl, ttl * per_hop, where=ttl * per_hop > msl, color=ROLE_COLOURS["error"], alpha=0.15,
                    label="outlives the MSL")
    ax.set_xlabel("seconds per hop in the loop")
    ax.set_ylabel("packet lifetime (s)")
    ax.legend(fontsize=8, loc="upper left")
    fixed_margins(fig, left=0.65, top=0.15)
    return fig


def show_figure(fig) -> None:  # noqa: ANN001 - a matplotlib Figure
    """Show ``fig`` once in a notebook and close every open figure.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> show_figure(draw_ttl_vs_msl())
    """
    plt.show()
    plt.close("all")
