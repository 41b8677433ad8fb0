"""Compare capture parsers on the benchmark capture: why tcpmodel.capture uses dpkt (README, "Why each dependency is here").

Each candidate reads the first N packets (default 200,000) of the 1,000,000-packet
capture of ``bench_capture.py`` and gets every TCP segment's ports, sequence
number and flags; the time per packet is printed. Candidates:

- dpkt, whole objects: ``dpkt.pcap.Reader`` and ``dpkt.ethernet.Ethernet`` down to TCP;
- dpkt's reader alone (no decoding), to show what its framing costs;
- tcpmodel.capture's reader (dpkt for the file formats and options, headers by ``struct``);
- scapy: ``scapy.utils.RawPcapReader`` with ``Ether(...)`` layers;
- python-pcapng: ``pcapng.FileScanner`` on the same packets written as pcapng (it reads pcapng only; blocks, no decoding).

scapy and python-pcapng are in requirements-bench.txt, not in the course's
environment; a missing one is skipped with the reason. Run:
``.venv/bin/python benchmarks/compare_capture_parsers.py [N]``.
"""

from __future__ import annotations

import itertools
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_capture import capture_file  # noqa: E402


def _timed(name: str, n: int, run) -> None:  # noqa: ANN001
    try:
        start = time.perf_counter()
        count = run()
        seconds = time.perf_counter() - start
    except ImportError as exc:
        print(f"{name:48} skipped: {exc.name} is not installed (pip install -r requirements-bench.txt)")
        return
    print(f"{name:48} {seconds / count * 1e6:7.2f} µs/packet  ({count:,} packets, {count / seconds:,.0f}/s)")


def main(n: int = 200_000) -> None:
    import dpkt

    path = capture_file()

    def dpkt_objects() -> int:
        count = 0
        with open(path, "rb") as f:
            for _ts, buf in itertools.islice(dpkt.pcap.Reader(f), n):
                tcp = dpkt.ethernet.Ethernet(buf).data.data
                _ = (tcp.sport, tcp.dport, tcp.seq, tcp.flags)
                count += 1
        return count

    def dpkt_reader_only() -> int:
        with open(path, "rb") as f:
            return sum(1 for _ in itertools.islice(dpkt.pcap.Reader(f), n))

    def tcpmodel_reader() -> int:
        from tcpmodel.capture import _read

        fr, batches = _read.open_batches(path)
        seen = []

        class Enough(Exception):
            pass

        def feed(*seg) -> None:  # noqa: ANN002
            seen.append(seg[2])
            if len(seen) >= n:
                raise Enough

        try:
            _read.decode(fr, batches, feed, {})
        except Enough:
            pass
        return len(seen)

    def scapy_layers() -> int:
        import scapy.layers.inet  # noqa: F401 - binds IP and TCP under Ether
        from scapy.layers.l2 import Ether
        from scapy.utils import RawPcapReader

        count = 0
        for buf, _meta in itertools.islice(RawPcapReader(str(path)), n):
            tcp = Ether(buf).payload.payload
            _ = (tcp.sport, tcp.dport, tcp.seq, tcp.flags)
            count += 1
        return count

    def python_pcapng() -> int:
        import pcapng  # noqa: F401  (python-pcapng)

        ng = Path(tempfile.mkdtemp()) / "bench.pcapng"
        with open(path, "rb") as f, open(ng, "wb") as out:
            writer = dpkt.pcapng.Writer(out, snaplen=262144)
            for ts, buf in itertools.islice(dpkt.pcap.Reader(f), n):
                writer.writepkt(buf, ts=ts)
        from pcapng import FileScanner
        from pcapng.blocks import EnhancedPacket

        count = 0
        start = time.perf_counter()
        with open(ng, "rb") as f:
            for block in FileScanner(f):
                if isinstance(block, EnhancedPacket):
                    _ = block.packet_data
                    count += 1
        python_pcapng.seconds = time.perf_counter() - start  # type: ignore[attr-defined]
        return count

    print(f"first {n:,} packets of {path.name}")
    _timed("dpkt: pcap.Reader + Ethernet/IP/TCP objects", n, dpkt_objects)
    _timed("dpkt: pcap.Reader alone (no decoding)", n, dpkt_reader_only)
    _timed("tcpmodel.capture: reader + struct headers", n, tcpmodel_reader)
    _timed("scapy: RawPcapReader + Ether/IP/TCP layers", n, scapy_layers)
    try:
        count = python_pcapng()
        seconds = python_pcapng.seconds  # type: ignore[attr-defined]
        print(f"{'python-pcapng: FileScanner, blocks only':48} {seconds / count * 1e6:7.2f} µs/packet  "
              f"({count:,} packets, {count / seconds:,.0f}/s; pcapng copy of the same packets)")
    except ImportError as exc:
        print(f"{'python-pcapng: FileScanner, blocks only':48} skipped: {exc.name} is not installed "
              "(pip install -r requirements-bench.txt)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
