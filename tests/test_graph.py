"""The graph is the table: edge for edge, and the named paths come from it."""

from __future__ import annotations

import networkx as nx

from tcpmodel import state_graph
from tcpmodel.graph import (
    ACTIVE_CLOSE,
    FIGURE5,
    LAYOUT,
    PASSIVE_CLOSE,
    SIMULTANEOUS_CLOSE,
    edges_along,
    path_of,
    states_leading_to,
)
from tcpmodel.states import OPEN_DEPENDENT, TABLE, Event, State, Transition, transition

S, E = State, Event


def _table_rows(self_loops=True, open_dependent=False):
    rows = [r for r in TABLE.values() if isinstance(r, Transition)]
    if open_dependent:
        rows += list(OPEN_DEPENDENT.values())
    return sorted((r.state.name, r.next.name, r.event.name, r.condition or "") for r in rows
                  if self_loops or r.state is not r.next)


def _graph_edges(g):
    return sorted((u.name, v.name, d["event"].name, d["condition"] or "") for u, v, d in g.edges(data=True))


def test_graph_and_table_agree_edge_for_edge():
    g = state_graph()
    assert isinstance(g, nx.MultiDiGraph)
    assert set(g.nodes) == set(State)
    assert _graph_edges(g) == _table_rows()
    for u, v, key, d in g.edges(keys=True, data=True):
        row = transition(u, d["event"])
        assert key == d["event"].name
        assert (row.next, row.send, row.rfc) == (v, d["send"], d["rfc"])
    # Every transition row is an edge, refused calls are not.
    for (state, event), row in TABLE.items():
        if isinstance(row, Transition):
            assert g.has_edge(state, row.next, event.name)
        else:
            assert not any(k == event.name for _, _, k in g.out_edges(state, keys=True))


def test_variants_of_the_graph():
    from tcpmodel.graph import state_graph as build

    assert _graph_edges(build(self_loops=False)) == _table_rows(self_loops=False)
    assert not build(self_loops=False).has_edge(S.TIME_WAIT, S.TIME_WAIT)
    g = build(open_dependent=True)
    assert _graph_edges(g) == _table_rows(open_dependent=True)
    assert g.edges[S.SYN_RECEIVED, S.CLOSED, "RCV_RST|active open"]["user_error"] == "connection refused"


def test_figure5_edges_are_drawn_and_change_state():
    g = state_graph()
    marked = {(u, d["event"]) for u, v, d in g.edges(data=True) if d["figure5"]}
    assert marked == set(FIGURE5)
    # RFC 9293 Figure 5 draws 20 edges; Note 2 adds FIN-WAIT-1 -> TIME-WAIT.
    assert len(FIGURE5) == 21


def test_reachability_from_closed_and_back():
    g = state_graph()
    assert nx.descendants(g, S.CLOSED) == set(State) - {S.CLOSED}
    for s in State:
        if s is not S.CLOSED:
            assert nx.has_path(g, s, S.CLOSED)
    # TIME_WAIT's only ways out are CLOSED (timeout, RST, ABORT) or itself.
    assert {v for _, v in g.out_edges(S.TIME_WAIT)} == {S.TIME_WAIT, S.CLOSED}


def test_named_paths():
    assert ACTIVE_CLOSE == [S.ESTABLISHED, S.FIN_WAIT_1, S.FIN_WAIT_2, S.TIME_WAIT, S.CLOSED]
    assert PASSIVE_CLOSE == [S.ESTABLISHED, S.CLOSE_WAIT, S.LAST_ACK, S.CLOSED]
    assert SIMULTANEOUS_CLOSE == [S.ESTABLISHED, S.FIN_WAIT_1, S.CLOSING, S.TIME_WAIT, S.CLOSED]
    assert S.TIME_WAIT not in PASSIVE_CLOSE
    assert [t.send for t in edges_along(PASSIVE_CLOSE)] == [("ACK",), ("FIN",), ()]


def test_states_leading_to_time_wait():
    assert states_leading_to(S.TIME_WAIT) == {S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSING}
    assert states_leading_to("LAST_ACK") == {S.CLOSE_WAIT}


def test_edges_along_rejects_non_paths():
    import pytest

    with pytest.raises(ValueError, match="path must follow edges"):
        edges_along([S.CLOSED, S.TIME_WAIT])
    assert path_of("LISTEN", ["SEND"]) == [S.LISTEN, S.SYN_SENT]


def test_layout_is_the_classic_one():
    assert set(LAYOUT) == set(State) | {"CLOSED*"}
    # Active closer's path on the left, passive closer's on the right, TIME-WAIT lowest.
    assert all(LAYOUT[s][0] < LAYOUT[S.ESTABLISHED][0] for s in (S.FIN_WAIT_1, S.FIN_WAIT_2))
    assert all(LAYOUT[s][0] > LAYOUT[S.ESTABLISHED][0] for s in (S.CLOSE_WAIT, S.LAST_ACK))
    assert LAYOUT[S.TIME_WAIT][1] == min(y for _, y in LAYOUT.values())
