"""Plots of TIME_WAIT's cost: rates, exhaustion, population, systems and duplicates.

Every number drawn comes from :mod:`tcpmodel.models`. The ``draw_*`` functions
take parameters and back the calculator widgets; the registered figures call
them with Linux's defaults and are the widgets' static fallbacks.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from tcpmodel import models
from tcpmodel.figures import figure
from tcpmodel.plots.style import PALETTE, ROLE_COLOURS, fixed_margins

# Linux's default port range, and an example tcp_max_tw_buckets (its real default
# depends on memory). The figures' alt texts state numbers computed from these.
_PORTS = models.ephemeral_port_count(32768, 60999)
_CAP = 131072

__all__ = [
    "draw_rate",
    "draw_rate_overview",
    "draw_exhaustion",
    "draw_population",
    "draw_duplicates",
    "draw_systems",
    "draw_who_closes_first",
]

_TW_CHOICES = (30.0, 60.0, 120.0, 240.0)


def draw_rate(low: int = 32768, high: int = 60999, time_wait_s: float = 60.0, destinations: int = 1,
              tw_reuse: int | None = None, loopback: bool = False) -> plt.Figure:
    """The rate calculator's figure: sustainable rate against ports for the chosen settings.

    Kept to a dozen text objects and fixed margins (no ``tight_layout``): text
    rendering dominates, and the calculator must redraw in under 0.1 s.

    Examples
    --------
    >>> fig = draw_rate(32768, 60999, 60.0, 1)
    >>> fig.axes[0].get_title()
    '470.5 connections/s = 28,232 ports × 1 / 60 s'
    >>> plt.close(fig)
    """
    ports = models.ephemeral_port_count(low, high)
    config = None if tw_reuse is None else models.LinuxConfig(ip_local_port_range=(low, high), tcp_tw_reuse=tw_reuse)
    rate = models.max_connection_rate(ports, time_wait_s, destinations, config, loopback=loopback)
    per_port = models.max_connection_rate(1, time_wait_s, destinations, config, loopback=loopback)
    fig = plt.figure(figsize=(6.4, 3.4))
    ax = fig.add_axes((0.13, 0.15, 0.82, 0.74))
    # The model is linear in ports: two points draw the line exactly.
    ax.plot([0, 65535], [0, 65535 * per_port], color=ROLE_COLOURS["client"])
    ax.plot([ports], [rate], "o", color=ROLE_COLOURS["time_wait"], markersize=8, zorder=5)
    hold = ports * destinations / rate
    ax.set_title(f"{rate:,.1f} connections/s = {ports:,} ports × {destinations:,} / {hold:g} s", fontsize=10)
    ax.set_xlabel("ephemeral ports")
    ax.set_ylabel("new connections/s")
    ax.set_xlim(0, 66000)
    ax.set_ylim(0, 65535 * per_port * 1.05)
    ax.set_xticks([0, 20000, 40000, 60000], ["0", "20,000", "40,000", "60,000"])
    ax.yaxis.set_major_locator(MaxNLocator(4))
    return fig


def draw_rate_overview(destinations: int = 1) -> plt.Figure:
    """Sustainable rate against ports for TIME_WAIT of 30, 60, 120 and 240 s; Linux's default marked."""
    linux_ports = models.ephemeral_port_count(*models.LinuxConfig().ip_local_port_range)
    rate = models.max_connection_rate(linux_ports, models.TCP_TIMEWAIT_LEN_S, destinations)
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    x = np.array([1024, 65535])
    for tw, colour in zip(_TW_CHOICES, (PALETTE["sky"], PALETTE["blue"], PALETTE["purple"], PALETTE["grey"])):
        ax.plot(x, [models.max_connection_rate(int(p), tw, destinations) for p in x], color=colour,
                label=f"TIME_WAIT {tw:g} s")
    ax.plot([linux_ports], [rate], "o", color=ROLE_COLOURS["time_wait"], markersize=8, zorder=5)
    ax.annotate(f"Linux default: {linux_ports:,} ports, 60 s → {rate:,.1f}/s", (linux_ports, rate),
                textcoords="offset points", xytext=(8, 8), fontsize=9, color=ROLE_COLOURS["time_wait"])
    ax.set_xlabel("ephemeral ports")
    ax.set_ylabel("new connections/s (sustainable)")
    ax.set_title(f"Client closes first, {destinations:,} destination{'s' if destinations != 1 else ''}")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def draw_exhaustion(rate: float = 1000.0, low: int = 32768, high: int = 60999, time_wait_s: float = 60.0,
                    destinations: int = 1, max_tw_buckets: int | None = None) -> plt.Figure:
    """4-tuples held over time from a cold start, and when connect() starts failing.

    With ``max_tw_buckets`` below the capacity, closes beyond the cap skip
    TIME_WAIT and free their 4-tuple at once, so the held 4-tuples stop at the
    cap and ``connect()`` never fails (see :func:`tcpmodel.models.burst_outcome`).

    Examples
    --------
    >>> fig = draw_exhaustion(rate=1000)
    >>> fig.axes[0].get_title()
    '1,000/s against a limit of 470.5/s'
    >>> plt.close(fig)
    >>> fig = draw_exhaustion(rate=1000, max_tw_buckets=10000)
    >>> fig.axes[0].get_title()
    '1,000/s, tcp_max_tw_buckets 10,000: never exhausts, 833.3/s skip TIME_WAIT'
    >>> plt.close(fig)
    """
    ports = models.ephemeral_port_count(low, high)
    capacity = ports * destinations
    t_fail = models.time_to_exhaustion(rate, ports, time_wait_s, destinations, max_tw_buckets=max_tw_buckets)
    horizon = 2.5 * time_wait_s
    t = np.linspace(0, horizon, 400)
    # Held 4-tuples: everything opened in the last TIME_WAIT seconds, at most the capacity (and the cap).
    held = np.minimum(rate * np.minimum(t, time_wait_s), capacity)
    capped = max_tw_buckets is not None and max_tw_buckets < capacity
    if capped:
        held = np.minimum(held, max_tw_buckets)
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    ax.plot(t, held, color=ROLE_COLOURS["time_wait"], label="4-tuples in TIME_WAIT")
    ax.axhline(capacity, color=PALETTE["black"], linestyle="--", linewidth=1, label=f"capacity {capacity:,}")
    if capped:
        ax.axhline(max_tw_buckets, color=ROLE_COLOURS["error"], linestyle=":", linewidth=1.5,
                   label=f"tcp_max_tw_buckets {max_tw_buckets:,}")
        skipped = models.time_wait_overflow_rate(rate, time_wait_s, max_tw_buckets)
        ax.set_title(f"{rate:,.0f}/s, tcp_max_tw_buckets {max_tw_buckets:,}: never exhausts, "
                     f"{skipped:,.1f}/s skip TIME_WAIT", fontsize=9)
    elif math.isinf(t_fail):
        ax.set_title(f"{rate:,.0f}/s is sustainable: never exhausts")
    else:
        ax.axvline(t_fail, color=ROLE_COLOURS["error"], linestyle=":", linewidth=1.5)
        ax.annotate(f"connect() fails after {t_fail:,.1f} s", (t_fail, capacity * 0.5), textcoords="offset points",
                    xytext=(6, 0), fontsize=9, color=ROLE_COLOURS["error"])
        ax.set_title(f"{rate:,.0f}/s against a limit of {capacity / time_wait_s:,.1f}/s")
    ax.set_xlabel("seconds since start")
    ax.set_ylabel("4-tuples held")
    ax.set_ylim(0, capacity * 1.25)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    fixed_margins(fig, left=0.95)
    return fig


