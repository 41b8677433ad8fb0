"""The state table as a graph: networkx for paths, layout data for the diagram.

Theory of operation
-------------------
:func:`state_graph` turns every transition row of
:data:`tcpmodel.states.TABLE` into one edge of a ``networkx.MultiDiGraph``,
keyed by the event; no rule is restated here. Rows that answer without a
change of state are self-loops; the SYN-RECEIVED rows of
:data:`~tcpmodel.states.OPEN_DEPENDENT` are added on request. Each edge
carries ``event``, ``send``, ``rfc``, ``note``, ``condition``,
``user_error``, ``restart_2msl``, ``occurs`` and ``figure5`` (whether RFC 9293
Figure 5, or its Note 2, draws it).

:data:`LAYOUT` holds the fixed coordinates of the classic RFC 9293 Figure 5 /
Stevens layout used by :mod:`tcpmodel.plots.state_diagram`: opening at the
top, the active closer's path down the left, the passive closer's down the
right, TIME-WAIT at the bottom. networkx is imported only when a graph is
built, so ``import tcpmodel`` stays cheap.

Examples
--------
>>> from tcpmodel.states import State
>>> path_of(State.ESTABLISHED, ["CLOSE", "RCV_ACK", "RCV_FIN", "TIMEOUT"])
[<State.ESTABLISHED: 'ESTABLISHED'>, <State.FIN_WAIT_1: 'FIN-WAIT-1'>, <State.FIN_WAIT_2: 'FIN-WAIT-2'>, <State.TIME_WAIT: 'TIME-WAIT'>, <State.CLOSED: 'CLOSED'>]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from tcpmodel.states import OPEN_DEPENDENT, TABLE, Event, State, TcpEndpoint, Transition

__all__ = [
    "state_graph",
    "edge_rows",
    "FIGURE5",
    "LAYOUT",
    "path_of",
    "ACTIVE_CLOSE",
    "PASSIVE_CLOSE",
    "CLIENT_OPEN",
    "SERVER_OPEN",
    "SIMULTANEOUS_CLOSE",
    "states_leading_to",
]

S, E = State, Event

#: The edges RFC 9293 §3.3.2 Figure 5 draws, plus the FIN-WAIT-1 → TIME-WAIT
#: edge its Note 2 says it omits. (state, event) pairs; the next state comes
#: from the table.
FIGURE5: frozenset[tuple[State, Event]] = frozenset(
    {
        (S.CLOSED, E.PASSIVE_OPEN),
        (S.CLOSED, E.ACTIVE_OPEN),
        (S.LISTEN, E.CLOSE),
        (S.LISTEN, E.RCV_SYN),
        (S.LISTEN, E.SEND),
        (S.SYN_RECEIVED, E.RCV_RST),
        (S.SYN_SENT, E.RCV_SYN),
        (S.SYN_SENT, E.CLOSE),
        (S.SYN_SENT, E.RCV_SYN_ACK),
        (S.SYN_RECEIVED, E.RCV_ACK),
        (S.SYN_RECEIVED, E.CLOSE),
        (S.ESTABLISHED, E.CLOSE),
        (S.ESTABLISHED, E.RCV_FIN),
        (S.FIN_WAIT_1, E.RCV_ACK),
        (S.FIN_WAIT_1, E.RCV_FIN),
        (S.FIN_WAIT_1, E.RCV_FIN_ACK),  # Note 2
        (S.FIN_WAIT_2, E.RCV_FIN),
        (S.CLOSING, E.RCV_ACK),
        (S.CLOSE_WAIT, E.CLOSE),
        (S.LAST_ACK, E.RCV_ACK),
        (S.TIME_WAIT, E.TIMEOUT),
    }
)

#: Fixed diagram coordinates (x, y) in the RFC 9293 Figure 5 layout.
#: ``"CLOSED*"`` is the second drawing of CLOSED at the bottom right, where
#: the figure ends the close paths.
LAYOUT: dict[State | str, tuple[float, float]] = {
    S.CLOSED: (5.0, 11.0),
    S.LISTEN: (5.0, 9.2),
    S.SYN_RECEIVED: (1.2, 7.4),
    S.SYN_SENT: (8.8, 7.4),
    S.ESTABLISHED: (5.0, 5.6),
    S.FIN_WAIT_1: (1.2, 3.8),
    S.CLOSE_WAIT: (8.8, 3.8),
    S.FIN_WAIT_2: (1.2, 1.6),
    S.CLOSING: (5.0, 1.6),
    S.LAST_ACK: (8.8, 1.6),
    S.TIME_WAIT: (5.0, -0.4),
    "CLOSED*": (8.8, -0.4),
}


def _edge_key(row: Transition) -> str:
    return row.event.name if row.condition is None else f"{row.event.name}|{row.condition}"


def edge_rows(*, self_loops: bool = True, open_dependent: bool = False) -> list[Transition]:
    """The table rows that become edges: every :class:`~tcpmodel.states.Transition` of TABLE.

    Parameters
    ----------
    self_loops : bool
        Include the rows that leave the state unchanged (default True).
    open_dependent : bool
        Also include :data:`~tcpmodel.states.OPEN_DEPENDENT`, the rows for the
        other kind of open in SYN-RECEIVED (default False).

    Examples
    --------
    >>> len(edge_rows()) == sum(1 for r in TABLE.values() if isinstance(r, Transition))
    True
    >>> all(r.changes_state for r in edge_rows(self_loops=False))
    True
    """
    rows = [r for r in TABLE.values() if isinstance(r, Transition)]
    if open_dependent:
        rows += list(OPEN_DEPENDENT.values())
    return [r for r in rows if self_loops or r.changes_state]


def state_graph(*, self_loops: bool = True, open_dependent: bool = False) -> Any:
    """Return the state machine as a ``networkx.MultiDiGraph``: one edge per table row.

    Nodes are the 11 :class:`~tcpmodel.states.State` s (with attributes
    ``pos``, the diagram coordinates, and ``label``). Every
    :class:`~tcpmodel.states.Transition` in :data:`~tcpmodel.states.TABLE`
    is one edge ``state → next``, keyed by the event name, with attributes
    ``event``, ``send``, ``rfc``, ``note``, ``condition``, ``user_error``,
    ``restart_2msl``, ``occurs`` and ``figure5`` (drawn in RFC 9293 Figure 5
    or its Note 2). Rows that answer without changing state are self-loops.
    Refused user calls are not edges.

    Parameters
    ----------
    self_loops : bool
        Keep the rows that do not change state (default True).
    open_dependent : bool
        Add the SYN-RECEIVED rows for the other kind of open, keyed
        ``"<EVENT>|active open"`` or ``"<EVENT>|passive open"`` (default False).

    Examples
    --------
    >>> g = state_graph()
    >>> g.number_of_nodes()
    11
    >>> g.edges[State.FIN_WAIT_2, State.TIME_WAIT, "RCV_FIN"]["send"]
    ('ACK',)
    >>> g.edges[State.TIME_WAIT, State.TIME_WAIT, "RCV_FIN"]["restart_2msl"]
    True
    >>> sorted({u.name for u, v in g.in_edges(State.TIME_WAIT) if u is not v})
    ['CLOSING', 'FIN_WAIT_1', 'FIN_WAIT_2']
    """
    import networkx as nx

    g = nx.MultiDiGraph(name="TCP state machine (RFC 9293 §3.10)")
    for st in State:
        g.add_node(st, pos=LAYOUT[st], label=st.rfc_name)
    for row in edge_rows(self_loops=self_loops, open_dependent=open_dependent):
        in_table = TABLE.get((row.state, row.event)) is row
        g.add_edge(
            row.state,
            row.next,
            key=row.event.name if in_table else _edge_key(row),
            event=row.event,
            send=row.send,
            rfc=row.rfc,
            note=row.note,
            condition=row.condition,
            user_error=row.user_error,
            restart_2msl=row.restart_2msl,
            occurs=row.occurs,
            figure5=(row.state, row.event) in FIGURE5 and row.condition != "active open" and row.changes_state,
        )
    return g


def path_of(start: State | str, events: Iterable[Event | str], *, name: str = "endpoint") -> list[State]:
    """The states an endpoint visits when ``events`` happen, starting in ``start``.

    Raises
    ------
    tcpmodel.states.InvalidTransition
        If a user call in ``events`` is refused on the way.

    Examples
    --------
    >>> [s.name for s in path_of("CLOSED", ["PASSIVE_OPEN", "RCV_SYN", "RCV_ACK"])]
    ['CLOSED', 'LISTEN', 'SYN_RECEIVED', 'ESTABLISHED']
    """
    endpoint = TcpEndpoint(name, start)
    for event in events:
        endpoint.handle(event)
    return endpoint.path


#: Event scripts for the named paths (the states come from the table).
CLIENT_OPEN_EVENTS = (E.ACTIVE_OPEN, E.RCV_SYN_ACK)
SERVER_OPEN_EVENTS = (E.PASSIVE_OPEN, E.RCV_SYN, E.RCV_ACK)
ACTIVE_CLOSE_EVENTS = (E.CLOSE, E.RCV_ACK, E.RCV_FIN, E.TIMEOUT)
PASSIVE_CLOSE_EVENTS = (E.RCV_FIN, E.CLOSE, E.RCV_ACK)
SIMULTANEOUS_CLOSE_EVENTS = (E.CLOSE, E.RCV_FIN, E.RCV_ACK, E.TIMEOUT)

CLIENT_OPEN: list[State] = path_of(S.CLOSED, CLIENT_OPEN_EVENTS)
SERVER_OPEN: list[State] = path_of(S.CLOSED, SERVER_OPEN_EVENTS)
ACTIVE_CLOSE: list[State] = path_of(S.ESTABLISHED, ACTIVE_CLOSE_EVENTS)
PASSIVE_CLOSE: list[State] = path_of(S.ESTABLISHED, PASSIVE_CLOSE_EVENTS)
SIMULTANEOUS_CLOSE: list[State] = path_of(S.ESTABLISHED, SIMULTANEOUS_CLOSE_EVENTS)


def states_leading_to(target: State | str) -> set[State]:
    """The states with an edge straight into ``target`` (other than ``target`` itself).

    Examples
    --------
    >>> sorted(s.name for s in states_leading_to(State.TIME_WAIT))
    ['CLOSING', 'FIN_WAIT_1', 'FIN_WAIT_2']
    """
    from tcpmodel.states import _coerce

    goal = _coerce("target", target, State)
    rows = edge_rows(self_loops=False, open_dependent=True)
    return {r.state for r in rows if r.next is goal and r.state is not goal}


def edges_along(path: Sequence[State], events: Sequence[Event] | None = None) -> list[Transition]:
    """The table rows that walk ``path``; with ``events``, exactly those rows.

    Without ``events``, for each step the Figure 5 edge is preferred.

    Raises
    ------
    ValueError
        If two consecutive states have no edge between them.

    Examples
    --------
    >>> [t.event.name for t in edges_along(ACTIVE_CLOSE)]
    ['CLOSE', 'RCV_ACK', 'RCV_FIN', 'TIMEOUT']
    """
    rows = edge_rows(self_loops=True, open_dependent=True)
    out = []
    for i, (u, v) in enumerate(zip(path, path[1:])):
        candidates = [r for r in rows if r.state is u and r.next is v]
        if events is not None:
            candidates = [r for r in candidates if r.event is events[i]]
        if not candidates:
            raise ValueError(f"path must follow edges of the state graph; no edge {u.name} → {v.name}")
        candidates.sort(key=lambda r: ((r.state, r.event) not in FIGURE5, r.event.value))
        out.append(candidates[0])
    return out


__all__ += ["edges_along", "CLIENT_OPEN_EVENTS", "SERVER_OPEN_EVENTS", "ACTIVE_CLOSE_EVENTS",
            "PASSIVE_CLOSE_EVENTS", "SIMULTANEOUS_CLOSE_EVENTS"]
