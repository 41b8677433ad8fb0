"""binder/ and the root must agree: repo2docker ignores root files once binder/ exists."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        match = re.match(r"^([A-Za-z0-9_.\-\[\]]+)==([\w.\-+]+)$", line)
        if match:
            found[match.group(1).lower().replace("_", "-")] = match.group(2)
    return found


def test_root_requirements_are_exact_pins():
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-e"):
            assert "==" in line, f"requirements.txt: {line!r} is not an exact pin"
    lines = [l.strip() for l in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines() if l.strip() and not l.startswith("#")]
    assert lines[-1] == "-e .", "requirements.txt must end with `-e .`"
    for needed in ("jupyterlab", "ipywidgets", "matplotlib", "networkx", "numpy", "nbval", "pytest", "hypothesis"):
        assert needed in pins(ROOT / "requirements.txt")


def test_binder_has_the_same_pins():
    assert pins(ROOT / "binder" / "requirements.txt") == pins(ROOT / "requirements.txt")


def test_binder_installs_the_package():
    lines = [l.split("#", 1)[0].strip() for l in (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8").splitlines()]
    # repo2docker runs pip from the repository root, so "." is the course package.
    assert "." in lines or "-e ." in lines, "binder/requirements.txt must install tcpmodel"


def test_binder_runtime_is_the_tested_python():
    runtime = (ROOT / "binder" / "runtime.txt").read_text(encoding="utf-8").strip()
    assert runtime == f"python-{sys.version_info.major}.{sys.version_info.minor}"


def test_readme_binder_badge_opens_the_course_map():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "mybinder.org/badge_logo.svg" in readme
    assert re.search(r"mybinder\.org/v2/gh/[^)\s]+\?urlpath=lab/tree/notebooks/00_start_here\.ipynb", readme)
