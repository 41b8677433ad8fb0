"""The course map, read from the notebooks themselves.

Notebook 00 shows :func:`course_map` instead of a hand-kept table: each
notebook's title, time and learning objectives come from its own first
cells, so the map cannot drift from the course (nbval fails when the stored
map is stale, and ``tests/test_notebook_structure.py`` checks that every
notebook is listed).

Each notebook's first cells follow CONTRIBUTING.md: a ``# NN · Title``
heading, a line ``**Time:** … · **Prerequisites:** …``, and a
``## Learning objectives`` list.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["NotebookInfo", "read_notebook_info", "course_notebooks", "course_map_markdown", "course_map"]


@dataclass(frozen=True)
class NotebookInfo:
    """What the course map says about one notebook."""

    filename: str
    title: str
    time: str
    prerequisites: str
    objectives: tuple[str, ...]


def _markdown_cells(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]


def read_notebook_info(path: Path | str) -> NotebookInfo:
    """Read a notebook's title, time, prerequisites and objectives.

    Raises
    ------
    ValueError
        If the notebook lacks a title, a ``**Time:**`` line or objectives.
    """
    path = Path(path)
    text = "\n".join(_markdown_cells(path))
    title = re.search(r"^# (.+)$", text, re.M)
    time = re.search(r"\*\*Time:\*\*\s*([^·\n]+)", text)
    prereq = re.search(r"\*\*Prerequisites:\*\*\s*(.+)$", text, re.M)
    objectives_block = re.search(r"^## Learning objectives[^\n]*\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not (title and time and objectives_block):
        raise ValueError(f"{path.name} must have a '# ' title, a '**Time:**' line and '## Learning objectives'")
    objectives = tuple(
        re.sub(r"^\s*(\d+\.|[-*])\s+", "", line).strip()
        for line in objectives_block.group(1).splitlines()
        if re.match(r"\s*(\d+\.|[-*])\s+", line)
    )
    return NotebookInfo(
        filename=path.name,
        title=re.sub(r"^\d\d\s*·\s*", "", title.group(1)).strip(),
        time=time.group(1).strip(),
        prerequisites=prereq.group(1).strip() if prereq else "",
        objectives=objectives,
    )


def course_notebooks(folder: Path | str = ".") -> list[Path]:
    """The course's notebooks in order (``NN_topic.ipynb``), excluding the map itself."""
    return sorted(p for p in Path(folder).glob("[0-9][0-9]_*.ipynb") if not p.name.startswith("00_"))


def course_map_markdown(folder: Path | str = ".") -> str:
    """The course map as a Markdown table: notebook, time, objectives."""
    rows = ["| Notebook | Time | You will be able to… |", "|---|---|---|"]
    for path in course_notebooks(folder):
        info = read_notebook_info(path)
        goals = "<br>".join(f"• {o}" for o in info.objectives)
        rows.append(f"| [{info.title}]({info.filename}) | {info.time} | {goals} |")
    return "\n".join(rows)


def course_map(folder: Path | str = "."):  # noqa: ANN201 - IPython Markdown, imported lazily
    """Show the course map in a notebook (an ``IPython.display.Markdown``)."""
    from IPython.display import Markdown

    return Markdown(course_map_markdown(folder))
