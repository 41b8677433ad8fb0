"""The workaround scenarios of notebook 07: ``"tw_reuse"`` and ``"tw_recycle_nat"``.

``simulate("tw_reuse", timestamps=True|False, …)`` returns a
:class:`~tcpmodel.sim.trace.Trace`: incarnation 2 of a 4-tuple takes it over
from TIME_WAIT after ``tcp_tw_reuse_delay`` instead of 60 s, and an old
duplicate of incarnation 1 arrives while incarnation 2 is open.

``simulate("tw_recycle_nat", clients=N, seed=S)`` returns a
:class:`~tcpmodel.sim.recycle.RecycleNatResult`: many hosts behind one NAT
address talk to a server with ``tcp_tw_recycle=1`` (see
:mod:`tcpmodel.sim.recycle`).

Examples
--------
>>> from tcpmodel.sim import simulate
>>> simulate("tw_reuse", timestamps=True).corrupted
False
>>> simulate("tw_reuse", timestamps=False).corrupted
True
>>> r = simulate("tw_recycle_nat", clients=10, seed=1)
>>> r.syns_sent > 0
True
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tcpmodel._validate import require_bool, require_choice, require_int, require_number
from tcpmodel.linux import LinuxConfig
from tcpmodel.sim.recycle import RecycleNatResult, simulate_tw_recycle_nat
from tcpmodel.sim.scenarios import DEFAULT_MSL, DEFAULT_ONE_WAY, Scenario, old_duplicate, scenario

__all__ = ["tw_reuse", "tw_recycle_nat", "RecycleNatScenario", "reuse_hold_s"]


def reuse_hold_s(tcp_tw_reuse: int, loopback: bool, time_wait_s: float, tcp_tw_reuse_delay: int | None = None) -> float:
    """Seconds before a new ``connect()`` can take a closed 4-tuple, by ``tcp_tw_reuse``.

    The rule and the defaults come from :class:`tcpmodel.linux.LinuxConfig`
    (``tcp_twsk_unique`` in ``net/ipv4/tcp_ipv4.c``): with reuse on for this
    traffic (1, or 2 on loopback) the 4-tuple is free after
    ``tcp_tw_reuse_delay`` ms; otherwise after the whole TIME_WAIT. The
    timestamp condition is left out here on purpose: the ``tw_reuse``
    scenario shows what happens when it is missing.

    Examples
    --------
    >>> reuse_hold_s(1, loopback=False, time_wait_s=60.0)
    1.0
    >>> reuse_hold_s(2, loopback=False, time_wait_s=60.0), reuse_hold_s(2, loopback=True, time_wait_s=60.0)
    (60.0, 1.0)
    >>> reuse_hold_s(0, loopback=True, time_wait_s=60.0)
    60.0
    """
    kwargs = {} if tcp_tw_reuse_delay is None else {"tcp_tw_reuse_delay": tcp_tw_reuse_delay}
    cfg = LinuxConfig(tcp_tw_reuse=tcp_tw_reuse, **kwargs)
    require_bool("loopback", loopback)
    return cfg.effective_hold_s(time_wait_s=time_wait_s, loopback=loopback, peer_timestamps=True)


@scenario("tw_reuse")
def tw_reuse(
    timestamps: bool = True,
    tcp_tw_reuse: int = 1,
    loopback: bool = False,
    tcp_tw_reuse_delay: int | None = None,
    msl: float = DEFAULT_MSL,
    delay: float | None = None,
    one_way: float = DEFAULT_ONE_WAY,
    seed: int = 0,
) -> Scenario:
    """A client reuses a TIME_WAIT 4-tuple early, and an old duplicate arrives.

    The story of ``"old_duplicate"`` (a fast connection: every incarnation
    starts at the same ISN, so incarnation 1's ``old-2`` at SEQ=301 fits
    incarnation 2's window), with the client A as active closer. A connects
    again at once; the connect takes the 4-tuple over when it is free:

    * after ``tcp_tw_reuse_delay`` (default from :class:`~tcpmodel.linux.LinuxConfig`)
      when ``tcp_tw_reuse`` is 1, or 2 with ``loopback=True``;
    * after the whole TIME_WAIT (2·``msl``) otherwise.

    The network holds the first copy of ``old-2`` for ``delay`` seconds
    (default ``min(10, msl)``; at most ``msl``). The duplicate can reach
    incarnation 2 only when ``delay`` is longer than the time from its sending
    to the start of incarnation 2 at B, that is, the rest of incarnation 1,
    its close and the reuse delay: :func:`tcpmodel.workarounds.reuse_exposure_s`.

    * ``timestamps=True``: B's new incarnation has TS.Recent from A's new SYN,
      so the old duplicate's older TSval fails PAWS and is dropped
      (RFC 1323 §4.2.1, kept as RFC 7323 §5.3, section inferred; Linux
      copies TS.Recent into the reusing socket in
      ``tcp_twsk_unique``).
    * ``timestamps=False``: nothing tells the old duplicate from new data; B
      delivers it in place of ``new-2`` and ``trace.corrupted`` is True. Linux
      itself refuses this takeover (``tcp_twsk_unique`` needs
      ``tw_ts_recent_stamp``; ``LinuxConfig.reuse_applies(peer_timestamps=False)``
      is False); the run shows why.

    Examples
    --------
    >>> from tcpmodel.sim import simulate
    >>> t = simulate("tw_reuse", timestamps=True)
    >>> [s.outcome.split(":")[0] for s in t.segments if s.payload == "old-2" and s.t_arrived > 5]
    ['PAWS']
    >>> simulate("tw_reuse", timestamps=False, tcp_tw_reuse=0).corrupted  # waits 60 s: safe, slow
    False
    """
    require_bool("timestamps", timestamps)
    require_choice("tcp_tw_reuse", tcp_tw_reuse, (0, 1, 2))
    require_bool("loopback", loopback)
    require_number("msl", msl, low=0.001, high=3600, unit="seconds")
    require_int("seed", seed, low=0, high=2**63 - 1)
    hold = reuse_hold_s(tcp_tw_reuse, loopback, 2 * msl, tcp_tw_reuse_delay)
    delay = min(10.0, msl) if delay is None else delay
    sc = old_duplicate(
        time_wait=True, msl=msl, delay=delay, quiet_time=0.0, isn="fixed", timestamps=timestamps, one_way=one_way, seed=seed
    )
    sc.A = replace(sc.A, time_wait_len=hold)
    sc.name = "tw_reuse"
    return sc


@dataclass
class RecycleNatScenario(Scenario):
    """A scenario that runs its own model instead of the two-endpoint engine."""

    kwargs: dict | None = None

    def run(self) -> RecycleNatResult:
        """Run :func:`~tcpmodel.sim.recycle.simulate_tw_recycle_nat` with this scenario's parameters."""
        return simulate_tw_recycle_nat(**(self.kwargs or {}))


@scenario("tw_recycle_nat")
def tw_recycle_nat(
    clients: int = 20,
    seed: int = 0,
    tw_recycle: bool = True,
    server_closes_first: bool = True,
    client_offsets: str = "uptime",
    mean_interval_s: float | None = None,
    hold_s: float | None = None,
    duration_s: float | None = None,
) -> RecycleNatScenario:
    """``clients`` hosts behind one NAT address; the server has ``tcp_tw_recycle=1``.

    See :func:`tcpmodel.sim.recycle.simulate_tw_recycle_nat` for the model,
    its parameters and their sources. ``simulate`` returns a
    :class:`~tcpmodel.sim.recycle.RecycleNatResult` (not a two-endpoint Trace).
    """
    kwargs = dict(
        clients=clients,
        seed=seed,
        tw_recycle=tw_recycle,
        server_closes_first=server_closes_first,
        client_offsets=client_offsets,
        mean_interval_s=mean_interval_s,
        hold_s=hold_s,
        duration_s=duration_s,
    )
    # Validate now, so that a bad parameter fails at build time with its name.
    require_int("clients", clients, low=1, high=100_000)
    require_int("seed", seed, low=0, high=2**63 - 1)
    return RecycleNatScenario("tw_recycle_nat", calls=[], seed=0, kwargs=kwargs)
