"""The static course site (issue 8), tested as a reader uses it: in a real browser.

The site is built by ``tools/build_site.py`` (``make site``) when it is
missing or older than its inputs, then served on a free localhost port and
loaded page by page in headless Chromium. The first tests check the staging
step (widget outputs → static figures) on small notebooks made here, without
a browser.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from lab_harness import newest_mtime

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "site"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
FIGURES = json.loads((ROOT / "figures" / "index.json").read_text(encoding="utf-8")) if (ROOT / "figures" / "index.json").exists() else {}
BINDER = "https://mybinder.org/v2/gh/time-wait-course/tcp-time-wait/HEAD?urlpath=lab/tree/notebooks/{file}"
SOURCE = "https://github.com/time-wait-course/tcp-time-wait/blob/HEAD/notebooks/{file}"
PAGES = ["index.html", "search.html"] + [f"notebooks/{p.stem}.html" for p in NOTEBOOKS] + ["instructors.html"]
# tcpmodel: the site widgets' frames are drawn by the widgets (a warm rebuild reuses the frames it can).
INPUTS = ("notebooks", "figures", "site", "tools/build_site.py", "CITATION.cff", "tcpmodel", "tools/instructor_guide.py", "tools/make_nbgrader.py")
SCREENSHOTS = ROOT / "_build" / "screenshots"


def _load_builder():
    spec = importlib.util.spec_from_file_location("build_site", ROOT / "tools" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_site"] = module
    spec.loader.exec_module(module)
    return module


build_site = _load_builder()


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site, rebuilt first when missing or older than its inputs."""
    stamp = SITE / ".nojekyll"
    warnings = ROOT / "_build" / "site-src" / "sphinx-warnings.txt"
    if not stamp.exists() or not warnings.exists() or stamp.stat().st_mtime < newest_mtime(INPUTS):
        build_site.build(ROOT / "notebooks", ROOT / "figures", SITE, ROOT / "_build" / "site-src")
    return SITE


@pytest.fixture(scope="session")
def base_url(site, serve_directory) -> str:
    return serve_directory(site)


def _soup(path: Path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


# -- Staging, without a browser -------------------------------------------------


def _widget_notebook(with_figure: bool = True) -> dict:
    md = "## 1. Demo\n\n### Interactive demo\n\n" + ("![Old alt.](../figures/demo_fig.svg)\n\n" if with_figure else "") + "**Think!** Why?"
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}}},
        "cells": [
            {"cell_type": "markdown", "id": "demo-md", "metadata": {}, "source": md},
            {
                "cell_type": "code",
                "id": "demo",
                "metadata": {"tags": ["nbval-ignore-output"]},
                "execution_count": 1,
                "source": "demo_widget()",
                "outputs": [
                    {"output_type": "stream", "name": "stdout", "text": "ready\n"},
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {
                            "application/vnd.jupyter.widget-view+json": {"model_id": "x", "version_major": 2, "version_minor": 0},
                            "text/plain": "CourseWidget(...)",
                        },
                    },
                ],
            },
            {
                "cell_type": "code",
                "id": "plot",
                "metadata": {},
                "execution_count": 2,
                "source": "draw_demo_fig()",
                "outputs": [{"output_type": "display_data", "metadata": {}, "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}}],
            },
            {"cell_type": "code", "id": "ex1-solution", "metadata": {"tags": ["solution"]}, "execution_count": 3, "source": "answer_x = 1", "outputs": []},
            {
                "cell_type": "markdown",
                "id": "links",
                "metadata": {},
                "source": "[next](02_next.ipynb) · [map](00_start_here.ipynb) · [code](../tcpmodel/states.py#L3) · [RFC](https://www.rfc-editor.org/rfc/rfc9293)\n\n```\n[not a link](../x.py)\n```",
            },
        ],
    }


FIG_INDEX = {"demo_fig": {"file": "demo_fig.svg", "alt": "Index alt text.", "caption": "Index caption.", "source": "tcpmodel.plots.x"}}


