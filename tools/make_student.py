"""Write the student version of every notebook: solutions out, stubs in.

An exercise's solution cell is tagged ``solution`` and only assigns
``answer_<slug> = …``. In the student version it becomes a stub that assigns
``...`` to the same names and raises ``NotImplementedError``; the stub is
tagged ``raises-exception`` so the notebook still runs top to bottom, and the
check cell after it reports "not answered yet". Markdown cells tagged
``solution`` (worked answers) are dropped. The student notebooks are then
executed, so their stored outputs are the student's view, and nbval checks
them in strict mode like the instructor versions.

Usage: python tools/make_student.py notebooks _build/student
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from course_cells import assigned_names, is_solution  # noqa: E402  (the one reading of the tags, shared with make_nbgrader)
from execute_notebooks import execute  # noqa: E402

STUB_MESSAGE = "Exercise: replace ... with your answer, then delete this line and run the cell."


def stub_for(source: str) -> str:
    lines = [f"{name} = ...  # your answer" for name in assigned_names(source)]
    lines.append(f'raise NotImplementedError("{STUB_MESSAGE}")')
    return "\n".join(lines)


def studentise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    cells = []
    for cell in nb.cells:
        if not is_solution(cell):
            cells.append(cell)
            continue
        if cell.cell_type != "code":
            continue
        stub = nbformat.v4.new_code_cell(stub_for(cell.source))
        stub.id = f"{cell.id}-stub"[:64]
        stub.metadata["tags"] = ["raises-exception", "exercise-stub"]
        cells.append(stub)
    nb.cells = cells
    return nb


def main(src: str, dst: str) -> int:
    out = Path(dst)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    targets = []
    for path in sorted(Path(src).glob("*.ipynb")):
        nb = studentise(nbformat.read(path, as_version=4))
        target = out / path.name
        nbformat.write(nb, target)
        targets.append(target)
        print(f"student version: {target}", flush=True)
    # Execute only once all are written: notebook 00's course map reads the others.
    for target in targets:
        execute(target)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: make_student.py SRC_DIR DST_DIR")
    sys.exit(main(sys.argv[1], sys.argv[2]))
