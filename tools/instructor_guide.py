"""The instructor guide (a page of the site, ``make site``): module plan, nbgrader on a JupyterHub, exam.

Every number on the page is computed when the page is built: the times from
each notebook's ``**Time:**`` line (:func:`tcpmodel.course.read_notebook_info`),
the points from the nbgrader course that ``make nbgrader`` writes
(:func:`make_nbgrader.to_assignment`), and the exam's answers by
:mod:`tcpmodel.exam`. ``tools/build_site.py`` stages the page as
``instructors.md``; ``tests/test_instructor_guide.py`` checks it.

Usage: python tools/instructor_guide.py [--notebooks notebooks] > instructors.md
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_nbgrader  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
#: The exam variant the guide shows (any seed gives a paper; each student gets their own).
GUIDE_SEED = 2026


@dataclass(frozen=True)
class Session:
    """One session of the module: a lecture (from the slides) or a lab (an nbgrader assignment each)."""

    name: str
    kind: str
    theme: str
    notebooks: tuple[str, ...]
    nc_topics: str


#: The module: two lectures and two labs. ``notebooks`` are number prefixes; those not in the course are left out.
#: ``nc_topics``: the topics of CS2023's Networking and Communication (NC) area each session teaches.
PLAN = (
    Session("Lecture 1", "lecture", "Why TIME_WAIT exists", ("01", "02", "03", "04"),
            "reliability and error control (a reliable close, retransmitted FINs, old duplicates); the TCP state machine"),
    Session("Lab 1", "lab", "How long it lasts and what it costs", ("05", "06"),
            "reliability (the MSL and TIME-WAIT's length); naming and addressing (ports, the 4-tuple) and their limits"),
    Session("Lecture 2", "lecture", "Workarounds, and what Linux does", ("07",),
            "reliability versus performance: socket options, kernel settings, timestamps (PAWS) and NAT"),
    Session("Lab 2", "lab", "Your kernel, your traffic, three incidents", ("08", "09", "10"),
            "hands-on skills: sockets, ss and /proc on a real kernel, packet captures, diagnosing incidents"),
)


def minutes(time_text: str) -> int:
    """Minutes of a ``**Time:**`` line (``"45 min"``).

    Examples
    --------
    >>> minutes("45 min"), minutes("~75 minutes")
    (45, 75)
    """
    match = re.fullmatch(r"~?\s*(\d+)\s*min(?:utes)?", time_text.strip())
    if not match:
        raise ValueError(f"a notebook's **Time:** must read 'NN min'; got {time_text!r}")
    return int(match.group(1))


def _hours(total: int) -> str:
    return f"{total // 60} h {total % 60:02d} min" if total >= 60 else f"{total} min"


def module_plan(notebooks: Path) -> tuple[str, int]:
    """The module plan as a Markdown table, and its total minutes."""
    from tcpmodel.course import read_notebook_info

    paths = {p.name[:2]: p for p in sorted(notebooks.glob("[0-9][0-9]_*.ipynb"))}
    rows = ["| Session | Notebooks | Notebook time | Learning objectives |", "|---|---|---|---|"]
    total = 0
    for session in PLAN:
        infos = [read_notebook_info(paths[n]) for n in session.notebooks if n in paths]
        if not infos:
            continue
        spent = sum(minutes(i.time) for i in infos)
        total += spent
        names = "<br>".join(f"[{i.filename[:2]} · {i.title}](notebooks/{Path(i.filename).stem}) ({i.time})" for i in infos)
        goals = "<br>".join(f"• {o}" for i in infos for o in i.objectives)
        rows.append(f"| **{session.name}:** {session.theme} | {names} | {_hours(spent)} | {goals} |")
    return "\n".join(rows), total


def mapping_table(notebooks: Path) -> str:
    present = {p.name[:2] for p in notebooks.glob("[0-9][0-9]_*.ipynb")}
    rows = ["| Session | CS2023 NC topics it teaches |", "|---|---|"]
    for session in PLAN:
        if any(n in present for n in session.notebooks):
            rows.append(f"| {session.name} | {session.nc_topics} |")
    return "\n".join(rows)


def points_table(notebooks: Path) -> tuple[str, int, int]:
    """Points per assignment, from the nbgrader course ``make nbgrader`` writes; and the totals."""
    rows = ["| Assignment | Autograded exercises | Their points | Reflections (graded by hand) | Their points |",
            "|---|---|---|---|---|"]
    auto_total = manual_total = 0
    for path in make_nbgrader.assignment_notebooks(notebooks):
        _, grades = make_nbgrader.to_assignment(json.loads(path.read_text(encoding="utf-8")), path.stem)
        auto = [v for k, v in grades.items() if k.startswith("tests-")]
        manual = [v for k, v in grades.items() if not k.startswith("tests-")]
        auto_total, manual_total = auto_total + sum(auto), manual_total + sum(manual)
        rows.append(f"| `{path.stem}` | {len(auto)} | {sum(auto)} | {len(manual)} | {sum(manual)} |")
    return "\n".join(rows), auto_total, manual_total


def guide_markdown(notebooks: Path = ROOT / "notebooks") -> str:
    """The instructor guide's MyST source."""
    from tcpmodel.exam import exam_markdown, exam_variant_count

    plan, total = module_plan(notebooks)
    points, auto_total, manual_total = points_table(notebooks)
    exam = exam_markdown(GUIDE_SEED, heading="###")
    variants = exam_variant_count()
    return f"""# For instructors

This page is for teaching the course in a university module: a plan of two
lectures and two labs, the assignments graded by nbgrader on a JupyterHub,
lecture slides, and exam questions with a variant drawn from each student's seed.
Every number on it is computed when the site is built: times from the
notebooks, points from the generated nbgrader course, answers by `tcpmodel`.

## Module plan: two lectures, two labs

Lectures use the slides (`make slides`); labs use the notebooks as nbgrader
assignments (`make nbgrader`). Notebook 00 (the course map) is the students'
first reading; it is not an assignment.

{plan}

In all {_hours(total)} of notebooks. Students finish the lecture notebooks'
exercises as homework, released as assignments like the labs'.

### Mapping to the ACM/IEEE-CS/AAAI Computer Science Curricula 2023

The module sits in the knowledge area CS2023 Networking and Communication (NC),
whose core "provides knowledge on naming, addressing, reliability, error
control, flow control, congestion control" and which also asks for hands-on
implementation skills. That was read on the CS2023 task force's page for the
area (its SIGCSE 2022 version); the final report's text was not read, so the
names of the area's knowledge units are unverified and left out here: match
the topics below to the units of the final report before you file the module.

{mapping_table(notebooks)}

## Deploying on a JupyterHub with nbgrader

nbgrader and its exact pin are in `requirements-instructor.txt`, which also
installs the course's own pins. `tests/test_nbgrader.py` runs steps 2 to 6
below with this nbgrader in every CI run (an exchange in a temporary folder,
one student; all but `nbgrader db student add` and the grading by hand).

1. **The hub's image.** Install `requirements-instructor.txt` and the course
   (`pip install -r requirements-instructor.txt` in a clone; the file installs
   `tcpmodel` with `-e .`). pip installs and enables nbgrader's server
   and JupyterLab extensions (the *Nbgrader* menu: Formgrader, Assignment
   List, Course List, Validate, Create assignment) with the package.
   Students' servers need `requirements.txt` (the same as Binder's) and
   nbgrader at the same pin, because the Assignment List they fetch and
   submit in is nbgrader's; nbgrader's
   installation guide shows how to disable the Formgrader and Create Assignment
   extensions for them (`jupyter labextension disable @jupyter/nbgrader:formgrader`).
2. **The course directory.** Run `make nbgrader`. It writes
   `_build/nbgrader/`: `nbgrader_config.py` and `source/<assignment>/` with
   one assignment per notebook that has exercises. Copy it to the
   instructor's home on the hub (say `~/tcp-time-wait-course`) and run
   nbgrader from there. Each answer cell holds the solution between
   `### BEGIN SOLUTION` and `### END SOLUTION`; each tests cell calls
   `tcpmodel.exercises.grade`, which fails with the same hint as the notebooks'
   `check`, and has a hidden part that grades the answer again in a fresh
   Python process, so that an answer cell that patches the checks cannot pass.
3. **The exchange.** nbgrader's exchange directory (`c.Exchange.root`,
   `/usr/local/share/nbgrader/exchange` by default) must exist and be writable
   by every user; add `c.Exchange.root = "..."` to `nbgrader_config.py` if
   your hub keeps it elsewhere, and add your students with
   `nbgrader db student add <id>`.
4. **Release.** `nbgrader generate_assignment 05_how_long` writes the
   student version to `release/` (solutions replaced by the same stub as
   `make student`, hidden tests and model answers removed);
   `nbgrader release_assignment 05_how_long` publishes it. Students fetch it
   in the Assignment List (*Nbgrader* menu), work, and submit there.
5. **Collect and autograde.** `nbgrader collect 05_how_long`, then
   `nbgrader autograde 05_how_long`. Autograding runs each notebook top to
   bottom on the grading server, restores the tests cells, and records the
   points in the gradebook (`gradebook.db`). Notebook 08's live cells run on
   that server's loopback interface, and skip cleanly where it allows no
   sockets. Cells that show a widget are not graded and may run for {make_nbgrader.WIDGET_TIMEOUT_S} s at
   most (`nbgrader_config.py`), because nbgrader was seen to stall after
   such a cell on a loaded machine.
6. **Grade by hand and give feedback.** The reflections are graded in the
   Formgrader (*Nbgrader* menu of the instructor's JupyterLab; nbgrader
   0.9.6 has no `nbgrader formgrade` server, the command only says so). Then
   `nbgrader generate_feedback 05_how_long` and
   `nbgrader release_feedback 05_how_long`; students fetch their feedback in
   the Assignment List (or `nbgrader fetch_feedback 05_how_long --course {make_nbgrader.COURSE_ID}`), and it shows
   each failed test with its hint.

Points, declared beside the exercises in `tcpmodel/exercises`:

{points}

In all {auto_total} autograded points and {manual_total} points graded by hand.

## Lecture slides

`make slides` writes one reveal.js deck per notebook into `_build/slides/`
(open `NN_topic.slides.html` in a browser; press `s` for the speaker view).
reveal.js is served from that folder, so the slides work offline. A deck
holds the objectives, each concept with its worked example and figure, the
"Think!" questions and the summary; exercises, live cells and long outputs
stay in the notebooks.

## Exam questions with worked answers

`python -m tcpmodel.exam --seed N` prints a paper with worked answers;
`--student` leaves the answers out. Each seed (a student number, say) draws
a port range, MSL, connection rate, number of destinations and first closer,
and every answer is computed for that variant by `tcpmodel.models`. There are
{variants} combinations of these inputs, so in a large class two students
can draw the same variant.
The variant for seed {GUIDE_SEED}, computed when this page was built:

{exam}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks")
    args = parser.parse_args(argv)
    if not args.notebooks.is_dir():
        print(f"instructor_guide: error: --notebooks must be a folder; {args.notebooks} is not one", file=sys.stderr)
        return 2
    sys.stdout.write(guide_markdown(args.notebooks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