def test_widget_output_becomes_captioned_static_figure():
    report = build_site.StageReport()
    nb = _widget_notebook()
    out = build_site.transform_notebook(nb, filename="05_demo.ipynb", figures=FIG_INDEX, report=report)
    demo = out["cells"][1]
    assert [o["output_type"] for o in demo["outputs"]] == ["stream"], "widget view dropped, other outputs kept"
    assert "widgets" not in out["metadata"]
    md = out["cells"][0]["source"]
    assert "```{figure} ../figures/demo_fig.svg" in md
    assert 'alt: "Index alt text."' in md, "alt text comes from figures/index.json"
    assert "Index caption." in md and "live version runs on [Binder](" + BINDER.format(file="05_demo.ipynb") + ")" in md
    assert "locally" in md
    assert report.widgets == ["05_demo.ipynb#demo"] and not report.widgets_without_figure
    assert nb["cells"][1]["outputs"][1]["data"], "the stored notebook itself is not changed"


def test_widget_without_figure_gets_a_note_and_is_reported():
    report = build_site.StageReport()
    out = build_site.transform_notebook(_widget_notebook(with_figure=False), filename="05_demo.ipynb", figures=FIG_INDEX, report=report)
    assert report.widgets_without_figure == ["05_demo.ipynb#demo"]
    assert "Binder" in out["cells"][2]["source"] and out["cells"][2]["cell_type"] == "markdown"


def test_plot_alt_text_solutions_and_links():
    report = build_site.StageReport()
    names = {"00_start_here.ipynb", "05_demo.ipynb"}
    out = build_site.transform_notebook(
        _widget_notebook(), filename="05_demo.ipynb", figures=FIG_INDEX, draw_names={"draw_demo_fig": "demo_fig"}, notebook_names=names, report=report
    )
    assert out["cells"][2]["metadata"]["mystnb"]["image"]["alt"] == "Index alt text."
    assert "hide-input" in out["cells"][3]["metadata"]["tags"]
    assert out["cells"][3]["metadata"]["mystnb"]["code_prompt_show"] == "Show the solution"
    links = out["cells"][4]["source"]
    assert links.startswith("next · [map](00_start_here.ipynb)"), "a link to a missing notebook becomes text"
    assert "[code](https://github.com/time-wait-course/tcp-time-wait/blob/HEAD/tcpmodel/states.py#L3)" in links
    assert "[RFC](https://www.rfc-editor.org/rfc/rfc9293)" in links and "[not a link](../x.py)" in links
    # Without a registered drawing function, the alt text names the section.
    plain = build_site.transform_notebook(_widget_notebook(), filename="05_demo.ipynb", figures=FIG_INDEX, report=report)
    assert "Interactive demo" in plain["cells"][2]["metadata"]["mystnb"]["image"]["alt"]


def test_figure_images_take_alt_text_from_the_index():
    nb = _widget_notebook()
    nb["cells"].append({"cell_type": "markdown", "id": "fig", "metadata": {}, "source": "See ![stale [alt]](../figures/demo_fig.svg) here."})
    out = build_site.transform_notebook(nb, filename="05_demo.ipynb", figures=FIG_INDEX)
    assert out["cells"][-1]["source"] == "See ![Index alt text.](../figures/demo_fig.svg) here."


def test_remote_images_become_links():
    nb = _widget_notebook()
    nb["cells"].append({"cell_type": "markdown", "id": "badge", "metadata": {}, "source": "[![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/x) and ![logo](https://example.org/l.png)"})
    report = build_site.StageReport()
    out = build_site.transform_notebook(nb, filename="05_demo.ipynb", figures=FIG_INDEX, report=report)
    assert out["cells"][-1]["source"] == "[Binder](https://mybinder.org/v2/x) and [logo](https://example.org/l.png)"
    assert report.remote_images == ["05_demo.ipynb#badge: https://mybinder.org/badge_logo.svg", "05_demo.ipynb#badge: https://example.org/l.png"]


def test_markdown_outputs_get_the_same_link_rules():
    nb = _widget_notebook()
    nb["cells"][2]["outputs"].append(
        {"output_type": "display_data", "metadata": {}, "data": {"text/markdown": "| [A](03_gone.ipynb) | [B](05_demo.ipynb) |", "text/plain": "<Markdown>"}}
    )
    out = build_site.transform_notebook(nb, filename="05_demo.ipynb", figures=FIG_INDEX, notebook_names={"05_demo.ipynb"})
    assert out["cells"][2]["outputs"][-1]["data"]["text/markdown"] == "| A | [B](05_demo.ipynb) |"


