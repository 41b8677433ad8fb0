"""Shared test settings.

Hypothesis: no per-example deadline (CI shares 2 cores with notebook kernels,
so wall-clock deadlines would fail for reasons unrelated to the code), and
under CI a derandomized profile so that a red run can be reproduced exactly.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", deadline=None)
settings.register_profile(
    "ci", deadline=None, derandomize=True, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
