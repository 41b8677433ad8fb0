"""tcpmodel: runnable models of TCP's TIME_WAIT state, for the TIME_WAIT course.

The package is layered so that the dependency arrows point one way::

    widgets/plots  →  sim / models  →  states
    live (the only module that opens real sockets) sits at the edge.

``import tcpmodel`` is cheap: it loads the sans-I/O state machine only.
Submodules (``tcpmodel.sim``, ``tcpmodel.models``, ``tcpmodel.live``,
``tcpmodel.exercises``…) load on first attribute access, and matplotlib,
ipywidgets and psutil are imported only by the modules that draw, show or
observe.
"""

from __future__ import annotations

import importlib
from typing import Any

from tcpmodel.states import (
    Event,
    InvalidTransition,
    State,
    TcpEndpoint,
    Transition,
    transition,
)

__version__ = "0.1.0"

__all__ = [
    "State",
    "Event",
    "Transition",
    "transition",
    "InvalidTransition",
    "TcpEndpoint",
    "state_graph",
    "__version__",
]

_LAZY_SUBMODULES = {"sim", "models", "live", "socket_rules", "exercises", "figures", "plots", "widgets", "graph", "course", "cli", "diagnose"}


def state_graph():  # noqa: ANN201 - returns networkx.MultiDiGraph, imported lazily
    """Return the state machine as a ``networkx.MultiDiGraph`` (see :mod:`tcpmodel.graph`)."""
    from tcpmodel.graph import state_graph as build

    return build()


def __getattr__(name: str) -> Any:
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"tcpmodel.{name}")
    raise AttributeError(f"module 'tcpmodel' has no attribute {name!r}")
