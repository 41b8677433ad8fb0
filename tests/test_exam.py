"""Exam variants (tcpmodel.exam, issue 15): answers computed by tcpmodel.models, one variant per seed."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from tcpmodel import models
from tcpmodel.exam import MSLS_S, PORT_RANGES, exam_markdown, exam_variant, exam_variant_count, main

SEEDS = range(60)


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_answers_are_recomputed_from_the_models(seed):
    paper = exam_variant(seed)
    low, high = paper.inputs["port_range"]
    tw = paper.inputs["time_wait_s"]
    assert tw == 2 * paper.inputs["msl_s"]
    ports = models.ephemeral_port_count(low, high)
    demand = paper.inputs["demand"]
    q1, q2, q3, q4, q5 = paper.questions
    assert q1.answer == round(models.max_connection_rate(ports, tw), 1)
    population = models.time_wait_population(demand, tw)
    assert q2.answer == (population, round(models.time_wait_memory_bytes(min(population, ports)) / 2**20, 1))
    assert q3.answer == round(models.time_to_exhaustion(demand, ports, tw), 1)
    # The exhaustion happens before any TIME-WAIT ends, as the worked answer says.
    assert q3.answer < tw and demand > models.max_connection_rate(ports, tw)
    d = paper.inputs["destinations"]
    needed = min(n for n in range(1, 1000) if models.max_connection_rate(ports, tw, n) >= demand)
    assert q4.answer == (round(models.max_connection_rate(ports, tw, d), 1), needed)
    assert models.max_connection_rate(ports, tw, needed - 1 or 1) < demand or needed == 1
    # 4(b) is not decided by rounding: the demand is well away from a whole number of single-destination limits.
    limits = demand / models.max_connection_rate(ports, tw)
    assert abs(limits - round(limits)) > 0.1, f"demand is {limits:.3f} limits: 4(b) hinges on rounding"
    assert q5.answer == models.who_holds_time_wait(paper.inputs["first_closer"])["holder"]
    for q in paper.questions:
        shown = q.answer if isinstance(q.answer, tuple) else (q.answer,)
        assert all((f"{a:,}" if not isinstance(a, str) else a) in q.worked or str(a) in q.worked for a in shown), f"Q{q.number}: the worked answer reaches its answer"


def test_same_seed_same_paper_different_seeds_differ():
    assert exam_variant(11) == exam_variant(11)
    papers = [exam_variant(s) for s in SEEDS]
    inputs = {tuple(sorted((k, str(v)) for k, v in p.inputs.items())) for p in papers}
    assert len(inputs) >= len(SEEDS) * 0.8, "most students get a paper of their own"
    assert {p.inputs["port_range"] for p in papers} == set(PORT_RANGES)
    assert {p.inputs["msl_s"] for p in papers} == set(MSLS_S)
    assert len({p.questions[0].answer for p in papers}) > 5
    assert {p.inputs["first_closer"] for p in papers} == {"client", "server"}


def test_student_paper_has_no_answers():
    paper = exam_markdown(5, answers=False)
    assert "Worked answer" not in paper and "Answer:" not in paper
    assert paper.count("**Question") == 5
    assert "**Answer:" in exam_markdown(5)


def test_bad_seed_is_a_one_line_error(capsys):
    with pytest.raises(ValueError, match=r"seed must be an integer in \[0, 4294967295\]"):
        exam_variant(2**32)
    assert main(["--seed", "minus one"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tcpmodel.exam: error: seed must be") and err.count("\n") == 1
    done = subprocess.run([sys.executable, "-m", "tcpmodel.exam", "--seed", "-3"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "got -3" in done.stderr


def test_import_stays_light():
    done = subprocess.run([sys.executable, "-c", "import tcpmodel.exam, sys; print('matplotlib' in sys.modules)"],
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False"
    assert math.isfinite(exam_variant(0).questions[2].answer)


def test_variant_count_is_what_the_seeds_draw():
    """The guide's count of variants: the seeds reach every combination of inputs, and no other."""
    seen, count = set(), exam_variant_count()
    for seed in range(20_000):
        seen.add(tuple(sorted((k, str(v)) for k, v in exam_variant(seed).inputs.items())))
        if len(seen) >= count:
            break
    assert len(seen) == count