def test_site_code_doctests():
    import doctest

    sys.path.insert(0, str(ROOT / "site" / "_ext"))
    try:
        import course_site
    finally:
        sys.path.pop(0)
    for module in (build_site, course_site):
        result = doctest.testmod(module)
        assert result.attempted and not result.failed, module.__name__


def test_remote_asset_check_flags_cdn_but_not_hyperlinks(tmp_path):
    (tmp_path / "a.html").write_text(
        '<a href="https://example.org/">ok</a><link rel="stylesheet" href="https://cdn.example/x.css">'
        '<script src="//cdn.example/x.js"></script><img src="local.png" alt="x">',
        encoding="utf-8",
    )
    (tmp_path / "s.css").write_text("@font-face { src: url('https://fonts.example/f.woff2'); }", encoding="utf-8")
    found = build_site.remote_assets(tmp_path)
    assert found == ["a.html: https://cdn.example/x.css", "a.html: //cdn.example/x.js", "s.css: https://fonts.example/f.woff2"]


# -- The built site, as files ------------------------------------------------------


def test_site_has_a_page_per_notebook_and_nothing_remote(site):
    assert (site / "index.html").exists()
    pages = sorted(str(p.relative_to(site)) for p in site.rglob("*.html"))
    assert pages == sorted(PAGES), "one page per notebook, the landing page, search and the instructor guide; nothing else"
    warnings = (ROOT / "_build" / "site-src" / "sphinx-warnings.txt").read_text(encoding="utf-8").strip()
    assert warnings == "", f"Sphinx warned while building the site:\n{warnings}"
    for nb in NOTEBOOKS:
        assert (site / "notebooks" / f"{nb.stem}.html").exists(), nb.name
        assert (site / "notebooks" / nb.name).read_bytes() == nb.read_bytes(), "download link serves the notebook as stored"
    assert build_site.remote_assets(site) == []
    assert not list(site.rglob("*mathjax*")), "maths is MathML; no MathJax"
    fallbacks = [str(p.relative_to(site)) for p in site.rglob("*.html") if 'class="math-source"' in p.read_text(encoding="utf-8")]
    assert fallbacks == [], f"formulas that latex2mathml could not convert (shown as LaTeX): {fallbacks}"


def test_site_shows_no_template_leftovers(site):
    """No page shows text that was meant to be substituted (``{fig("x")}``, a constant's name as a value)."""
    from tcpmodel.prose import template_leftovers

    found = {}
    for page in sorted(site.rglob("*.html")):
        soup = _soup(page)
        for tag in soup(["script", "style", "pre", "math"]):
            tag.decompose()
        for tag in soup("code"):  # inline code keeps its backticks, as in the markdown
            tag.replace_with(f"`{tag.get_text()}`")
        leftovers = template_leftovers(soup.get_text(" "))
        if leftovers:
            found[str(page.relative_to(site))] = leftovers
    assert not found, f"unrendered template syntax on the site: {found}"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_page_navigation(site, nb):
    soup = _soup(site / "notebooks" / f"{nb.stem}.html")
    hrefs = [a.get("href", "") for a in soup.select("nav.course-launch-bar a")]
    assert BINDER.format(file=nb.name) in hrefs, "Launch on Binder opens this notebook"
    assert SOURCE.format(file=nb.name) in hrefs, "link to its source"
    assert nb.name in hrefs, "download of the stored notebook"
    course_toc = [a.get("href") for a in soup.select(".sidebar-tree a.reference")]
    for other in NOTEBOOKS:
        target = f"{other.stem}.html"
        assert any(h == target or h.endswith("/" + target) or h == "#" and other == nb for h in course_toc), f"course TOC lacks {other.stem}"
    i = NOTEBOOKS.index(nb)
    if i > 0:
        assert soup.select_one("a.prev-page")["href"].endswith(f"{NOTEBOOKS[i - 1].stem}.html")
    if i + 1 < len(NOTEBOOKS):
        assert soup.select_one("a.next-page")["href"].endswith(f"{NOTEBOOKS[i + 1].stem}.html")
    sections = soup.select("article section h2")
    if len(sections) > 1:
        assert soup.select(".toc-tree a"), "page TOC"
    text = soup.get_text(" ")
    assert "Loading widget" not in text and "widget-view+json" not in str(soup)


