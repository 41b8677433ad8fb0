"""Capture replay benchmarks (issue 14): speed, speed against tshark, and peak memory, on 1,000,000 packets.

The capture is generated once by :func:`tcpmodel.capture.synth.write_synthetic_capture`
(1,000,000 TCP packets over about 20,000 whole connections: handshake, data,
close; see its docstring for the mix) into ``$TCPMODEL_BENCH_CACHE`` (default: the system's temporary
folder, ``tcpmodel-bench/``) and reused. The replay runs in a child process,
which reports its own time and peak RSS; the same run times
``tshark -q -z conv,tcp`` on the same file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import ROOT, BenchmarkSkipped, benchmark

PACKETS = 1_000_000
SEED = 0
_CHILD = r"""
import json, resource, sys, time
from tcpmodel.capture import analyze
start = time.perf_counter()
report = analyze(sys.argv[1])
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "packets": report.summary.tcp_packets,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
_RUN: dict = {}


def capture_file() -> Path:
    """The generated 1,000,000-packet capture (written on first use)."""
    folder = Path(os.environ.get("TCPMODEL_BENCH_CACHE", Path(tempfile.gettempdir()) / "tcpmodel-bench"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"synthetic_{PACKETS}_seed{SEED}_v4.pcap"
    if not path.exists():
        sys.path.insert(0, str(ROOT))
        from tcpmodel.capture.synth import write_synthetic_capture

        partial = path.with_suffix(".partial")
        write_synthetic_capture(partial, packets=PACKETS, seed=SEED)
        partial.rename(path)
    return path


def _replay() -> dict:
    """Replay the capture once in a child process (memoised for this run)."""
    if "replay" not in _RUN:
        try:
            import dpkt  # noqa: F401
        except ImportError:
            raise BenchmarkSkipped("dpkt is not installed: pip install -r requirements.txt") from None
        path = capture_file()
        out = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, check=True,
                             cwd=ROOT).stdout
        _RUN["replay"] = json.loads(out.strip().splitlines()[-1])
    return _RUN["replay"]


@benchmark("capture:replay_packets_per_s", unit="packets/s", target=100_000, better="higher")
def replay_packets_per_s() -> float:
    """Packets replayed per second (reading, decoding, both endpoints' states, reports) on 1,000,000 packets."""
    run = _replay()
    return run["packets"] / run["seconds"]


@benchmark("capture:replay_vs_tshark", unit="ratio", target=1.0)
def replay_vs_tshark() -> float:
    """Replay seconds divided by `tshark -q -z conv,tcp -r FILE` seconds, same file, same run."""
    tshark = shutil.which("tshark")
    if tshark is None:
        raise BenchmarkSkipped("Debian's tshark is not installed: apt-get install tshark")
    run = _replay()
    path = capture_file()
    start = time.perf_counter()
    subprocess.run([tshark, "-q", "-z", "conv,tcp", "-r", str(path)], capture_output=True, check=True)
    tshark_s = time.perf_counter() - start
    return run["seconds"] / tshark_s


@benchmark("capture:peak_memory_mb", unit="MB", target=200)
def peak_memory_mb() -> float:
    """Peak RSS (MiB) of the child process that replays the 1,000,000-packet capture."""
    return _replay()["peak_mb"]
