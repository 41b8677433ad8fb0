"""Plots of the workarounds (notebook 07): tcp_tw_reuse and PAWS, tcp_tw_recycle behind NAT,
pooling, and the decision table.

Every number drawn comes from :mod:`tcpmodel.sim` (the ``tw_reuse`` and
``tw_recycle_nat`` scenarios), :mod:`tcpmodel.models` or
:mod:`tcpmodel.workarounds`. The ``draw_*`` functions take parameters and
back the widgets; the registered figures call them with fixed arguments.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from tcpmodel.figures import figure
from tcpmodel.models import time_wait_population as _time_wait_population
from tcpmodel.plots.style import PALETTE, ROLE_COLOURS, fixed_margins
from tcpmodel.sim.recycle import SPREAD_SEEDS

__all__ = [
    "draw_tw_reuse",
    "draw_recycle_sweep",
    "draw_recycle_timeline",
    "draw_pooling",
    "draw_decision_table",
    "recycle_sweep",
    "RECYCLE_SWEEP_CLIENTS",
    "RECYCLE_SWEEP_SEEDS",
]

#: The NAT sizes and seeds of the sweep figure (the seeds are the course's spread seeds).
RECYCLE_SWEEP_CLIENTS = (1, 2, 3, 5, 10, 20, 50, 100, 300, 1000)
RECYCLE_SWEEP_SEEDS = SPREAD_SEEDS

_STATE_COLOURS = {
    "ESTABLISHED": PALETTE["green"],
    "TIME_WAIT": ROLE_COLOURS["time_wait"],
    "SYN_SENT": PALETTE["sky"],
    "FIN_WAIT_1": PALETTE["yellow"],
    "FIN_WAIT_2": PALETTE["yellow"],
}


def _lane(ax, trace, endpoint: str, y: float, t_end: float) -> None:
    changes = trace.states[endpoint] + [(t_end, None)]
    for (t0, s), (t1, _) in zip(changes, changes[1:]):
        t1 = min(t1, t_end)  # a state that outlasts the plotted window is cut at its edge, label included
        if s is None or s.name not in _STATE_COLOURS or t1 <= t0:
            continue
        ax.broken_barh([(t0, t1 - t0)], (y - 0.18, 0.36), color=_STATE_COLOURS[s.name], alpha=0.8)
        if s.name in ("TIME_WAIT", "ESTABLISHED") and t1 - t0 > 0.06 * t_end:
            ax.text((t0 + t1) / 2, y, s.name, ha="center", va="center", fontsize=7, color="white" if s.name == "TIME_WAIT" else "black")


def draw_tw_reuse(timestamps: bool = True, tcp_tw_reuse: int = 1, loopback: bool = False, delay: float = 10.0, msl: float = 30.0, ax=None):
    """One ``tw_reuse`` run: A's and B's states over time and the old duplicate's flight.

    Returns the Figure (or draws into ``ax``).
    """
    from tcpmodel.sim import simulate

    trace = simulate("tw_reuse", timestamps=timestamps, tcp_tw_reuse=tcp_tw_reuse, loopback=loopback, delay=delay, msl=msl)
    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=(7.2, 2.6))
    else:
        fig = ax.figure
    data = [s for s in trace.segments if s.payload and s.src == "A"]
    t_end = max([s.t_arrived or s.t_sent for s in data] + [trace.entered("A", trace.final_state("A"))[0] * 0 + 1.0]) * 1.12
    t_end = max(t_end, max(t for t, _ in trace.states["A"][:10]) * 1.05)
    yA, yB = 1.0, 0.0
    _lane(ax, trace, "A", yA, t_end)
    _lane(ax, trace, "B", yB, t_end)
    dup = max((s for s in data if s.payload == "old-2" and s.incarnation == 1), key=lambda s: s.t_arrived or 0.0)
    for s in data:
        if s.t_arrived is None or s.t_arrived > t_end:
            continue
        is_dup = s is dup
        colour = ROLE_COLOURS["error"] if is_dup else PALETTE["grey"]
        ax.annotate("", xy=(s.t_arrived, yB + 0.2), xytext=(s.t_sent, yA - 0.2),
                    arrowprops=dict(arrowstyle="->", color=colour, lw=1.8 if is_dup else 0.8))
    rejected = "PAWS" in dup.outcome
    verdict = "old duplicate dropped by PAWS" if rejected else ("old duplicate delivered as new data: CORRUPTED" if trace.corrupted else "old duplicate not delivered")
    # under the duplicate's arrival (or the right edge, if it arrives later), anchored
    # on the side with room, so the verdict never leaves the figure
    x = min(dup.t_arrived or t_end, t_end)
    where = x / t_end
    ax.text(x, yB - 0.38, verdict, ha="left" if where < 0.3 else ("right" if where > 0.7 else "center"), va="top", fontsize=8,
            color=ROLE_COLOURS["ok"] if not trace.corrupted else ROLE_COLOURS["error"])
    ax.set_yticks([yB, yA], ["B (server)", "A (client)"])
    ax.set_ylim(-0.8, 1.45)
    ax.set_xlim(0, t_end)
    ax.set_xlabel("time (s)")
    ax.set_title(f"tcp_tw_reuse={tcp_tw_reuse}{' (loopback)' if loopback else ''}, timestamps {'on' if timestamps else 'off'}", fontsize=10)
    ax.spines["left"].set_visible(False)
    if own:
        fixed_margins(fig, left=0.95)
    return fig


@figure(
    "tw_reuse_paws",
    alt="Two timelines of a client that reuses a TIME_WAIT 4-tuple after 1 s. An old duplicate sent before the close "
    "arrives at the server during the new connection. With timestamps it is dropped by PAWS; without timestamps it "
    "is delivered as new data and corrupts the stream.",
    caption="tcp_tw_reuse takes a TIME_WAIT 4-tuple after 1 s; only PAWS (timestamps) keeps the old duplicate out.",
)
def tw_reuse_paws_figure():
    fig, axes = plt.subplots(2, 1, figsize=(7.2, 4.8), sharex=True)
    draw_tw_reuse(timestamps=True, ax=axes[0])
    draw_tw_reuse(timestamps=False, ax=axes[1])
    axes[0].set_xlabel("")
    fig.tight_layout()
    return fig


def recycle_sweep(clients=RECYCLE_SWEEP_CLIENTS, seeds=RECYCLE_SWEEP_SEEDS, **params) -> dict[str, np.ndarray]:
    """``tw_recycle_nat`` over NAT sizes: median and range over ``seeds`` of the drop and failure fractions.

    Returns a dict of arrays: ``clients``; ``drop`` and ``failed`` (medians:
    SYNs dropped, connect() calls that failed); ``drop_low``/``drop_high`` and
    ``failed_low``/``failed_high`` (the range over the seeds). ``params`` go to
    :func:`tcpmodel.sim.recycle.simulate_tw_recycle_nat` (``client_offsets``...).

    Examples
    --------
    >>> s = recycle_sweep(clients=(1, 20), seeds=(0, 1))
    >>> float(s["drop"][0]), bool(s["drop"][1] > 0)
    (0.0, True)
    """
    from tcpmodel.sim.recycle import recycle_nat_sweep

    spreads = recycle_nat_sweep(clients=clients, seeds=seeds, **params)
    return {
        "clients": np.array([s.clients for s in spreads]),
        "drop": np.array([s.dropped.median for s in spreads]),
        "drop_low": np.array([s.dropped.low for s in spreads]),
        "drop_high": np.array([s.dropped.high for s in spreads]),
        "failed": np.array([s.failed.median for s in spreads]),
        "failed_low": np.array([s.failed.low for s in spreads]),
        "failed_high": np.array([s.failed.high for s in spreads]),
    }


#: The clock models the sweep figure compares, with their legend labels.
_SWEEP_CLOCKS = (
    ("uptime", "clocks count uptime (clients before Linux 4.10)", PALETTE["vermillion"], "o"),
    ("per_host", "random offset per host (clients from Linux 4.11 until 2026)", PALETTE["blue"], "s"),
)


def draw_recycle_sweep(clients=RECYCLE_SWEEP_CLIENTS, seeds=RECYCLE_SWEEP_SEEDS, **params):
    """SYNs dropped and connect() calls failed against the number of hosts behind one NAT address, two clock models."""
    fig, axes = plt.subplots(1, 2, figsize=(9.6, 3.9), sharex=True)
    for mode, label, colour, marker in _SWEEP_CLOCKS:
        s = recycle_sweep(clients=clients, seeds=seeds, client_offsets=mode, **params)
        for ax, key in zip(axes, ("drop", "failed")):
            ax.fill_between(s["clients"], 100 * s[f"{key}_low"], 100 * s[f"{key}_high"], color=colour, alpha=0.18, linewidth=0)
            ax.plot(s["clients"], 100 * s[key], marker=marker, color=colour, label=label, markersize=4)
    axes[0].set_title("SYNs dropped (netstat: rejected because of time stamp)", fontsize=9)
    axes[1].set_title("connect() calls that fail after every retransmission", fontsize=9)
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("hosts behind one NAT address")
        ax.set_ylim(0, 100)
    axes[0].set_ylabel(f"% (median and range over {len(seeds)} seeds)")
    axes[1].legend(fontsize=7.5, frameon=False, loc="upper left")
    fixed_margins(fig, left=0.62, bottom=0.55, top=0.34, right=0.15, wspace=0.22)
    return fig


@figure(
    "recycle_nat_drops",
    alt="Two line charts on a log scale of hosts behind one NAT address (1 to 1000), each line the median over the "
    "course's seeds with a band for their range. One host is never dropped. About half or more of all SYNs are dropped "
    "from a few hosts on. The share of connect() calls that fail rises with the number of hosts when the hosts' clocks "
    "count uptime; with a random offset per host it peaks near a hundred hosts and falls again beyond.",
    caption="tcp_tw_recycle behind NAT: SYNs dropped and connect() calls failed, median and range over the course's seeds, "
    "for clients whose clocks count uptime and for clients with a random offset per host.",
)
def recycle_nat_drops_figure():
    return draw_recycle_sweep()


def draw_recycle_timeline(clients: int = 6, seed: int = 1, client_offsets: str = "uptime", tw_recycle: bool = True, minutes: float = 60.0,
                          mean_interval_s: float | None = None):
    """Each host's SYNs over time, dropped ones marked, for one ``tw_recycle_nat`` run.

    Hosts are drawn in the order of their clocks, the most advanced at the top
    (per connection, when each connection has its own clock, in host order).
    """
    from tcpmodel.sim.recycle import simulate_tw_recycle_nat

    r = simulate_tw_recycle_nat(clients=clients, seed=seed, client_offsets=client_offsets, tw_recycle=tw_recycle,
                                duration_s=minutes * 60, mean_interval_s=mean_interval_s)
    shown = min(clients, 30)
    if r.offsets is not None:
        # The clock order as the kernel compares them: (s32)(a - b) against the first host's clock.
        ref = r.offsets[0]
        rank = sorted(range(clients), key=lambda c: ((r.offsets[c] - ref + 2**31) % 2**32))
        row = {c: i for i, c in enumerate(rank)}
    else:
        row = {c: c for c in range(clients)}
    fig, ax = plt.subplots(figsize=(6.8, 0.5 + 0.28 * shown + 1.2))
    rows = [(t / 60, row[c], dropped) for t, c, _, dropped in r.syn_log if row[c] < shown]
    ok = [(t, y) for t, y, dropped in rows if not dropped]
    bad = [(t, y) for t, y, dropped in rows if dropped]
    if ok:
        ax.plot(*zip(*ok), "o", color=ROLE_COLOURS["ok"], markersize=4, label="SYN accepted")
    if bad:
        ax.plot(*zip(*bad), "x", color=ROLE_COLOURS["error"], markersize=6, label="SYN dropped (PAWS per host)")
    ax.set_xlabel("minutes")
    ax.set_ylabel("host (most advanced clock at top)" if r.offsets is not None and client_offsets == "uptime" else "host behind the NAT")
    ax.set_ylim(-0.7, shown - 0.3)
    ax.set_yticks(range(shown))
    # The legend sits in a row of its own between the title and the axes, a fixed
    # distance (in points) above the axes whatever the figure's height.
    ax.set_title(f"{clients} hosts, one address: {r.syns_dropped} of {r.syns_sent} SYNs dropped ({r.drop_fraction:.0%}), "
                 f"{r.connects_failed} of {r.connects} connects failed", fontsize=9, pad=20)
    ax.legend(fontsize=8, frameon=False, loc="lower right", bbox_to_anchor=(1.0, 1.0), borderaxespad=0.1, ncol=2)
    fixed_margins(fig, left=0.6, top=0.62)
    return fig


@figure(
    "recycle_nat_timeline",
    alt="Timeline of one hour for six hosts behind one NAT address, drawn in the order of their timestamp clocks. Each "
    "connection attempt is a dot when accepted and a cross when dropped; crosses come in bursts of retransmitted SYNs "
    "for the hosts whose clocks are behind the last one the server saved.",
    caption="Who gets dropped: hosts whose timestamp clock is behind the one the server saved last, for up to 60 s.",
)
def recycle_nat_timeline_figure():
    return draw_recycle_timeline()


def draw_pooling(rate: float = 500.0, time_wait_s: float = 60.0, max_requests: int = 1000):
    """TIME_WAIT population against requests per connection (keep-alive), from Little's law."""
    from tcpmodel import models

    k = np.unique(np.geomspace(1, max_requests, 40).astype(int))
    population = [models.time_wait_population(rate / int(n), time_wait_s) for n in k]
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    ax.loglog(k, population, color=PALETTE["blue"], marker=".")
    for n in (1, 10, 100):
        if n <= max_requests:
            p = models.time_wait_population(rate / n, time_wait_s)
            ax.annotate(f"{n} req/conn → {p:,.0f}", (n, p), textcoords="offset points", xytext=(6, 6), fontsize=8)
    ax.set_xlabel("requests per connection (keep-alive / pooling)")
    ax.set_ylabel("sockets in TIME_WAIT")
    ax.set_title(f"{rate:,.0f} requests/s, TIME_WAIT {time_wait_s:g} s (Little's law)", fontsize=10)
    fig.tight_layout()
    return fig


