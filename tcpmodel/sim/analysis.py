"""Summaries of simulator runs that notebooks, widgets and exercises share.

Examples
--------
>>> from tcpmodel.sim import simulate
>>> info = old_duplicate_summary(simulate("old_duplicate", time_wait=False, delay=20.0, quiet_time=5.0))
>>> info["old_seq"], info["accepted"]
(301, True)
"""

from __future__ import annotations

from typing import Any

from tcpmodel.sim.scenarios import DEFAULT_MSL
from tcpmodel.states import State

__all__ = ["old_duplicate_summary", "corruption_grid", "segment_choices", "close_outcome"]


def _close_time(trace: Any, endpoint: str) -> float:
    """When ``endpoint``'s first incarnation ended: it entered TIME_WAIT, or (time_wait=False) CLOSED."""
    time_wait = trace.entered(endpoint, State.TIME_WAIT)
    if time_wait:
        return time_wait[0]
    return next(t for t, s in trace.states[endpoint][1:] if s == State.CLOSED)


def old_duplicate_summary(trace: Any) -> dict:
    """What happened to the held-back segment of an ``"old_duplicate"`` run.

    Returns a dict with ``old_seq``, ``sent``, ``arrived`` (seconds),
    ``inc2_start`` (time of incarnation 2's SYN, or None), ``close`` (when A
    entered TIME_WAIT the first time, or CLOSED without TIME_WAIT), ``outcome`` (what B did with it) and
    ``accepted`` (B delivered it to the application).
    """
    old = next(s for s in trace.segments if s.payload == "old-2" and not s.retransmission and s.duplicate_of is None)
    syn2 = next((s for s in trace.segments if s.flags == "SYN" and s.incarnation == 2), None)
    return {
        "old_seq": old.seq,
        "sent": old.t_sent,
        "arrived": old.t_arrived,
        "close": _close_time(trace, "A"),
        "inc2_start": None if syn2 is None else syn2.t_sent,
        "outcome": old.outcome,
        "accepted": "OLD DUPLICATE" in old.outcome,
    }


def corruption_grid(quiet_times: list[float], delays: list[float], *, time_wait: bool, msl: float = DEFAULT_MSL, **params: Any) -> list[list[bool]]:
    """``grid[i][j]``: does ``old_duplicate`` corrupt data with ``delays[i]`` and ``quiet_times[j]``?

    Examples
    --------
    >>> corruption_grid([5.0, 25.0], [20.0], time_wait=False)
    [[True, False]]
    >>> corruption_grid([5.0, 25.0], [20.0], time_wait=True)
    [[False, False]]
    """
    from tcpmodel.sim import simulate

    return [
        [simulate("old_duplicate", time_wait=time_wait, msl=msl, delay=d, quiet_time=q, **params).corrupted for q in quiet_times]
        for d in delays
    ]


def segment_choices(trace: Any) -> list[tuple[str, int]]:
    """``(label, index)`` for each segment of a run, for a drop-down that picks one to lose.

    Examples
    --------
    >>> from tcpmodel.sim import simulate
    >>> segment_choices(simulate("normal_close", msl=1.0))[0]
    ('#0 A→B SYN', 0)
    """
    return [(f"#{s.index} {s.src}→{s.dst} {s.flags}", s.index) for s in trace.segments if s.duplicate_of is None]


def close_outcome(trace: Any) -> str:
    """One line: how each side ended and what its application saw.

    Examples
    --------
    >>> from tcpmodel.sim import simulate
    >>> close_outcome(simulate("lost_final_ack", time_wait=False, msl=1.0))
    'A: CLOSED, no error · B: CLOSED, error: connection reset'
    """
    parts = []
    for ep in ("A", "B"):
        errors = trace.errors[ep]
        parts.append(f"{ep}: {trace.final_state(ep).name}, " + (f"error: {'; '.join(errors)}" if errors else "no error"))
    return " · ".join(parts)
