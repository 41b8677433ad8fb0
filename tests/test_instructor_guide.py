"""The instructor guide (issue 15): its numbers are the course's own, computed when the page is built."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import course_cells  # noqa: E402
import instructor_guide  # noqa: E402

from tcpmodel.exam import exam_markdown  # noqa: E402
from tcpmodel.exercises import points, reflection_points  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
GUIDE = instructor_guide.guide_markdown(ROOT / "notebooks")


def stated_minutes(path: Path) -> int:
    nb = json.loads(path.read_text(encoding="utf-8"))
    head = "".join("".join(c["source"]) for c in nb["cells"][:2])
    return int(re.search(r"\*\*Time:\*\*\s*~?\s*(\d+)\s*min", head).group(1))


def test_two_lectures_two_labs_cover_every_notebook_once():
    kinds = [s.kind for s in instructor_guide.PLAN]
    assert kinds.count("lecture") == 2 and kinds.count("lab") == 2
    planned = [n for s in instructor_guide.PLAN for n in s.notebooks]
    assert len(planned) == len(set(planned))
    assert {p.name[:2] for p in NOTEBOOKS if not p.name.startswith("00")} <= set(planned)


def test_times_are_the_notebooks_own():
    rows = [line for line in GUIDE.splitlines() if line.startswith("| **")]
    total = 0
    for session, row in zip([s for s in instructor_guide.PLAN if any((ROOT / "notebooks").glob(f"{s.notebooks[0]}_*"))], rows):
        paths = [p for p in NOTEBOOKS if p.name[:2] in session.notebooks]
        spent = sum(stated_minutes(p) for p in paths)
        total += spent
        shown = re.search(r"\| (\d+ h \d\d min|\d+ min) \|", row).group(1)
        h, m = (re.match(r"(\d+) h (\d\d) min", shown).groups() if " h " in shown else (0, shown.split()[0]))
        assert int(h) * 60 + int(m) == spent, f"{session.name}: {shown} but the notebooks say {spent} min"
        for p in paths:
            assert f"](notebooks/{p.stem})" in row
    assert f"In all {total // 60} h {total % 60:02d} min" in GUIDE


def test_points_are_the_exercises_points():
    auto = manual = 0
    for path in NOTEBOOKS[1:]:
        nb = json.loads(path.read_text(encoding="utf-8"))
        found = course_cells.exercises(nb)
        auto += sum(points(e.exercise_id) for e in found)
        if found:
            manual += reflection_points(path.name[:2]) * len(course_cells.reflections(nb))
    assert f"In all {auto} autograded points and {manual} points graded by hand." in GUIDE


def test_exam_is_computed_and_the_guide_says_unverified_where_it_is():
    assert exam_markdown(instructor_guide.GUIDE_SEED, heading="###") in GUIDE
    assert "CS2023 Networking and Communication (NC)" in GUIDE and "unverified" in GUIDE
    for command in ("make nbgrader", "nbgrader generate_assignment", "nbgrader release_assignment", "nbgrader collect",
                    "nbgrader autograde", "nbgrader generate_feedback", "nbgrader release_feedback", "make slides"):
        assert command in GUIDE
