"""Step through the TCP state machine: one endpoint, or a client and a server side by side.

Theory of operation
-------------------
:class:`StateStepper` is a :class:`~tcpmodel.widgets.base.CourseWidget` over
a sans-I/O model: a :class:`tcpmodel.states.EndpointPair` (two endpoints
joined by a lossless in-order network) or a single
:class:`tcpmodel.states.TcpEndpoint`. The ``action`` menu offers only what is
valid now, as the table says: the user calls RFC 9293 accepts, the 2MSL
timeout in TIME-WAIT, and (two endpoints) delivering the oldest segment in
flight; one endpoint is offered every segment that can arrive. ``next``
plays the next step of the chosen scenario (the three-way handshake and the
four-way close, or the simultaneous open and close), ``undo`` and ``reset``
do what they say.

Each step redraws the state diagram with each endpoint's path so far, its
current state and the edge just taken, and lists the segments sent with the
RFC 9293 section that decided each step. The diagram is blitted over a base
rendered once (:class:`tcpmodel.plots.state_diagram.DiagramRenderer`), which
keeps a step well under 0.1 s. When widgets cannot run, the static figure
``state_diagram_handshake_close`` stands in.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> stepper = StateStepper()
>>> for _ in range(5):
...     stepper.update(action="next")
>>> stepper.model["client"].state.name, stepper.model["server"].state.name
('ESTABLISHED', 'ESTABLISHED')
>>> stepper.update(action="client:CLOSE")
>>> stepper.last_step.segments[0][0]
'FIN'
"""

from __future__ import annotations

import base64
import html
from typing import Any

import ipywidgets as widgets

from tcpmodel.plots.state_diagram import DiagramRenderer, Highlight, box_key
from tcpmodel.plots.style import ROLE_COLOURS
from tcpmodel.states import (
    HANDSHAKE_AND_CLOSE,
    SIMULTANEOUS_OPEN_AND_CLOSE,
    EndpointPair,
    Event,
    State,
    Step,
    TcpEndpoint,
    Transition,
)
from tcpmodel.widgets.base import EVERY, CourseWidget, Steps, _in_ipython

__all__ = ["StateStepper", "SCENARIOS", "MODES", "action_label", "state_stepper"]

#: Scenario name → script of EndpointPair actions.
SCENARIOS: dict[str, tuple[str, ...]] = {
    "handshake and four-way close": HANDSHAKE_AND_CLOSE,
    "simultaneous open and close": SIMULTANEOUS_OPEN_AND_CLOSE,
}
MODES = ("client and server", "one endpoint")
NAMES = ("client", "server")
COLOURS = {"client": ROLE_COLOURS["client"], "server": ROLE_COLOURS["server"], "endpoint": ROLE_COLOURS["client"]}
_SPECIAL = {"": "— choose what happens next —", "next": "▶ next step of the scenario", "undo": "↶ undo",
            "reset": "↺ start again"}


def _sends(t: Transition | None) -> str:
    return "" if t is None or not t.send else f" (sends {', '.join(t.send)})"


def action_label(action: str, model: EndpointPair | TcpEndpoint) -> str:
    """A menu label for an action id, saying what it will send.

    Examples
    --------
    >>> pair = EndpointPair()
    >>> action_label("client:ACTIVE_OPEN", pair)
    'client: active OPEN (sends SYN)'
    >>> action_label("RCV_FIN", TcpEndpoint("e", State.FIN_WAIT_2))
    'rcv FIN (sends ACK)'
    """
    if action in _SPECIAL:
        return _SPECIAL[action]
    if isinstance(model, TcpEndpoint):
        event = Event[action]
        return event.label + _sends(model.transition_for(event))
    who, what = action.split(":", 1)
    if who == "deliver":
        segment = model.in_flight[what][0][0]
        event = model.delivery_event(what)
        return f"deliver {segment} to {what}" + _sends(model[what].transition_for(event))
    event = Event[what]
    return f"{who}: {event.label}" + _sends(model[who].transition_for(event))


def _script_for_one_endpoint(script: tuple[str, ...]) -> tuple[str, ...]:
    pair = EndpointPair(NAMES)
    return tuple(step.transition.event.name for step in pair.run(script) if step.actor == "client")


