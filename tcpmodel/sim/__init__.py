"""A segment-level simulator of two TCP endpoints over an unreliable network.

``simulate(scenario, **params) -> Trace`` runs a named scenario
(``"normal_close"``, ``"simultaneous_close"``, ``"lost_final_ack"``,
``"old_duplicate"``, ``"abortive_close"``…; see :func:`scenario_names`) or a
:class:`Scenario` written with the general API. Every state change comes from
:func:`tcpmodel.states.transition`; the engine adds what RFC 9293 leaves to
the TCP around the table: sequence numbers and the acceptability test,
delivery, timers, timestamps and PAWS. See :mod:`tcpmodel.sim.engine`.

Examples
--------
>>> from tcpmodel.sim import simulate
>>> trace = simulate("lost_final_ack", time_wait=False, msl=1.0)
>>> trace.final_state("B").name, trace.errors["B"]
('CLOSED', ['connection reset'])
>>> simulate("old_duplicate", msl=-1)
Traceback (most recent call last):
...
ValueError: msl must be a number in [0.001, 3600] (seconds); got -1
"""

from __future__ import annotations

from typing import Any

from tcpmodel.sim import recycle  # noqa: F401 - the tw_recycle_nat model, as sim.recycle (notebook annotations use it)
from tcpmodel.sim.network import Network
from tcpmodel.sim.scenarios import (
    DEFAULT_MSL,
    After,
    Call,
    EndpointConfig,
    First,
    Scenario,
    abort,
    after,
    build,
    close,
    connect,
    listen,
    scenario,
    scenario_names,
    send,
    with_params,
)
from tcpmodel.sim.trace import Delivery, Segment, TimerSpan, Trace, TransitionRecord

__all__ = [
    "simulate",
    "Trace",
    "Segment",
    "Scenario",
    "EndpointConfig",
    "Network",
    "Call",
    "After",
    "First",
    "listen",
    "connect",
    "send",
    "close",
    "abort",
    "after",
    "scenario",
    "scenario_names",
    "build",
    "Delivery",
    "TimerSpan",
    "TransitionRecord",
    "DEFAULT_MSL",
]


def simulate(scenario: str | Scenario, **params: Any) -> Trace:
    """Run a scenario and return its :class:`Trace`.

    Parameters
    ----------
    scenario : str or Scenario
        A registered name (see :func:`scenario_names`) or a :class:`Scenario`.
    **params
        The named scenario's parameters, or fields of the Scenario to replace.

    Returns
    -------
    Trace
        ``states``, ``segments``, ``errors``, ``delivered``, ``corrupted``…

    Raises
    ------
    ValueError
        For an unknown scenario or parameter, or a parameter out of range.

    Examples
    --------
    >>> t = simulate("normal_close", closer="A", msl=2.0)
    >>> t.time_in("A", t.final_state("A").__class__.TIME_WAIT)
    4.0
    >>> simulate("no_such_thing")
    Traceback (most recent call last):
    ...
    ValueError: scenario must be one of ...; got 'no_such_thing'
    """
    from tcpmodel.sim.engine import Engine

    if isinstance(scenario, Scenario):
        sc = with_params(scenario, **params) if params else scenario
    elif isinstance(scenario, str):
        sc = build(scenario, **params)
    else:
        raise ValueError(f"scenario must be a scenario name or a Scenario; got {scenario!r}")
    if hasattr(sc, "run"):  # a scenario with a model of its own (tw_recycle_nat, issue 7)
        return sc.run()
    return Engine(sc).run()
