"""Ladder diagrams, the two widgets of notebooks 03–04, the analysis helpers and the exercises of 02–04."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from tcpmodel import State  # noqa: E402
from tcpmodel.exercises import check, exercises_for  # noqa: E402
from tcpmodel.plots.ladder import TimeScale, draw_ladder  # noqa: E402
from tcpmodel.sim import simulate  # noqa: E402
from tcpmodel.sim.analysis import corruption_grid, old_duplicate_summary, segment_choices  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_time_scale_compresses_only_long_gaps():
    scale = TimeScale([0.0, 0.5, 100.5], gap=1.0, break_height=0.4, min_step=0.0)
    assert scale(0.5) == pytest.approx(0.5)
    assert scale(100.5) == pytest.approx(0.9)
    assert scale.breaks == [(0.5, 100.5)]


def test_ladder_marks_every_lost_segment_with_a_cross():
    trace = simulate("normal_close", lose=[3, 6])
    fig = draw_ladder(trace)
    crosses = [line for line in fig.axes[0].lines if line.get_marker() == "x"]
    assert len(crosses) == len(trace.lost_segments()) == 2


def test_ladder_labels_states_and_errors():
    trace = simulate("lost_final_ack", time_wait=False)
    ax = draw_ladder(trace).axes[0]
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "LAST_ACK" in texts and "RST" in texts
    assert "connection reset" in ax.get_title()


def test_ladder_draws_2msl_bracket_with_restart():
    ax = draw_ladder(simulate("lost_final_ack", time_wait=True)).axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert any("restarted" in t for t in texts) and any(t.startswith("2MSL") for t in texts)


def test_relative_sequence_numbers():
    trace = simulate("normal_close")
    ax = draw_ladder(trace, relative=True).axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert "SYN seq=0" in texts and "SYN+ACK seq=0 ack=1" in texts


def test_loss_picker_widget_redraws_and_reports_outcome():
    from tcpmodel.widgets.loss_picker import draw_loss_picker, loss_picker

    widget = loss_picker()
    before = widget.redraw_count
    widget.update(lose=6, time_wait=False)
    assert widget.redraw_count == before + 1 and widget.error_text == ""
    assert "connection reset" in draw_loss_picker(6, time_wait=False).texts[0].get_text()
    assert "connection reset" not in draw_loss_picker(6, time_wait=True).texts[0].get_text()
    assert widget.static_figure == "ladder_lost_final_ack"


def test_quiet_time_widget():
    from tcpmodel.widgets.quiet_time import draw_quiet_time, quiet_time_demo

    widget = quiet_time_demo()
    widget.update(quiet_time=40.0, delay=10.0, time_wait=True)
    assert widget.error_text == ""
    assert draw_quiet_time(5.0, 20.0, False).axes[1].get_title().startswith("CORRUPTED")
    assert draw_quiet_time(5.0, 20.0, True).axes[1].get_title().startswith("safe")
    with pytest.raises(ValueError, match="delay must be a number"):
        draw_quiet_time(5.0, 31.0, False)


def test_corruption_needs_the_old_segment_to_outlive_the_quiet_time():
    delays = [2.0, 10.0, 20.0, 30.0]
    quiet = [1.0, 5.0, 15.0, 40.0]
    off = corruption_grid(quiet, delays, time_wait=False)
    on = corruption_grid(quiet, delays, time_wait=True)
    assert not any(any(row) for row in on)
    for i, d in enumerate(delays):
        for j, q in enumerate(quiet):
            info = old_duplicate_summary(simulate("old_duplicate", time_wait=False, delay=d, quiet_time=q))
            if off[i][j]:  # corrupted only if it arrived after incarnation 2 started
                assert info["arrived"] > info["inc2_start"]
            if q > d:  # a quiet time longer than the delay always protects
                assert not off[i][j]
    assert off[2][0] and off[3][2]


def test_segment_choices_follow_sending_order():
    choices = segment_choices(simulate("normal_close"))
    assert [i for _, i in choices] == list(range(len(choices)))
    assert choices[0][0].endswith("SYN")


@pytest.mark.parametrize("nb", ["02", "03", "04"])
def test_exercises_accept_right_and_reject_wrong_answers(nb):
    exercises = exercises_for(nb)
    assert len(exercises) >= 3
    kinds = {type(e).__name__ for e in exercises.values()}
    assert {"NumberExercise", "ChoiceExercise", "SequenceExercise"} <= kinds
    for ex_id, ex in exercises.items():
        right = ex.expected_answer()
        assert check(ex_id, sorted(right) if isinstance(right, frozenset) else right).correct
        if type(ex).__name__ == "NumberExercise":
            wrong = right * 3 + 1
        elif type(ex).__name__ == "SequenceExercise":
            wrong = list(right)[::-1]
        else:
            wrong = next(o for o in ex.options if o not in right)
        feedback = check(ex_id, wrong)
        assert not feedback.correct and feedback.message
        assert str(right) not in feedback.message


def test_exercise_answers_match_independent_reasoning():
    # Facts from the RFCs, not from the code: the active closer's path (RFC 9293 Figure 5),
    # 2·MSL with Linux's 60 s TIME_WAIT, RFC 6298's 1 s initial RTO.
    assert exercises_for("02")["02.server_path"].expected_answer() == ("ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT", "CLOSED")
    assert exercises_for("02")["02.time_wait_seconds"].expected_answer() == pytest.approx(60.0)
    assert exercises_for("03")["03.rto"].expected_answer() == pytest.approx(1.0)
    assert exercises_for("03")["03.after_loss"].expected_answer() == ("FIN+ACK", "RST")
    path = exercises_for("04")["04.berkeley_path"].expected_answer()
    assert path[0] == "TIME_WAIT" and path[-1] == "ESTABLISHED" and "SYN_RECEIVED" in path


def test_two_msl_ghost_fin():
    one, two = simulate("two_msl", wait_msls=1.0), simulate("two_msl", wait_msls=2.0)
    assert one.final_state("A") == State.CLOSE_WAIT  # the ghost FIN closed incarnation 2
    assert two.final_state("A") == State.ESTABLISHED
    ghost = [s for s in two.segments if s.src == "B" and "FIN" in s.flags and s.t_arrived is not None][-1]
    gap = ghost.t_arrived - two.entered("A", State.TIME_WAIT)[0]
    assert two.msl < gap <= 2 * two.msl  # more than one MSL, never more than two


def test_lost_final_ack_with_a_fixed_rto_changes_only_the_time_wait():
    # Notebook 03 §2: with rto= given, changing the MSL moves A's TIME_WAIT and nothing else, so a
    # 2·MSL shorter than B's RTO shows the RST that TIME_WAIT exists to prevent (RFC 9293 §3.10.7.1).
    def timings(trace):
        return [(s.src, s.flags, s.t_sent) for s in trace.segments if "RST" not in s.flags][:8]

    rto = 1.0
    long_wait, short_wait = simulate("lost_final_ack", msl=30.0, rto=rto), simulate("lost_final_ack", msl=0.4, rto=rto)
    assert timings(long_wait) == timings(short_wait)
    fins = [s for s in short_wait.segments if s.src == "B" and "FIN" in s.flags]
    assert fins[1].t_sent - fins[0].t_sent == pytest.approx(rto)
    assert long_wait.time_in("A", State.TIME_WAIT) == pytest.approx(2 * 30.0 + rto)  # restarted once by the second FIN
    assert short_wait.time_in("A", State.TIME_WAIT) == pytest.approx(2 * 0.4)
    assert short_wait.errors["B"] == ["connection reset"] and not long_wait.errors["B"]
    # Without rto= the script still scales with the MSL, as the ladders and exercises expect.
    scaled = simulate("lost_final_ack", msl=3.0)
    fins = [s for s in scaled.segments if s.src == "B" and "FIN" in s.flags]
    assert fins[1].t_sent - fins[0].t_sent == pytest.approx(3.0 / 30.0)