def test_widgets_are_static_figures_with_index_alt(site):
    """Every widget cell of every notebook shows its static figure, captioned."""
    for nb in NOTEBOOKS:
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        widget_cells = [c for c in cells if any(build_site.WIDGET_MIME in o.get("data", {}) for o in c.get("outputs", []))]
        if not widget_cells:
            continue
        soup = _soup(site / "notebooks" / f"{nb.stem}.html")
        figures = soup.select("figure.course-widget-fallback")
        assert len(figures) >= len(widget_cells), f"{nb.name}: {len(widget_cells)} widgets, {len(figures)} static figures"
        for fig in figures:
            img = fig.find("img")
            name = Path(img["src"]).stem
            assert img["alt"] == FIGURES[name]["alt"], f"{nb.name}: alt of {name} is not the figure index's"
            caption = fig.find("figcaption").get_text(" ")
            assert "Binder" in caption and "locally" in caption
            assert fig.find("figcaption").find("a", href=BINDER.format(file=nb.name))


def test_landing_page(site):
    soup = _soup(site / "index.html")
    text = soup.get_text(" ")
    headings = [h.get_text(" ").rstrip("¶").strip() for h in soup.select("article h2")]
    for needed in ("What the course teaches", "Who it is for", "The course map", "How to run it", "How to cite it"):
        assert needed in headings
    from tcpmodel.course import course_notebooks, read_notebook_info

    for path in course_notebooks(ROOT / "notebooks"):
        info = read_notebook_info(path)
        row = next((tr for tr in soup.select("article table tr") if info.title in tr.get_text(" ")), None)
        assert row is not None, f"course map lacks {info.title}"
        assert info.time in row.get_text(" ")
        assert row.find("a")["href"] == f"notebooks/{path.stem}.html"
    times = [read_notebook_info(p).time for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]
    if all(re.fullmatch(r"\d+ min", x) for x in times):
        total = sum(int(x.split()[0]) for x in times)
        assert f"about {total // 60} h {total % 60:02d} min" in text, "the landing page gives the course's total time"
    import yaml

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    cite = soup.find(id="how-to-cite-it").get_text("")
    assert cff["title"] in cite and str(cff["version"]) in cite and "@software{" in cite
    assert BINDER.format(file="00_start_here.ipynb") in [a.get("href") for a in soup.find_all("a")]


# -- In the browser -----------------------------------------------------------------

_link_cache: dict[str, str | None] = {}

# axe-core checks: WCAG 2.0/2.1 A and AA (contrast, alt text, names, ...) and
# its best practices (heading order among them), except these, with reasons.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
AXE_DISABLED = {
    # Furo has two <aside> drawers (course TOC, page TOC) without labels; a
    # best practice, not a WCAG criterion, and part of the theme's markup.
    "landmark-unique": "Furo's unlabelled sidebar drawers",
}


def _check_internal_link(base_url: str, url: str) -> str | None:
    """None if ``url`` (same origin) resolves, including its #fragment; else why not."""
    from bs4 import BeautifulSoup

    page_url, _, fragment = url.partition("#")
    key = url
    if key in _link_cache:
        return _link_cache[key]
    try:
        with urllib.request.urlopen(page_url, timeout=10) as response:
            body = response.read()
            ctype = response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        _link_cache[key] = f"{exc.code} {url}"
        return _link_cache[key]
    problem = None
    if fragment and "html" in ctype:
        ids = {t.get("id") for t in BeautifulSoup(body, "html.parser").find_all(id=True)}
        if urllib.parse.unquote(fragment) not in ids:
            problem = f"no #{fragment} in {page_url}"
    _link_cache[key] = problem
    return problem


