"""Validation messages name the parameter, the valid range and the value."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tcpmodel._validate import require_bool, require_choice, require_int, require_number


@pytest.mark.parametrize(
    "value, message",
    [
        (-1, r"msl must be a number in \[0.001, 3600\] \(seconds\); got -1"),
        (3601, r"got 3601"),
        (math.nan, r"got nan"),
        (math.inf, r"got inf"),
        ("30", r"got '30'"),
        (True, r"got True"),
    ],
)
def test_require_number_rejects(value, message):
    with pytest.raises(ValueError, match=message):
        require_number("msl", value, low=0.001, high=3600, unit="seconds")


def test_open_bounds_exclude_the_bound():
    with pytest.raises(ValueError, match=r"\(0, inf\)"):
        require_number("rate", 0, low=0, low_open=True)
    assert require_number("rate", 1e-9, low=0, low_open=True) == 1e-9


def test_numpy_scalars_become_plain_floats():
    result = require_number("x", np.float64(2.5), low=0)
    assert type(result) is float and result == 2.5


def test_inf_allowed_when_asked():
    assert require_number("cap", math.inf, low=0, allow_inf=True) == math.inf


@given(st.integers(min_value=1, max_value=65535))
def test_require_int_accepts_every_port(port):
    assert require_int("low", port, low=1, high=65535) == port


@pytest.mark.parametrize("value", [0, 65536, 3.5, "80", None, True])
def test_require_int_rejects(value):
    with pytest.raises(ValueError, match=r"^low must be an integer in \[1, 65535\]; got "):
        require_int("low", value, low=1, high=65535)


def test_require_int_accepts_integral_floats():
    assert require_int("n", 3.0, low=0) == 3


def test_require_choice_and_bool():
    assert require_choice("closer", "B", ("A", "B")) == "B"
    with pytest.raises(ValueError, match=r"closer must be one of 'A', 'B'; got 'client'"):
        require_choice("closer", "client", ("A", "B"))
    assert require_bool("time_wait", False) is False
    with pytest.raises(ValueError, match="time_wait must be True or False"):
        require_bool("time_wait", 1)
