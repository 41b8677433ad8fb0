"""The course map is read from the notebooks' own first cells."""

from pathlib import Path

import nbformat
import pytest

from tcpmodel.course import course_map_markdown, course_notebooks, read_notebook_info

ROOT = Path(__file__).resolve().parent.parent


def write(folder: Path, name: str, text: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(text)]
    path = folder / name
    nbformat.write(nb, path)
    return path


def test_reads_title_time_and_objectives(tmp_path):
    path = write(
        tmp_path,
        "03_demo.ipynb",
        "# 03 · Demo topic\n\n**Time:** 40 min · **Prerequisites:** 02\n\n## Learning objectives\n\n1. Compute X.\n2. Name Y.\n\n## Setup\n",
    )
    info = read_notebook_info(path)
    assert (info.title, info.time, info.prerequisites) == ("Demo topic", "40 min", "02")
    assert info.objectives == ("Compute X.", "Name Y.")
    assert "| [Demo topic](03_demo.ipynb) | 40 min | • Compute X.<br>• Name Y. |" in course_map_markdown(tmp_path)


def test_missing_parts_are_a_clear_error(tmp_path):
    path = write(tmp_path, "04_bad.ipynb", "# 04 · Bad\n")
    with pytest.raises(ValueError, match="must have a '# ' title, a '\\*\\*Time:\\*\\*' line"):
        read_notebook_info(path)


def test_every_course_notebook_has_map_information():
    for path in course_notebooks(ROOT / "notebooks"):
        info = read_notebook_info(path)
        assert info.title and info.time and 3 <= len(info.objectives) <= 5, path.name
