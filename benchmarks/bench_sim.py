"""Simulator benchmarks (issue 4): one simulation run, and the loss-picker widget's redraw."""

from __future__ import annotations

import statistics

from harness import benchmark, time_calls, widget_update_p95


@benchmark("sim:lost_final_ack", unit="s", target=0.01)
def sim_lost_final_ack() -> float:
    """Median seconds for one run of the lost_final_ack scenario (with TIME_WAIT)."""
    from tcpmodel.sim import simulate

    return statistics.median(time_calls(lambda: simulate("lost_final_ack", time_wait=True), repeat=200, warmup=5))


@benchmark("widget:lost_segment_picker", unit="s", target=0.1)
def widget_lost_segment_picker() -> float:
    """p95 seconds of loss_picker().update(...) including the redraw, Agg backend."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from tcpmodel.plots.style import apply_course_style
    from tcpmodel.widgets.loss_picker import loss_picker

    apply_course_style()
    widget = loss_picker()
    cycle = [{"lose": i, "time_wait": tw} for i in (-1, 0, 3, 5, 6) for tw in (True, False)]
    return widget_update_p95(widget, cycle, repeat=30)