def draw_population(time_wait_s: float = 60.0, max_tw_buckets: int = _CAP) -> plt.Figure:
    """Little's law: TIME_WAIT sockets and their memory against the close rate, with the cap."""
    rates = np.linspace(0, 4000, 200)
    pop = [models.time_wait_population(r, time_wait_s, max_tw_buckets) for r in rates]
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    ax.plot(rates, pop, color=ROLE_COLOURS["time_wait"], label="N = λ·T, capped")
    ax.axhline(max_tw_buckets, color=PALETTE["black"], linestyle="--", linewidth=1,
               label=f"tcp_max_tw_buckets = {max_tw_buckets:,}")
    ax.set_xlabel("connections closed first per second (λ)")
    ax.set_ylabel("sockets in TIME_WAIT")
    mem = ax.secondary_yaxis("right", functions=(lambda n: n * models.TW_SOCK_BYTES / 2**20,
                                                 lambda m: m * 2**20 / models.TW_SOCK_BYTES))
    mem.set_ylabel(f"MiB at {models.TW_SOCK_BYTES} B each")
    ax.set_title(f"TIME_WAIT = {time_wait_s:g} s")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


_ISN_LABELS = {"same": "same ISN", "rfc6528": "clock-driven ISN", "random": "hypothetical ISN"}


