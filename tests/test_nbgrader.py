"""The nbgrader course (``make nbgrader``), graded for real by nbgrader (issue 15).

The course directory is generated into a temporary folder from the stored
notebooks. Every assignment is released with ``nbgrader generate_assignment``
and checked for leaks (no solution, no hidden test, no model answer). Two
assignments then make the round trip: two students submit, ``nbgrader
autograde`` grades them into a real SQLite gradebook, and the scores are
read back from it. Student 1 answers everything right; student 2 gets some
wrong, leaves one unanswered, and "answers" one by patching the exercise
registry in the kernel, which the visible test accepts and the hidden test
(a fresh process) does not. ``nbgrader validate`` runs on a released notebook
and on a right submission.

Skipped, with the command that installs it, where nbgrader is missing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip(
    "nbgrader", reason="nbgrader is not installed: .venv/bin/pip install -r requirements-instructor.txt (make test does this)"
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import course_cells  # noqa: E402
import make_nbgrader  # noqa: E402
import make_student  # noqa: E402

from tcpmodel.exercises import check, points, reflection_points  # noqa: E402

NOTEBOOKS = ROOT / "notebooks"
ASSIGNMENTS = [p.stem for p in make_nbgrader.assignment_notebooks(NOTEBOOKS)]
#: The round trip runs these two (each autograde executes the whole notebook twice).
ROUND_TRIP = [a for a in ("01_state_machine", "02_who_waits") if a in ASSIGNMENTS]
TIMEOUT_S = 600


def nbgrader(course: Path, *args: str, timeout: float = TIMEOUT_S, db: bool = True) -> subprocess.CompletedProcess:
    """Run the nbgrader CLI of this environment in ``course``; fail the test on a non-zero status."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args, *(["--db", f"sqlite:///{course / 'gradebook.db'}"] if db else [])],
        cwd=course, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def solution_body(text: str) -> str:
    return re.search(r"### BEGIN SOLUTION\n(.*)\n### END SOLUTION", text, re.S).group(1)


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A generated course directory with every assignment released."""
    root = tmp_path_factory.mktemp("nbgrader-course")
    make_nbgrader.write_course(NOTEBOOKS, root)
    for name in ASSIGNMENTS:
        nbgrader(root, "generate_assignment", name, "--force")
    return root


def released(course: Path, name: str) -> dict:
    return load(course / "release" / name / f"{name}.ipynb")


def source_nb(course: Path, name: str) -> dict:
    return load(course / "source" / name / f"{name}.ipynb")


# -- Generation and release -------------------------------------------------------


def test_points_come_from_the_exercises(course):
    for name in ASSIGNMENTS:
        nb = source_nb(course, name)
        for cell in nb["cells"]:
            m = meta(cell)
            if m.get("grade") and not m.get("solution"):
                exercise_id = re.search(r'grade\("(\d\d\.\w+)"', "".join(cell["source"])).group(1)
                assert m["points"] == points(exercise_id) and m["locked"]
            elif m.get("grade") and m.get("solution"):
                assert cell["cell_type"] == "markdown" and m["points"] == reflection_points(name[:2])


def test_release_has_no_solution_no_hidden_test_no_model_answer(course):
    for name in ASSIGNMENTS:
        original = load(NOTEBOOKS / f"{name}.ipynb")
        text = json.dumps(released(course, name))
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "fresh=True", "Model answer"):
            assert marker not in text, f"{name}: the release contains {marker!r}"
        for ex in course_cells.exercises(original):
            solution = course_cells.source(original["cells"][ex.solution]).strip()
            assert json.dumps(solution)[1:-1] not in text, f"{name}: the release contains the solution of {ex.exercise_id}"
        for ref in course_cells.reflections(original):
            assert json.dumps(ref.model_answer[:80])[1:-1] not in text, f"{name}: the release contains a model answer"
        # ... but it keeps every exercise, stubbed as in the student version, and the visible tests.
        rel = released(course, name)
        stubs = {c["id"]: "".join(c["source"]) for c in rel["cells"] if meta(c).get("solution") and c["cell_type"] == "code"}
        for ex in course_cells.exercises(original):
            cell = original["cells"][ex.solution]
            assert stubs[cell["id"]] == make_student.stub_for(course_cells.source(cell))
            assert f'grade("{ex.exercise_id}", {ex.checked_name})' in "\n".join(course_cells.source(c) for c in rel["cells"])


# -- The round trip: submit, autograde into a gradebook, read the scores ---------------


def _submit(course: Path, name: str, student: str, answers: dict[str, str], reflection: str | None) -> None:
    nb = released(course, name)
    for cell in nb["cells"]:
        m = meta(cell)
        if m.get("grade_id") in answers:
            cell["source"] = answers[m["grade_id"]]
        elif m.get("solution") and cell["cell_type"] == "markdown" and reflection:
            cell["source"] = reflection
    folder = course / "submitted" / student / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.ipynb").write_text(json.dumps(nb), encoding="utf-8")


def _right_answers(course: Path, name: str) -> dict[str, str]:
    src = source_nb(course, name)
    return {meta(c)["grade_id"]: solution_body("".join(c["source"])) for c in src["cells"] if meta(c).get("solution") and c["cell_type"] == "code"}


def _wrong_answers(course: Path, name: str) -> tuple[dict[str, str], dict[str, str]]:
    """Student 2: the first exercise wrong, the second unanswered, the third a registry patch; the rest right.

    Returns the answers and, for each exercise that must lose its points, the
    AssertionError message the visible test must show (None for the patch,
    which only the hidden test catches).
    """
    answers = _right_answers(course, name)
    found = course_cells.exercises(load(NOTEBOOKS / f"{name}.ipynb"))
    wrong, missing, patched = found[0], found[1], found[2]
    ids = {ex.exercise_id: make_nbgrader.grade_id_for("answer", ex.exercise_id) for ex in found}
    lost: dict[str, str | None] = {}
    # A wrong answer: a string where a value is expected is wrong for every kind of exercise.
    answers[ids[wrong.exercise_id]] = f'{wrong.checked_name} = "not the answer"'
    lost[wrong.exercise_id] = f"{wrong.exercise_id}: {check(wrong.exercise_id, 'not the answer').message}"
    # Unanswered: the released stub, untouched.
    stub = make_student.stub_for(course_cells.source(load(NOTEBOOKS / f"{name}.ipynb")["cells"][missing.solution]))
    answers[ids[missing.exercise_id]] = stub
    lost[missing.exercise_id] = f"{missing.exercise_id}: not answered yet. Replace ... with your answer and run the cell again."
    # A patch: make the registry accept a wrong answer in this kernel only.
    answers[ids[patched.exercise_id]] = (
        "import tcpmodel.exercises as _ex\n"
        f'_ex.EXERCISES["{patched.exercise_id}"] = type("Anything", (), {{"judge": lambda self, a: (True, "correct."), "worth": 1}})()\n'
        f'{patched.checked_name} = "not the answer"'
    )
    lost[patched.exercise_id] = None
    return answers, lost


def _grades(course: Path, name: str, student: str) -> dict[str, tuple[float, float, bool]]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        submission = gb.find_submission_notebook(name, name, student)
        return {g.name: (g.score, g.max_score, g.needs_manual_grade) for g in submission.grades}


def _cell_errors(course: Path, name: str, student: str) -> dict[str, str]:
    nb = load(course / "autograded" / student / name / f"{name}.ipynb")
    return {meta(c)["grade_id"]: o["evalue"] for c in nb["cells"] if meta(c).get("grade_id") for o in c.get("outputs", [])
            if o.get("output_type") == "error"}


@pytest.mark.parametrize("name", ROUND_TRIP)
def test_autograde_two_students(course, name):
    reflection_text = "The side that closes first waits; a client that closes first holds the TIME_WAIT."
    _submit(course, name, "student1", _right_answers(course, name), reflection_text)
    wrong_answers, lost = _wrong_answers(course, name)
    _submit(course, name, "student2", wrong_answers, None)
    start = time.perf_counter()
    nbgrader(course, "autograde", name, "--force")
    print(f"\nautograde {name}, two submissions: {time.perf_counter() - start:.1f} s")

    expected_points = {make_nbgrader.grade_id_for("tests", ex.exercise_id): points(ex.exercise_id)
                       for ex in course_cells.exercises(load(NOTEBOOKS / f"{name}.ipynb"))}
    total = sum(expected_points.values())

    first = _grades(course, name, "student1")
    auto = {k: v for k, v in first.items() if k.startswith("tests-")}
    assert {k: v[1] for k, v in auto.items()} == expected_points
    assert {k: v[0] for k, v in auto.items()} == expected_points, "student 1 answered everything right: full marks"
    reflections = {k: v for k, v in first.items() if k.startswith("reflection-")}
    assert reflections and all(v[2] for v in reflections.values()), "a written answer waits for manual grading"

    second = _grades(course, name, "student2")
    got = sum(v[0] for k, v in second.items() if k.startswith("tests-"))
    lost_points = sum(points(exercise_id) for exercise_id in lost)
    assert total - got == lost_points, f"student 2 should lose exactly {lost_points} points, lost {total - got}"
    for exercise_id in lost:
        assert second[make_nbgrader.grade_id_for("tests", exercise_id)][0] == 0
    # The feedback is check()'s hint; the patched answer is caught by the hidden (fresh) test only.
    errors = _cell_errors(course, name, "student2")
    for exercise_id, message in lost.items():
        shown = errors[make_nbgrader.grade_id_for("tests", exercise_id)]
        if message is None:
            assert shown == f"{exercise_id}: {check(exercise_id, 'not the answer').message}"
        else:
            assert shown == message
    assert not _cell_errors(course, name, "student1").keys() & set(expected_points)


def test_validate_released_and_answered(course):
    name = ROUND_TRIP[0]
    rel = course / "release" / name / f"{name}.ipynb"
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run([sys.executable, "-m", "nbgrader", "validate", str(rel)], cwd=course, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    out = done.stdout + done.stderr
    # Every autograded test fails with "not answered yet", and the written answer is reported as missing.
    for ex in course_cells.exercises(load(NOTEBOOKS / f"{name}.ipynb")):
        assert f'grade("{ex.exercise_id}", {ex.checked_name})' in out
    assert out.count("not answered yet") >= 1 and "You did not provide a response" in out
    answered = course / "answered.ipynb"
    nb = released(course, name)
    right = _right_answers(course, name)
    for cell in nb["cells"]:
        if meta(cell).get("grade_id") in right:
            cell["source"] = right[meta(cell)["grade_id"]]
        elif meta(cell).get("solution"):
            cell["source"] = "An answer in a few sentences."
    answered.write_text(json.dumps(nb), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "nbgrader", "validate", str(answered)], cwd=course, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    assert "Success! Your notebook passes all the tests." in done.stdout + done.stderr, done.stdout[-2000:]


def test_exchange_release_fetch_submit_collect_feedback(tmp_path):
    """The instructor guide's steps through nbgrader's exchange: release, fetch, submit, collect, autograde, feedback."""
    import getpass

    name = ROUND_TRIP[0]
    course, exchange, home = tmp_path / "course", tmp_path / "exchange", tmp_path / "student"
    exchange.mkdir(mode=0o777)
    home.mkdir()
    make_nbgrader.write_course(NOTEBOOKS, course)
    where = [f"--Exchange.root={exchange}"]
    student = [*where, f"--course={make_nbgrader.COURSE_ID}"]
    nbgrader(course, "generate_assignment", name, "--force")
    nbgrader(course, "release_assignment", name, *where)
    nbgrader(home, "fetch_assignment", name, *student, db=False)
    fetched = home / name / f"{name}.ipynb"
    nb = load(fetched)
    right = _right_answers(course, name)
    for cell in nb["cells"]:
        if meta(cell).get("grade_id") in right:
            cell["source"] = right[meta(cell)["grade_id"]]
    fetched.write_text(json.dumps(nb), encoding="utf-8")
    nbgrader(home, "submit", name, *student, db=False)
    nbgrader(course, "collect", name, *where)
    user = getpass.getuser()
    assert (course / "submitted" / user / name / f"{name}.ipynb").exists()
    nbgrader(course, "autograde", name, "--force")
    grades = _grades(course, name, user)
    assert all(score == top for key, (score, top, _) in grades.items() if key.startswith("tests-"))
    nbgrader(course, "generate_feedback", name, "--force")
    report = (course / "feedback" / user / name / f"{name}.html").read_text(encoding="utf-8")
    assert "Score:" in report or "score" in report.lower()
    nbgrader(course, "release_feedback", name, *where)
    nbgrader(home, "fetch_feedback", name, *student, db=False)
    assert list((home / name / "feedback").rglob(f"{name}.html")), "the student fetched the feedback"