class StateStepper(CourseWidget):
    """The stepper widget (see the module docstring).

    Parameters
    ----------
    mode : {"client and server", "one endpoint"}
        Two endpoints side by side, or one.
    scenario : str
        A key of :data:`SCENARIOS`: what ``next`` plays.
    """

    static_figure = "state_diagram_handshake_close"

    def __init__(self, mode: str = MODES[0], scenario: str = "handshake and four-way close") -> None:
        from tcpmodel._validate import require_choice

        require_choice("mode", mode, MODES)
        require_choice("scenario", scenario, tuple(SCENARIOS))
        self.renderer = DiagramRenderer()
        self._key: tuple[str, str] | None = None
        self.model: EndpointPair | TcpEndpoint = EndpointPair(NAMES)
        self.history: list[str] = []
        self.last_step: Step | None = None
        self.last_png: bytes = b""
        self.last_html: str = ""
        controls = {
            "mode": widgets.ToggleButtons(options=MODES, value=mode, description="Endpoints:",
                                          style={"button_width": "150px"}),
            "scenario": widgets.Dropdown(options=tuple(SCENARIOS), value=scenario, description="Scenario:"),
            "action": widgets.Dropdown(options=[(_SPECIAL[""], "")], value="", description="Next:",
                                       layout=widgets.Layout(width="420px")),
        }
        # The static site plays each scenario in each mode, one frame per step ("next"), with the table of steps;
        # the menu's other actions (any valid event, in any order) are a tree too large to draw ahead: Binder.
        site_grid = {"mode": EVERY, "scenario": EVERY,
                     "action": Steps(next=_SPECIAL["next"], back=_SPECIAL["undo"], reset=_SPECIAL["reset"])}
        super().__init__(controls, self._draw, title="TCP state machine stepper (RFC 9293 §3.10)",
                         static_figure=self.static_figure, site_grid=site_grid)

    # --- the model ---------------------------------------------------------------------

    @property
    def script(self) -> tuple[str, ...]:
        """What ``next`` plays in the current mode and scenario."""
        mode, scenario = self._key or (MODES[0], "handshake and four-way close")
        script = SCENARIOS[scenario]
        return script if mode == MODES[0] else _script_for_one_endpoint(script)

    def _reset(self) -> None:
        mode = self._key[0] if self._key else MODES[0]
        self.model = EndpointPair(NAMES) if mode == MODES[0] else TcpEndpoint("endpoint")
        self.history = []
        self.last_step = None

    def _apply(self, action: str) -> None:
        if isinstance(self.model, EndpointPair):
            self.last_step = self.model.apply(action)
        else:
            t = self.model.handle(action)
            self.last_step = Step(len(self.history), "endpoint", action, t, tuple((s, Event.RCV_ACK) for s in t.send))
        self.history.append(action)

    def actions(self) -> list[str]:
        """Every action valid now (besides next/undo/reset)."""
        if isinstance(self.model, EndpointPair):
            return self.model.actions()
        return [e.name for e in self.model.valid_events()]

    def _step(self, action: str) -> None:
        if action == "reset":
            self._reset()
        elif action == "undo":
            replay = self.history[:-1]
            self._reset()
            for a in replay:
                self._apply(a)
        elif action == "next":
            script = self.script
            if self.history != list(script[: len(self.history)]) or len(self.history) >= len(script):
                self._reset()
            self._apply(script[len(self.history)])
        elif action:
            if action not in self.actions():
                raise ValueError(f"action must be one of {', '.join(self.actions())}; got {action!r}")
            self._apply(action)

    def update(self, **values: Any) -> None:
        """Set controls and redraw; ``action`` must be one of the actions offered now.

        Raises
        ------
        ValueError
            If a control is unknown, or ``action`` is not offered now.
        """
        if "action" in values:
            offered = [value for _label, value in self.controls["action"].options]
            mode, scenario = values.get("mode", self.controls["mode"].value), values.get(
                "scenario", self.controls["scenario"].value)
            if values["action"] not in offered and (mode, scenario) == self._key:
                raise ValueError(f"action must be one of {', '.join(repr(v) for v in offered)}; got {values['action']!r}")
        super().update(**values)

    def _set_menu(self) -> None:
        menu = ["", "next"] + (["undo", "reset"] if self.history else []) + self.actions()
        control = self.controls["action"]
        control.unobserve(self._on_change, names="value")
        try:
            control.options = [(action_label(a, self.model), a) for a in menu]
            control.value = ""
        finally:
            control.observe(self._on_change, names="value")

    # --- the static site -----------------------------------------------------------------

    def site_frames(self, values: dict[str, Any]) -> list[dict[str, Any]]:
        """One frame per step of the scenario, from the start: diagram, table of steps, and a description.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> frames = StateStepper().site_frames({"mode": "one endpoint", "scenario": "handshake and four-way close"})
        >>> frames[0]["text"]
        'Start: endpoint CLOSED. Nothing has happened yet.'
        >>> frames[1]["text"].startswith("Step 1 of ")
        True
        """
        fresh = StateStepper(values["mode"], values["scenario"])
        frames = [fresh._site_frame()]
        for _ in fresh.script:
            fresh.update(action="next")
            frames.append(fresh._site_frame())
        return frames

    def _site_frame(self) -> dict[str, Any]:
        now = ", ".join(f"{name} {ep.state.rfc_name}" for name, ep in self._endpoints().items())
        if self.last_step is None:
            text = f"Start: {now}. Nothing has happened yet."
        else:
            t = self.last_step.transition
            change = f"{t.state.rfc_name} → {t.next.rfc_name}" if t.changes_state else f"stays {t.state.rfc_name}"
            sends = f", sends {', '.join(t.send)}" if t.send else ""
            text = (f"Step {len(self.history)} of {len(self.script)}: {self.last_step.actor}: {t.event.label} "
                    f"({change}{sends}; {t.rfc}). Now: {now}.")
        return {"png": self.last_png, "html": self.last_html, "text": text}

    # --- drawing -------------------------------------------------------------------------

    def _endpoints(self) -> dict[str, TcpEndpoint]:
        if isinstance(self.model, EndpointPair):
            return dict(self.model.endpoints)
        return {"endpoint": self.model}

    def _overlay(self) -> dict[str, Any]:
        highlights, current = [], {}
        for name, ep in self._endpoints().items():
            colour = COLOURS[name]
            events = [t.event for t in ep.history]
            highlights.append(Highlight(ep.path, colour, name, events))
            where: State | str = ep.state if not ep.history else box_key(ep.history[-1])
            current[name] = (where, colour)
        emphasise = self.last_step.transition if self.last_step else None
        return {"highlights": highlights, "current": current, "emphasise": emphasise, "relabel": False,
                "legend": False, "ring_path": False}

    def _log_html(self) -> str:
        rows = []
        pair = isinstance(self.model, EndpointPair)
        steps = self.model.steps if pair else []
        if not pair:
            steps = [Step(i, "endpoint", t.event.name, t, ()) for i, t in enumerate(self.model.history)]
        for step in steps:
            t = step.transition
            change = f"{t.state.rfc_name} → {t.next.rfc_name}" if t.changes_state else f"stays {t.state.rfc_name}"
            sent = ", ".join(t.send) or "—"
            extra = []
            if t.user_error:
                extra.append(f'application sees "{t.user_error}"')
            if t.restart_2msl:
                extra.append("2MSL timer restarts")
            rows.append(
                f"<tr><td>{step.index + 1}</td><td style='color:{COLOURS[step.actor]}'><b>{step.actor}</b></td>"
                f"<td>{html.escape(t.event.label)}</td><td>{change}</td><td><b>{sent}</b></td>"
                f"<td>{html.escape(t.rfc)}</td><td>{html.escape('; '.join([t.note] + extra))}</td></tr>"
            )
        head = ("<tr><th>#</th><th>who</th><th>event</th><th>state</th><th>sends</th><th>decided by</th>"
                "<th>why</th></tr>")
        flight = ""
        if pair:
            pending = [f"{seg} → {to}" for to, segs in self.model.in_flight.items() for seg, _ in segs]
            flight = f"<p><b>In flight:</b> {', '.join(pending) if pending else 'nothing'}</p>"
        return (f"{flight}<table style='font-size:85%;border-collapse:collapse'>{head}{''.join(rows)}</table>")

    def _draw(self, mode: str, scenario: str, action: str) -> None:
        if self._key != (mode, scenario):
            self._key = (mode, scenario)
            self._reset()
        try:
            self._step(action)
        finally:
            self._set_menu()
        self.last_png = self.renderer.render(**self._overlay())
        self.last_html = self._log_html()
        if _in_ipython():
            from IPython.display import HTML, display

            encoded = base64.b64encode(self.last_png).decode("ascii")
            display(HTML(f"<img alt='TCP state diagram with each endpoint's path and current state' "
                         f"src='data:image/png;base64,{encoded}'/>{self.last_html}"))


def state_stepper(mode: str = MODES[0], scenario: str = "handshake and four-way close") -> StateStepper:
    """Build the stepper widget (notebook 01 shows it).

    Raises
    ------
    ValueError
        If ``mode`` or ``scenario`` is not one of the valid values.
    """
    return StateStepper(mode, scenario)