@figure(
    "pooling_time_wait",
    # Little's law, computed (draw_pooling's defaults: 500 requests/s, 60 s, up to 1000 requests per connection).
    alt=f"Log-log line falling from {_time_wait_population(500.0, 60.0):,.0f} TIME_WAIT sockets with one request per "
    f"connection to {_time_wait_population(500.0 / 1000, 60.0):,.0f} with 1000 requests per connection, at 500 requests "
    "per second and a 60 second TIME_WAIT.",
    caption="Each connection reused for n requests divides the TIME_WAIT population by n.",
)
def pooling_time_wait_figure():
    return draw_pooling()


def draw_decision_table():
    """The decision table of :mod:`tcpmodel.workarounds` as a figure."""
    import textwrap

    from tcpmodel.workarounds import decision_table_rows

    rows = decision_table_rows()
    columns = ["workaround", "helps", "risk", "needs root", "Linux"]
    widths = {"workaround": 24, "helps": 8, "risk": 46, "needs root": 6, "Linux": 24}
    cells = [["\n".join(textwrap.wrap(str(r[c]), widths[c])) for c in columns] for r in rows]
    labels = ["workaround", "helps", "risk", "root?", "Linux version"]
    heights = [max(cell.count("\n") + 1 for cell in row) for row in cells]
    fig, ax = plt.subplots(figsize=(10.5, 0.3 + 0.19 * (sum(heights) + 2 * len(rows))))
    ax.axis("off")
    table = ax.table(cellText=cells, colLabels=labels, loc="upper center", cellLoc="left", colLoc="left",
                     colWidths=[0.2, 0.07, 0.41, 0.07, 0.25])
    table.auto_set_font_size(False)
    table.set_fontsize(7.5)
    helps_colour = {"client": PALETTE["sky"], "server": PALETTE["orange"], "both": PALETTE["green"], "neither": PALETTE["grey"]}
    total = sum(heights) + len(rows) + 1
    for (i, j), cell in table.get_celld().items():
        cell.set_edgecolor("#BBBBBB")
        if i == 0:
            cell.set_text_props(weight="bold")
            cell.set_height(1.2 / total)
            continue
        cell.set_height((heights[i - 1] + 0.6) / total)
        if j == 1:
            cell.set_facecolor(helps_colour[rows[i - 1]["helps"]])
            cell.get_text().set_color("black")
        if j == 3 and rows[i - 1]["needs root"] == "yes":
            cell.set_facecolor("#F2F2F2")
    return fig


@figure(
    "workaround_decision_table",
    alt="Table of ten TIME_WAIT workarounds with whom each helps (client, server, both or neither), its risk, whether "
    "it needs root and from which Linux version it applies. tcp_tw_reuse helps clients; tcp_tw_recycle existed only "
    "in Linux 2.4 to 4.11 and breaks clients behind NAT; tcp_fin_timeout helps neither.",
    caption="The decision table: whom each workaround helps, what it risks, and where it applies.",
)
def workaround_decision_table_figure():
    return draw_decision_table()