def draw_duplicates(gap_s: float = 30.0, msl_s: float = 120.0, delay: str = "uniform", mean_delay_s: float | None = None,
                    isn_policy: str = "same", sent_bytes: int = 0) -> plt.Figure:
    """Delay density of an old duplicate; the shaded part arrives after the new incarnation opens.

    ``sent_bytes`` is what the old incarnation sent; with the clock-driven
    ISN (``isn_policy="rfc6528"``) it decides whether an old segment can fall
    in the new window at all (:func:`tcpmodel.models.duplicate_in_window`).

    Examples
    --------
    >>> fig = draw_duplicates(gap_s=30, msl_s=120, isn_policy="same")
    >>> fig.axes[0].get_title()
    'P(accepted in the new incarnation) = 0.75  (same ISN)'
    >>> plt.close(fig)
    """
    p = models.duplicate_arrival_probability(gap_s, msl_s, delay=delay, mean_delay_s=mean_delay_s, isn_policy=isn_policy,
                                             sent_bytes=sent_bytes)
    t = np.linspace(0, msl_s, 300)
    if delay == "uniform":
        density = np.full_like(t, 1 / msl_s)
    else:
        tau = msl_s / 4 if mean_delay_s is None else mean_delay_s
        density = np.exp(-t / tau) / (tau * -math.expm1(-msl_s / tau))
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    ax.plot(t, density, color=ROLE_COLOURS["neutral"])
    late = t >= gap_s
    ax.fill_between(t[late], density[late], color=ROLE_COLOURS["time_wait"], alpha=0.4,
                    label="arrives after the new incarnation opens")
    ax.axvline(min(gap_s, msl_s), color=ROLE_COLOURS["client"], linestyle="--", linewidth=1)
    # the label goes on the side of the line that has room, so it never leaves the figure
    near_right = min(gap_s, msl_s) > 0.6 * msl_s
    ax.annotate(f"gap {gap_s:g} s ", (min(gap_s, msl_s), density.max() * 1.05), fontsize=9, color=ROLE_COLOURS["client"],
                ha="right" if near_right else "left")
    ax.set_xlim(0, msl_s * 1.05)
    ax.set_ylim(0, density.max() * 1.25)
    ax.set_xlabel("delay of the old duplicate (s); no segment outlives the MSL")
    ax.set_ylabel("density")
    ax.set_title(f"P(accepted in the new incarnation) = {p:.3g}  ({_ISN_LABELS.get(isn_policy, isn_policy)})")
    ax.legend(loc="upper left" if near_right else "upper right", fontsize=8, frameon=False)
    fixed_margins(fig, left=0.9)
    return fig


def _other_releases(entry) -> str:
    """``" (240 s in other releases)"`` when an entry's TIME_WAIT default changed between releases."""
    if "time_wait_s" not in entry.version_dependent:
        return ""
    others = sorted({v.value for v in entry.by_version["time_wait_s"]} - {entry.time_wait_s})
    return f" ({', '.join(f'{o:g}' for o in others)} s in other releases)"


def draw_systems() -> plt.Figure:
    """TIME_WAIT of each system in SYSTEMS; hatched where the default changed between releases."""
    keys = list(models.SYSTEMS)
    entries = [models.SYSTEMS[k] for k in keys]
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    y = np.arange(len(keys))
    colours = [ROLE_COLOURS["neutral"] if k.startswith("rfc") else ROLE_COLOURS["time_wait"] for k in keys]
    bars = ax.barh(y, [e.time_wait_s for e in entries], color=colours)
    for bar, entry in zip(bars, entries):
        if "time_wait_s" in entry.version_dependent:
            bar.set_hatch("//")
            bar.set_edgecolor(PALETTE["black"])
        ax.text(bar.get_width() + 3, bar.get_y() + bar.get_height() / 2,
                f"{entry.time_wait_s:g} s{_other_releases(entry)}", va="center", fontsize=8)
    ax.set_yticks(y, [e.name for e in entries])
    ax.invert_yaxis()
    ax.set_xlabel("default TIME_WAIT (s); hatched: it changed between releases")
    ax.set_xlim(0, 290)
    fig.tight_layout()
    return fig


def draw_who_closes_first() -> plt.Figure:
    """Two timelines: client closes first (client holds TIME_WAIT) and server closes first."""
    fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.4))
    for ax, closer in zip(axes, ("client", "server")):
        other = "server" if closer == "client" else "client"
        x = {"client": 0.0, "server": 1.0}
        ax.set_xlim(-0.45, 1.45)
        ax.set_ylim(5.2, -0.6)
        ax.axis("off")
        for role in ("client", "server"):
            ax.plot([x[role], x[role]], [0, 4.8], color=ROLE_COLOURS[role], linewidth=2)
            ax.text(x[role], -0.35, role, ha="center", color=ROLE_COLOURS[role], fontsize=10, weight="bold")
        steps = [(closer, other, "FIN"), (other, closer, "ACK"), (other, closer, "FIN"), (closer, other, "ACK")]
        for i, (src, dst, label) in enumerate(steps):
            y0 = 0.4 + i * 0.8
            ax.annotate("", xy=(x[dst], y0 + 0.5), xytext=(x[src], y0),
                        arrowprops={"arrowstyle": "->", "color": PALETTE["black"], "linewidth": 1})
            ax.text(0.5, y0 + 0.2, label, ha="center", fontsize=8, backgroundcolor="white")
        ax.add_patch(plt.Rectangle((x[closer] - 0.12, 3.6), 0.24, 1.2, color=ROLE_COLOURS["time_wait"], alpha=0.35))
        ax.text(x[closer], 4.25, "TIME\nWAIT", ha="center", va="center", fontsize=8)
        holder = models.who_holds_time_wait(closer)
        cost = "ports" if closer == "client" else "memory"
        ax.set_title(f"{closer} closes first: {holder['holder']} pays in {cost}", fontsize=9)
    fig.tight_layout()
    return fig


