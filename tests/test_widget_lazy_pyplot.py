"""A widget imports matplotlib only when it draws: notebook 10's upload widget starts with no figure (issue 14)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("dpkt")


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return done.stdout.strip()


def test_upload_first_view_imports_no_pyplot():
    out = _run("import sys\n"
               "from tcpmodel.widgets.capture import capture_widget\n"
               "w = capture_widget(source='upload')\n"
               "print('matplotlib.pyplot' in sys.modules, bool(w.error_text))")
    assert out == "False True"


def test_drawing_a_shipped_capture_still_shows_a_figure():
    out = _run("import sys, matplotlib\n"
               "matplotlib.use('Agg')\n"
               "from tcpmodel.widgets.capture import capture_widget\n"
               "w = capture_widget(source='upload')\n"
               "w.update(source='client_closes_first')\n"
               "print('matplotlib.pyplot' in sys.modules, repr(w.error_text), w.redraw_count)")
    assert out == "True '' 2"
