"""Sphinx configuration of the course site (``make site``).

The site is built by ``tools/build_site.py``, which stages the notebooks *as
stored* (plus the figures and this folder's landing page) into
``_build/site-src/`` and runs Sphinx there with this folder as the
configuration directory. Nothing is executed: ``nb_execution_mode = "off"``.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

# -- The course --------------------------------------------------------------
project = "TCP TIME_WAIT: a course you can run"
author = "The TIME_WAIT course authors"
copyright = "the TIME_WAIT course authors. Code MIT, prose and figures CC BY 4.0"  # noqa: A001
language = "en"

# Where readers launch and read the sources (README.md gives the same URLs).
course_repository = "https://github.com/time-wait-course/tcp-time-wait"
course_branch = "HEAD"
course_binder = "https://mybinder.org/v2/gh/time-wait-course/tcp-time-wait/HEAD?urlpath=lab/tree/{path}"

# -- Extensions --------------------------------------------------------------
extensions = [
    "myst_nb",  # notebooks and Markdown, through the MyST parser
    "course_site",  # launch/source links, maths as MathML, offline checks
]

# Notebooks are shown exactly as stored (what nbval checked); never executed.
nb_execution_mode = "off"
# Widget outputs are replaced by their static figures when staging; never
# load the ipywidgets embedder, which myst-nb would fetch from a CDN.
nb_ipywidgets_js: dict = {}
# text/markdown outputs (the course map) are parsed as MyST, so tables render.
nb_render_markdown_format = "myst"
nb_merge_streams = True

myst_enable_extensions = ["dollarmath", "colon_fence", "deflist", "html_admonition"]
myst_dmath_double_inline = True
myst_heading_anchors = 3

# Maths is rendered to MathML at build time (course_site): no MathJax, no CDN.
html_math_renderer = "mathml"

# -- HTML --------------------------------------------------------------------
html_theme = "furo"
html_title = "TCP TIME_WAIT course"
html_short_title = "TIME_WAIT course"
templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["course.css"]
# The widgets' site versions (tools/build_site.py embeds their frames' manifests): vendored, no CDN.
html_js_files = [("widgets.js", {"defer": "defer"})]
html_favicon = "_static/favicon.svg"
html_copy_source = False
html_use_index = False  # no general index: the course has no API to index
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    # The launch bar (templates/page.html) replaces Furo's view/edit icons.
    "top_of_page_buttons": [],
    "navigation_with_keys": True,
    # Link colours darkened so that body links pass WCAG AA (>= 4.5:1) on the
    # light background and on the dark one.
    "light_css_variables": {
        "color-brand-primary": "#0a5a9c",
        "color-brand-content": "#0a5a9c",
        "color-brand-visited": "#6b3a8c",
    },
    "dark_css_variables": {
        "color-brand-primary": "#7cc4ff",
        "color-brand-content": "#7cc4ff",
        "color-brand-visited": "#d7b3ff",
    },
}
pygments_style = "a11y-light"
pygments_dark_style = "a11y-dark"

exclude_patterns = ["_build", "**.ipynb_checkpoints"]
suppress_warnings = ["mystnb.unknown_mime_type"]
