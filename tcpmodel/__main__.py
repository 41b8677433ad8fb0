"""``python -m tcpmodel``: see :mod:`tcpmodel.cli`."""

import sys

from tcpmodel.cli import main

if __name__ == "__main__":
    sys.exit(main())
