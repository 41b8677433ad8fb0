"""State machine benchmarks: the stepper widget's step latency, and the table lookup."""

from __future__ import annotations

from harness import BenchmarkSkipped, benchmark, p95, time_calls, widget_update_p95


@benchmark("widget:state_stepper", unit="s", target=0.1)
def state_stepper() -> float:
    """p95 seconds of one stepper step (model step, menu rebuild, diagram redraw), Agg backend."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    try:
        from tcpmodel.widgets.stepper import StateStepper
    except ImportError as exc:  # pragma: no cover - ipywidgets missing
        raise BenchmarkSkipped(f"ipywidgets is not installed ({exc})") from exc
    widget = StateStepper()
    # "next" plays the handshake and the four-way close, then starts again: every kind of step.
    return widget_update_p95(widget, [{"action": "next"}], repeat=60)


@benchmark("states:transition", unit="s", target=1e-5)
def transition_lookup() -> float:
    """p95 seconds of one ``tcpmodel.transition`` call, timed over batches of 1000."""
    from tcpmodel.states import Event, State, transition

    pairs = [(s, e) for s in State for e in Event if e.kind != "user"]

    def batch() -> None:
        for s, e in pairs[:1000]:
            transition(s, e)

    samples = time_calls(batch, repeat=20)
    return p95(samples) / min(len(pairs), 1000)
