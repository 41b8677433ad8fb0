"""The one shape every course widget has.

Theory of operation
-------------------
A :class:`CourseWidget` owns a set of named controls, one ``Output`` area and
one error label. Whenever a control changes, the output is cleared and the
widget's ``draw`` function is called with every control's current value. What
``draw`` returns is shown: a matplotlib Figure (shown with ``plt.show()``
inside the callback, so the inline backend renders it into the Output and
the figures never pile up), or any other displayable object.

Bad input never reaches the learner as a traceback: a ``ValueError`` from the
model is shown in the error label beside the controls (its message already
names the parameter and the valid range), and the previous output is cleared.
Any other exception is shown the same way, marked as a bug to report, so a
lesson never stops mid-way.

``update(**values)`` sets controls and redraws once, synchronously. The
benchmarks use it with the Agg backend to measure the latency a learner feels.

The static site
---------------
Each widget also declares ``site_grid``, next to its controls: for every
control, the values at which the site (``make site``) draws it ahead of time,
with this widget's own ``draw``. Every option of a drop-down, both states of a
check box, and a slider's values at its steps or on a coarser grid whose
reason is given beside it. A control that plays a sequence (the stepper's
"next step") is declared :class:`Steps`: one frame per step. ``site_frames``
returns what the site shows for one point of the grid;
:mod:`tcpmodel.widgets.site` renders and checks the grids.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
from IPython.display import clear_output, display

__all__ = ["CourseWidget", "Steps", "EVERY"]

#: A ``site_grid`` entry: every option of a drop-down or toggle, both states of a check box.
EVERY = "every option"


def _close(figure: Any) -> None:
    """``plt.close(figure)`` if pyplot is loaded: a widget that has drawn nothing yet has nothing to close.

    pyplot is imported only when something is drawn, so that a widget whose
    first view is text (or an error) costs no matplotlib import.
    """
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close(figure)


def _in_ipython() -> bool:
    # Outside a kernel (doctests, benchmarks) clear_output writes terminal
    # escape codes to stdout instead of clearing anything.
    from IPython import get_ipython

    return get_ipython() is not None


class Steps:
    """A ``site_grid`` entry: this control plays a sequence, one site frame per step.

    With ``menu=False`` (a stepper) the site shows buttons (next, back, start
    again) with the notebook widget's labels, and the steps come from the
    widget's ``site_frames``. With ``menu=True`` the control is a drop-down
    whose options depend on the other controls (the connections of a
    capture): the site draws every option the widget offers at each grid
    point and shows them in a drop-down.

    Examples
    --------
    >>> Steps(next="▶ next step").labels["next"]
    '▶ next step'
    >>> Steps(menu=True).menu
    True
    """

    def __init__(self, *, next: str = "next", back: str = "back", reset: str = "start again",  # noqa: A002
                 menu: bool = False) -> None:
        self.labels = {"next": next, "back": back, "reset": reset}
        self.menu = menu

    def __repr__(self) -> str:
        return f"Steps(menu=True)" if self.menu else f"Steps({self.labels})"


class CourseWidget(widgets.VBox):
    """Controls, an error label and an output area that redraws on change.

    Parameters
    ----------
    controls : Mapping[str, ipywidgets.ValueWidget]
        The controls, by the keyword name ``draw`` receives.
    draw : callable
        ``draw(**values)`` returns a Figure, another displayable object, or None.
    title : str, optional
        Shown above the controls.
    static_figure : str, optional
        Name of the static fallback figure in ``figures/index.json``.
    site_grid : Mapping[str, Sequence or Steps], optional
        For every control, the values the static site draws (see the module
        docstring); :func:`tcpmodel.widgets.site.check_grid` checks it.

    Examples
    --------
    >>> import ipywidgets as w
    >>> drawn = []
    >>> def draw(x):
    ...     if x < 0:
    ...         raise ValueError(f"x must be a number in [0, 10]; got {x}")
    ...     drawn.append(x * x)
    >>> demo = CourseWidget({"x": w.IntSlider(value=2, min=-1, max=10)}, draw)
    >>> demo.update(x=-1)
    >>> demo.error_text
    'x must be a number in [0, 10]; got -1'
    >>> demo.update(x=3)
    >>> demo.error_text, drawn
    ('', [4, 9])
    """

    def __init__(
        self,
        controls: Mapping[str, widgets.ValueWidget],
        draw: Callable[..., Any],
        *,
        title: str | None = None,
        static_figure: str | None = None,
        site_grid: Mapping[str, Any] | None = None,
    ) -> None:
        self.controls = dict(controls)
        self.title = title or ""
        self.site_grid: dict[str, Any] = dict(site_grid or {})
        self.draw = draw
        self.static_figure = static_figure
        self.error = widgets.HTML(value="", layout=widgets.Layout(min_height="1.5em"))
        self.error.add_class("tcpmodel-error")
        self.output = widgets.Output(layout=widgets.Layout(min_height="2em"))
        self.output.add_class("tcpmodel-output")
        self.last_error: Exception | None = None
        self.redraw_count = 0
        header = [widgets.HTML(f"<b>{title}</b>")] if title else []
        control_box = widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
        control_box.add_class("tcpmodel-controls")
        super().__init__(children=[*header, control_box, self.error, self.output])
        self.add_class("tcpmodel-widget")
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.refresh()

    @property
    def values(self) -> dict[str, Any]:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    @property
    def error_text(self) -> str:
        """The message in the error label, as plain text ('' when there is none)."""
        return "" if self.last_error is None else str(self.last_error)

    def _on_change(self, _change: Mapping[str, Any]) -> None:
        self.refresh()

    def update(self, **values: Any) -> None:
        """Set the named controls and redraw once.

        Raises
        ------
        ValueError
            If a name is not one of this widget's controls.
        """
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ValueError(f"unknown control(s) {unknown}; this widget has {sorted(self.controls)}")
        for control in self.controls.values():
            control.unobserve(self._on_change, names="value")
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            for control in self.controls.values():
                control.observe(self._on_change, names="value")
        self.refresh()

    def refresh(self) -> None:
        """Redraw the output from the controls' current values."""
        self.redraw_count += 1
        with self.output:
            if _in_ipython():
                clear_output(wait=True)
            try:
                shown = self.draw(**self.values)
            except ValueError as exc:
                self._show_error(exc, exc)
                return
            except Exception as exc:  # noqa: BLE001 - a lesson must not stop on a bug
                self._show_error(exc, f"Unexpected error ({type(exc).__name__}: {exc}). Please report it.")
                return
            self.last_error = None
            self.error.value = ""
            self._show(shown)

    def site_frames(self, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        """What the static site shows for one point of ``site_grid``.

        A list of frames: one; or, for a ``Steps(menu=True)`` control, one per
        option the widget offers at these values, each with its ``label``. A
        frame is ``{"figure": Figure}``, ``{"png": bytes, "text": str}``, or
        ``{"error": message}`` when ``draw`` rejects the values, as the error
        label would show it; ``"html"`` is what ``site_html()`` returns after
        the draw, if the widget sets that function (text it shows beside the
        figure). A stepper overrides this method.

        Examples
        --------
        >>> import ipywidgets as w
        >>> def draw(x):
        ...     raise ValueError(f"x must be a number in [0, 10]; got {x}")
        >>> CourseWidget({"x": w.IntSlider(value=2, min=-1, max=10)}, draw).site_frames({"x": -1})
        [{'error': 'x must be a number in [0, 10]; got -1'}]
        """
        menus = [name for name, entry in self.site_grid.items() if isinstance(entry, Steps) and entry.menu]
        if not menus:
            return [self._site_frame(dict(values))]
        (name,) = menus
        control = self.controls[name]
        # The first draw sets the options for these values (it may reject the option left from other values).
        first = self._site_frame({**values, name: control.value})
        if first.get("figure") is not None:
            _close(first["figure"])
        options = [o if isinstance(o, tuple) else (str(o), o) for o in control.options]
        frames = [{**self._site_frame({**values, name: value}), "label": str(label)} for label, value in options]
        return frames if any(f.get("error") is None for f in frames) else [first]

    def _site_frame(self, values: dict[str, Any]) -> dict[str, Any]:
        try:
            shown = self.draw(**values)
        except ValueError as exc:
            _close("all")
            return {"error": str(exc)}
        frame: dict[str, Any] = {"figure": shown}
        site_html = getattr(self, "site_html", None)
        if callable(site_html):
            frame["html"] = site_html()
        return frame

    def _show_error(self, exc: Exception, message: object) -> None:
        self.last_error = exc
        text = str(message).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        self.error.value = f'<span style="color:#B00020">⚠ {text}</span>'
        _close("all")
        if _in_ipython():
            # refresh() cleared with wait=True, which takes effect only when the
            # next output arrives. An error shows no output, so clear now, or the
            # figure of the previous values stays beside the message.
            self.output.clear_output()

    @staticmethod
    def _show(shown: Any) -> None:
        if shown is None:
            return
        figure_module = sys.modules.get("matplotlib.figure")  # loaded if shown can be a Figure at all
        if figure_module is not None and isinstance(shown, figure_module.Figure):
            import matplotlib.pyplot as plt

            if plt.get_backend().lower() == "agg":
                # Agg's show() draws nothing; render so latency is measured honestly.
                shown.canvas.draw()
                plt.close(shown)
            else:
                plt.show()
            return
        display(shown)
