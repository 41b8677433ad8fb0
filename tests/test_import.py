"""`import tcpmodel` must stay cheap: no plotting, widget or psutil imports."""

import subprocess
import sys

HEAVY = ("matplotlib", "ipywidgets", "psutil", "networkx.drawing", "IPython", "dpkt")


def test_import_tcpmodel_loads_no_heavy_modules():
    code = "import sys, tcpmodel; print('\\n'.join(sorted(sys.modules)))"
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())
    offenders = sorted(m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert not offenders, f"import tcpmodel pulled in {offenders}"


def test_submodules_load_on_attribute_access():
    code = "import sys, tcpmodel; assert 'tcpmodel.exercises' not in sys.modules; tcpmodel.exercises; print('tcpmodel.exercises' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "True"


def test_unknown_attribute_is_an_attribute_error():
    import pytest

    import tcpmodel

    with pytest.raises(AttributeError, match="no_such_thing"):
        tcpmodel.no_such_thing  # noqa: B018
