"""The lecture slides (``make slides``, issue 15), tested in a real browser.

The decks are built by ``tools/make_slides.py`` when missing or older than
their inputs, served on a free localhost port and opened one by one in
headless Chromium (the fixtures of ``conftest.py``). Each deck is stepped
through slide by slide with reveal.js's API. Checked: reveal.js starts; no
console error and no failed request, while loading or while stepping; every
request stays on the local server (nothing from a CDN); every image has
loaded; and no slide is taller than reveal.js's viewport (960 × 700 logical
pixels, scaled to the window), so nothing is cut off.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from lab_harness import newest_mtime

ROOT = Path(__file__).resolve().parents[2]
SLIDES = ROOT / "_build" / "slides"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
INPUTS = ("notebooks", "figures", "tools/make_slides.py", "tools/slide_metadata.py", "tools/slides_template")
#: Logical pixels a slide may exceed the viewport by (sub-pixel rounding of line heights).
TOLERANCE_PX = 2


def _load_tool():
    sys.path.insert(0, str(ROOT / "tools"))
    spec = importlib.util.spec_from_file_location("make_slides", ROOT / "tools" / "make_slides.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_slides = _load_tool()


@pytest.fixture(scope="session")
def slides() -> Path:
    """The built decks, rebuilt first when missing or older than their inputs."""
    decks = sorted(SLIDES.glob("*.slides.html"))
    if len(decks) != len(NOTEBOOKS) or min(p.stat().st_mtime for p in decks) < newest_mtime(INPUTS):
        if not (ROOT / "_build" / "vendor" / f"reveal.js-{make_slides.REVEAL_VERSION}.tgz").exists() and not shutil.which("npm"):
            pytest.skip("the slides need npm once, to fetch reveal.js from the npm registry: sudo apt-get install npm")
        make_slides.build(ROOT / "notebooks", SLIDES)
    return SLIDES


@pytest.fixture(scope="session")
def slides_url(slides, serve_directory) -> str:
    return serve_directory(slides)


def test_every_notebook_has_a_deck_and_reveal_is_local(slides):
    assert sorted(p.name for p in slides.glob("*.slides.html")) == sorted(f"{p.stem}.slides.html" for p in NOTEBOOKS)
    assert (slides / make_slides.REVEAL_PREFIX / "dist" / "reveal.js").is_file()
    assert make_slides.remote_assets(slides) == []


def test_stage_leaves_out_exercises_widgets_and_live_cells():
    nb = json.loads((ROOT / "notebooks" / "01_state_machine.ipynb").read_text(encoding="utf-8"))
    staged, figures = make_slides.stage_notebook(nb)
    kinds: dict[str, str] = {}
    for c in staged["cells"]:  # a long markdown cell is cut into parts "<id>-0", "<id>-1", ...: the first keeps the type
        kinds.setdefault(c["id"], c["metadata"]["slideshow"]["slide_type"])
        kinds.setdefault(re.sub(r"-\d+$", "", c["id"]), c["metadata"]["slideshow"]["slide_type"])
    for cell in staged["cells"]:
        text = "".join(cell["source"])
        tags = cell["metadata"].get("tags", [])
        if "solution" in tags or text.startswith("check(") or "nbval-ignore-output" in tags or text.startswith("## Exercises"):
            assert kinds[cell["id"]] == "skip", cell["id"]
        assert "](../figures/" not in text
    assert kinds["title"] == "slide" and kinds["objectives"] == "slide" and kinds["summary"] == "slide"
    assert figures and all((ROOT / "figures" / f).is_file() for f in figures)


STEP_THROUGH = """
const done = arguments[arguments.length - 1];
const height = Reveal.getConfig().height;
const slides = Reveal.getSlides();
const tall = [];
for (const slide of slides) {
  const i = Reveal.getIndices(slide);
  Reveal.slide(i.h, i.v, Number.MAX_SAFE_INTEGER);  // every fragment shown
  const used = slide.scrollHeight;
  if (used > height + arguments[0]) {
    const title = (slide.querySelector('h1,h2,h3,p') || slide).textContent.trim().slice(0, 60);
    tall.push(`slide ${i.h}.${i.v} (${title}): ${used} px > ${height} px`);
  }
}
const images = Array.from(document.querySelectorAll('.reveal img'));
const broken = images.filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.getAttribute('src').slice(0, 80));
done({count: slides.length, tall: tall, images: images.length, broken: broken});
"""


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_deck_in_the_browser(page, slides_url, notebook):
    url = f"{slides_url}{notebook.stem}.slides.html"
    load = page.goto(url, settle=0.5)
    assert load.status == 200, f"{url}: HTTP {load.status}"
    page.driver.set_script_timeout(120)
    ready = page.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "if (window.Reveal && Reveal.isReady()) { done(true); } else if (window.Reveal) { Reveal.on('ready', () => done(true)); }"
        "else { done(false); }"
    )
    assert ready, f"{notebook.stem}: reveal.js did not start"
    result = page.driver.execute_async_script(STEP_THROUGH, TOLERANCE_PX)
    later = page.driver.get_log("browser")
    errors = load.console_errors + [e["message"] for e in later if e.get("level") == "SEVERE"]
    assert not errors, f"{notebook.stem}: console errors: {errors}"
    assert not load.failed_requests, f"{notebook.stem}: failed requests: {load.failed_requests}"
    foreign = [u for u in load.requested if not u.startswith(slides_url)]
    assert not foreign, f"{notebook.stem}: requests to other hosts: {foreign}"
    assert result["count"] >= 4, f"{notebook.stem}: only {result['count']} slides"
    assert not result["broken"], f"{notebook.stem}: images that did not load: {result['broken']}"
    assert not result["tall"], f"{notebook.stem}: slides taller than the viewport:\n  " + "\n  ".join(result["tall"])
