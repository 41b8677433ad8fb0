"""The network between A and B: delay, loss, duplication and reordering.

Theory of operation
-------------------
Every segment the engine sends is handed to :meth:`Network.fate`, which
returns the list of one-way delays with which copies of it arrive: ``[]``
when it is lost, one delay normally, two when the network duplicates it.
Losses, duplicates and held-back segments are chosen by the segment's index
(its order of sending, from 0) or by a predicate on the
:class:`~tcpmodel.sim.trace.Segment`. Random loss and jitter come from a
seeded generator, so the same arguments always give the same trace.

MSL (RFC 9293 Glossary: "Maximum Segment Lifetime, the time a TCP segment can
exist in the internetwork system") is the network's promise that no segment
lives longer. The simulator enforces it: a delay longer than
``msl`` raises ``ValueError`` rather than silently breaking the model.

Examples
--------
>>> net = Network(delay=0.05, lose=[2])
>>> from tcpmodel.sim.trace import Segment
>>> seg = Segment(index=2, t_sent=0.0, src="A", dst="B", flags="ACK", seq=1, ack=1)
>>> net.fate(seg, msl=30.0)
[]
>>> net.fate(Segment(index=3, t_sent=0.0, src="A", dst="B", flags="ACK", seq=1, ack=1), msl=30.0)
[0.05]
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

from tcpmodel._validate import require_number

__all__ = ["Network", "Selector"]

#: Which segments a rule applies to: indices, or a predicate on the Segment.
Selector = Union[Collection[int], Callable[[Any], bool]]


def _selects(selector: Selector | None, seg: Any) -> bool:
    if selector is None:
        return False
    if callable(selector):
        return bool(selector(seg))
    return seg.index in selector


@dataclass
class Network:
    """How the network treats each segment.

    Parameters
    ----------
    delay : float or callable
        One-way delay in seconds, or ``delay(segment) -> seconds``.
    lose : collection of int or callable
        Segments to lose, by index or predicate.
    loss_rate : float
        Probability in [0, 1) that any other segment is lost (seeded).
    duplicate : collection of int or callable
        Segments the network delivers twice; the copy arrives ``duplicate_lag`` later.
    hold : mapping int → float, or callable
        Segments held back: ``{index: delay}`` or ``hold(segment) -> delay or None``.
        A held segment arrives after the given delay instead of ``delay``
        (this is how reordering and old duplicates are made).
    jitter : float
        Extra delay drawn uniformly from [0, jitter] per segment (reorders segments).
    seed : int
        Seeds ``loss_rate`` and ``jitter``.

    Examples
    --------
    >>> from tcpmodel.sim.trace import Segment
    >>> net = Network(delay=0.05, hold={0: 9.0}, duplicate=[1], duplicate_lag=0.5)
    >>> mk = lambda i: Segment(index=i, t_sent=0.0, src="A", dst="B", flags="ACK", seq=1, ack=1)
    >>> net.fate(mk(0), msl=30.0), net.fate(mk(1), msl=30.0)
    ([9.0], [0.05, 0.55])
    """

    delay: float | Callable[[Any], float] = 0.05
    lose: Selector = ()
    loss_rate: float = 0.0
    duplicate: Selector = ()
    duplicate_lag: float = 0.01
    hold: Mapping[int, float] | Callable[[Any], float | None] = field(default_factory=dict)
    jitter: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        if not callable(self.delay):
            require_number("delay", self.delay, low=0, high=3600, unit="seconds")
        require_number("loss_rate", self.loss_rate, low=0, high=1, high_open=True)
        require_number("duplicate_lag", self.duplicate_lag, low=0, high=3600, unit="seconds")
        require_number("jitter", self.jitter, low=0, high=3600, unit="seconds")
        if not callable(self.hold):
            for index, held in dict(self.hold).items():
                require_number(f"hold[{index}]", held, low=0, high=3600, unit="seconds")
        self._rng = random.Random(self.seed)

    def reset(self) -> None:
        """Restart the seeded generator and stateful selectors (the engine calls this at the start of a run)."""
        self._rng = random.Random(self.seed)
        for rule in (self.lose, self.duplicate, self.hold, self.delay):
            if hasattr(rule, "reset"):
                rule.reset()

    def _base_delay(self, seg: Any) -> float:
        held = self.hold(seg) if callable(self.hold) else self.hold.get(seg.index)
        if held is not None:
            return float(held)
        base = float(self.delay(seg)) if callable(self.delay) else float(self.delay)
        if self.jitter:
            base += self._rng.uniform(0.0, self.jitter)
        return base

    def fate(self, seg: Any, *, msl: float) -> list[float]:
        """Delays with which copies of ``seg`` arrive (``[]`` if it is lost).

        Raises
        ------
        ValueError
            If a delay is negative or longer than ``msl``: the network promises
            that no segment outlives the MSL (RFC 9293 Glossary).
        """
        # Draw the random numbers in a fixed order, whatever the outcome, so that
        # changing one segment's fate does not reshuffle every later segment's.
        roll = self._rng.random()
        if _selects(self.lose, seg) or (self.loss_rate and roll < self.loss_rate):
            return []
        first = self._base_delay(seg)
        require_number("delay", first, low=0, high=msl, unit="seconds, at most the MSL")
        arrivals = [first]
        if _selects(self.duplicate, seg):
            second = first + float(self.duplicate_lag)
            require_number("delay", second, low=0, high=msl, unit="seconds, at most the MSL")
            arrivals.append(second)
        return arrivals
