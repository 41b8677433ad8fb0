"""Input validation with one message shape for the API, the CLI and widgets.

Every check raises :class:`ValueError` whose message names the parameter, the
valid range and the value received, so a learner who mistypes a slider or a
CLI flag reads what to change instead of a traceback from deep inside a model.

Examples
--------
>>> require_number("msl", 30, low=0.001, high=3600, unit="seconds")
30.0
>>> require_number("msl", -1, low=0.001, high=3600, unit="seconds")
Traceback (most recent call last):
...
ValueError: msl must be a number in [0.001, 3600] (seconds); got -1
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

__all__ = ["require_number", "require_int", "require_choice", "require_bool"]


def _fmt(x: float) -> str:
    if isinstance(x, float) and math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:g}" if isinstance(x, float) else str(x)


def _interval(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    left = "(" if low_open or low is None else "["
    right = ")" if high_open or high is None else "]"
    lo = "-inf" if low is None else _fmt(low)
    hi = "inf" if high is None else _fmt(high)
    return f"{left}{lo}, {hi}{right}"


def require_number(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    unit: str | None = None,
    allow_inf: bool = False,
) -> float:
    """Return ``value`` as a plain float, or raise ``ValueError`` naming ``name``.

    Parameters
    ----------
    name : str
        The parameter's name as the caller knows it (``"time_wait_s"``).
    value : Any
        The value to check. ``bool`` is refused: ``True`` is not a duration.
    low, high : float, optional
        Bounds of the valid range; ``None`` means unbounded.
    low_open, high_open : bool
        Whether the bound itself is excluded.
    unit : str, optional
        Shown after the range, for example ``"seconds"``.
    allow_inf : bool
        Accept ``math.inf`` (for example "no cap").

    Examples
    --------
    >>> require_number("rate", 0, low=0, low_open=True, unit="connections/s")
    Traceback (most recent call last):
    ...
    ValueError: rate must be a number in (0, inf) (connections/s); got 0
    """
    # The message is built only on failure: the simulator checks every segment's
    # parameters, and formatting an unused message would cost more than the check.
    def refuse(shown: object) -> ValueError:
        suffix = f" ({unit})" if unit else ""
        return ValueError(f"{name} must be a number in {_interval(low, high, low_open, high_open)}{suffix}; got {shown}")

    if isinstance(value, bool) or not isinstance(value, (int, float)) and not _is_numpy_number(value):
        raise refuse(repr(value))
    number = float(value)
    if math.isnan(number) or (math.isinf(number) and not allow_inf):
        raise refuse(_fmt(number))
    too_low = low is not None and (number < low or (low_open and number == low))
    too_high = high is not None and (number > high or (high_open and number == high))
    if too_low or too_high:
        raise refuse(value if isinstance(value, int) else _fmt(number))
    return number


def require_int(
    name: str,
    value: Any,
    *,
    low: int | None = None,
    high: int | None = None,
    unit: str | None = None,
) -> int:
    """Return ``value`` as an int, or raise ``ValueError`` naming ``name``.

    Floats with an integral value (``3.0``) are accepted; ``3.5`` is not.

    Examples
    --------
    >>> require_int("low", 32768, low=1, high=65535)
    32768
    >>> require_int("low", 0, low=1, high=65535)
    Traceback (most recent call last):
    ...
    ValueError: low must be an integer in [1, 65535]; got 0
    """
    def refuse(shown: object) -> ValueError:  # built only on failure, as in require_number
        suffix = f" ({unit})" if unit else ""
        return ValueError(f"{name} must be an integer in {_interval(low, high, False, False)}{suffix}; got {shown}")

    if isinstance(value, bool):
        raise refuse(repr(value))
    if isinstance(value, float) or _is_numpy_number(value):
        if not math.isfinite(float(value)) or float(value) != int(value):
            raise refuse(repr(value))
        value = int(value)
    if not isinstance(value, int):
        raise refuse(repr(value))
    if (low is not None and value < low) or (high is not None and value > high):
        raise refuse(value)
    return int(value)


def require_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``, else raise ``ValueError``.

    Examples
    --------
    >>> require_choice("closer", "A", ("A", "B"))
    'A'
    >>> require_choice("closer", "C", ("A", "B"))
    Traceback (most recent call last):
    ...
    ValueError: closer must be one of 'A', 'B'; got 'C'
    """
    options = tuple(choices)
    if value not in options:
        listed = ", ".join(repr(c) for c in options)
        raise ValueError(f"{name} must be one of {listed}; got {value!r}")
    return value


def require_bool(name: str, value: Any) -> bool:
    """Return ``value`` if it is a bool, else raise ``ValueError``.

    Examples
    --------
    >>> require_bool("time_wait", "yes")
    Traceback (most recent call last):
    ...
    ValueError: time_wait must be True or False; got 'yes'
    """
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False; got {value!r}")
    return value


def _is_numpy_number(value: Any) -> bool:
    # numpy is not imported here: a value can only be a numpy scalar if numpy
    # is already loaded, and importing it would slow `import tcpmodel`.
    module = type(value).__module__
    return module == "numpy" and hasattr(value, "dtype") and value.dtype.kind in "iuf"
