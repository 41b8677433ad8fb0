"""CourseWidget: redraws on change, shows errors beside the controls, never raises."""

import ipywidgets as w
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from tcpmodel.widgets.base import CourseWidget  # noqa: E402


def make(draw):
    return CourseWidget({"n": w.IntSlider(value=1, min=0, max=5)}, draw, title="demo", static_figure="x")


def test_redraws_once_per_update_and_on_control_change():
    seen = []
    widget = make(lambda n: seen.append(n))
    widget.update(n=3)
    widget.controls["n"].value = 4
    assert seen == [1, 3, 4]


def test_value_error_goes_to_the_label():
    def draw(n):
        if n == 0:
            raise ValueError("n must be an integer in [1, 5]; got 0")

    widget = make(draw)
    widget.update(n=0)
    assert widget.error_text == "n must be an integer in [1, 5]; got 0"
    assert "n must be an integer" in widget.error.value
    widget.update(n=2)
    assert widget.error_text == "" and widget.error.value == ""


def test_unexpected_errors_are_contained():
    widget = make(lambda n: 1 / 0 if n == 5 else None)
    widget.update(n=5)
    assert isinstance(widget.last_error, ZeroDivisionError)
    assert "Please report it" in widget.error.value


def test_error_text_is_html_escaped():
    def draw(n):
        raise ValueError("<script>")

    widget = make(draw)
    assert "&lt;script&gt;" in widget.error.value


def test_figures_do_not_pile_up():
    widget = make(lambda n: plt.figure())
    for n in range(5):
        widget.update(n=n)
    assert plt.get_fignums() == []


def test_update_rejects_unknown_controls():
    widget = make(lambda n: None)
    with pytest.raises(ValueError, match="unknown control"):
        widget.update(m=1)