@pytest.mark.parametrize("path", PAGES)
def test_page_in_browser(page, base_url, path):
    from selenium.webdriver.common.by import By

    url = base_url + path
    load = page.goto(url)
    assert load.status == 200, f"{path}: HTTP {load.status}"
    assert load.console_errors == [], f"{path}: console errors {load.console_errors}"
    assert load.failed_requests == [], f"{path}: failed requests {load.failed_requests}"
    remote = [u for u in load.requested if not u.startswith(base_url)]
    assert remote == [], f"{path}: fetched from another host (the site must work offline): {remote}"

    images = page.driver.execute_script(
        "return Array.from(document.images).map(i => [i.currentSrc, i.complete && i.naturalWidth > 0, i.getAttribute('alt')])"
    )
    for src, loaded, alt in images:
        assert loaded, f"{path}: image did not load: {src}"
        assert alt and alt.strip(), f"{path}: image without alt text: {src}"

    headings = [int(h.tag_name[1]) for h in page.driver.find_elements(By.CSS_SELECTOR, "article h1, article h2, article h3, article h4, article h5, article h6")]
    if path != "search.html":
        assert headings and headings[0] == 1 and headings.count(1) == 1, f"{path}: one h1 first; got {headings}"
        jumps = [(a, b) for a, b in zip(headings, headings[1:]) if b > a + 1]
        assert not jumps, f"{path}: heading levels skip: {jumps}"

    links = page.driver.execute_script("return Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    problems = [p for u in sorted(set(links)) if u.startswith(base_url) and (p := _check_internal_link(base_url, u))]
    assert problems == [], f"{path}: internal links that do not resolve: {problems}"

    for scheme in ("light", "dark"):  # every rule in light; what changes in dark is colour
        page.set_color_scheme(scheme)
        if scheme == "light":
            violations = page.run_axe(tags=AXE_TAGS, disable=list(AXE_DISABLED))
        else:
            violations = page.run_axe(rules=["color-contrast"])
        summary = [(v["id"], [n["target"] for n in v["nodes"]][:5], v["nodes"][0].get("failureSummary", "")[:300] if v["nodes"] else v.get("description")) for v in violations]
        assert violations == [], f"{path} ({scheme}): accessibility violations {summary}"
    page.set_color_scheme("light")


def test_maths_renders_as_mathml(page, base_url, site):
    with_math = [p for p in PAGES if "<math" in (site / p).read_text(encoding="utf-8")]
    if not with_math:
        pytest.skip("no page has maths yet")
    page.goto(base_url + with_math[0])
    boxes = page.driver.execute_script("return Array.from(document.querySelectorAll('article math')).map(m => m.getBoundingClientRect().width)")
    assert boxes and all(w > 0 for w in boxes), f"{with_math[0]}: MathML not laid out: {boxes}"
    assert not page.driver.find_elements("css selector", "article .math-source"), "a formula fell back to LaTeX source"


def test_search_works_without_a_server(page, base_url):
    from selenium.webdriver.support.ui import WebDriverWait

    load = page.goto(base_url + "search.html?q=TIME_WAIT")
    assert load.console_errors == [] and load.failed_requests == []
    WebDriverWait(page.driver, 20).until(lambda d: d.execute_script("return document.querySelectorAll('#search-results ul.search li').length") > 0)
    hits = page.driver.execute_script("return Array.from(document.querySelectorAll('#search-results ul.search li a')).map(a => a.href)")
    assert any("/notebooks/" in h for h in hits), f"search for TIME_WAIT found no notebook: {hits}"


def test_screenshots(page, base_url, site):
    """Landing page and one notebook page, for a person to look at (_build/screenshots/)."""
    widget_pages = [p for p in PAGES[2:] if "course-widget-fallback" in (site / p).read_text(encoding="utf-8")]
    notebook_page = (widget_pages or PAGES[2:] or ["index.html"])[0]
    shots = {"landing.png": ("index.html", None), "notebook.png": (notebook_page, None)}
    if widget_pages:
        shots["notebook-widget-figure.png"] = (notebook_page, "figure.course-widget-fallback")
    for name, (path, selector) in shots.items():
        page.goto(base_url + path)
        # Forget the search test's highlighted terms (kept in the browser's storage).
        page.driver.execute_script("localStorage.clear(); sessionStorage.clear();")
        page.goto(base_url + path)
        if selector:
            page.driver.execute_script(
                "document.documentElement.style.scrollBehavior = 'auto';"
                "document.querySelector(arguments[0]).scrollIntoView({block: 'start', behavior: 'instant'})",
                selector,
            )
        saved = page.screenshot(SCREENSHOTS / name)
        assert saved.stat().st_size > 10_000, f"{name} looks empty"
