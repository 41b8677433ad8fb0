"""`make bench`: run every benchmark (or those whose names contain an argument)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import run_all  # noqa: E402

if __name__ == "__main__":
    sys.exit(run_all(sys.argv[1:] or None))