@figure("cost_rate_vs_ports",
        alt="Line chart: sustainable new connections per second rise linearly with the number of ephemeral ports "
            f"and fall as TIME_WAIT grows (30, 60, 120, 240 s). Linux's default {_PORTS:,} ports with a 60 s TIME_WAIT "
            f"is marked at {models.max_connection_rate(_PORTS, 60):.1f} connections per second.",
        caption="Sustainable connect() rate = ports × destinations / TIME_WAIT, when the client closes first.")
def rate_vs_ports() -> plt.Figure:
    return draw_rate_overview()


@figure("cost_time_to_exhaustion",
        alt="Line chart: 4-tuples held in TIME_WAIT climb at 1,000 per second from zero and reach the capacity of "
            f"{_PORTS:,} after {models.time_to_exhaustion(1000, _PORTS, 60):.1f} seconds, before the first TIME_WAIT "
            "ends at 60 seconds; from then on connect() fails except when a TIME_WAIT ends, "
            f"{models.max_connection_rate(_PORTS, 60):.1f} times a second.",
        caption="Above the sustainable rate, ports run out after ports ÷ rate seconds.")
def time_to_exhaustion() -> plt.Figure:
    return draw_exhaustion()


@figure("cost_population",
        alt="Line chart: sockets in TIME_WAIT grow linearly with the close rate (Little's law, N = rate × 60 s) "
            f"until they reach tcp_max_tw_buckets = {_CAP:,}, then stay flat; a second axis gives the memory at "
            f"{models.TW_SOCK_BYTES} bytes per socket ({models.time_wait_memory_bytes(_CAP) / 2**20:.0f} MiB at the cap).",
        caption="TIME_WAIT population and memory against close rate, capped by tcp_max_tw_buckets.")
def population() -> plt.Figure:
    return draw_population()


@figure("cost_duplicates",
        alt="Uniform delay density of an old duplicate between 0 and the 120 s MSL; the part after a 30 s gap is "
            f"shaded: with the same sequence space, {models.duplicate_arrival_probability(30, 120, isn_policy='same'):.0%} "
            "of old duplicates would land in the new incarnation.",
        caption="Why wait: a duplicate delayed past the gap lands in the next incarnation, unless the gap covers the MSL.")
def duplicates() -> plt.Figure:
    return draw_duplicates()


def _systems_alt() -> str:
    """The systems figure's alt text, from SYSTEMS: neighbours with one unchanged value share it."""
    groups: list[tuple[list[str], float, str]] = []
    for entry in models.SYSTEMS.values():
        history = entry.version_note("time_wait_s", detail=False)
        if groups and not history and not groups[-1][2] and groups[-1][1] == entry.time_wait_s:
            groups[-1][0].append(entry.name)
        else:
            groups.append(([entry.name], entry.time_wait_s, history))
    parts = [
        f"{' and '.join([', '.join(names[:-1]), names[-1]] if len(names) > 1 else names)} {value:g} s"
        + (f" (hatched, the default changed between releases: {history})" if history else "")
        for names, value, history in groups
    ]
    return "Horizontal bar chart of TIME_WAIT by system: " + "; ".join(parts) + "."


@figure("cost_systems_time_wait",
        alt=_systems_alt(),
        caption="TIME_WAIT by system, from tcpmodel.models.SYSTEMS (hatched: the default changed between releases; "
                "tcpmodel.models.SYSTEMS[key].by_version gives each release's value and source).")
def systems_time_wait() -> plt.Figure:
    return draw_systems()


@figure("cost_who_closes_first",
        alt="Two sequence diagrams of a close. Left: the client sends the first FIN and ends in TIME_WAIT, which "
            "ties up its ephemeral port. Right: the server sends the first FIN and ends in TIME_WAIT, which costs "
            "it memory but no client ports.",
        caption="The side that sends the first FIN holds TIME_WAIT (RFC 9293 §3.6).")
def who_closes_first() -> plt.Figure:
    return draw_who_closes_first()
