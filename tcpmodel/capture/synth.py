"""Synthetic captures: many whole TCP connections written as a pcap, for benchmarks and tests.

The packets are built with :mod:`struct` from fixed templates (Ethernet,
IPv4 and a TCP header with the timestamp option) and written with dpkt's
pcap writer. Checksums are left at zero: capture readers, this package's and
tshark's, do not validate them by default.

Examples
--------
>>> import tempfile, os
>>> from tcpmodel.capture import analyze
>>> path = os.path.join(tempfile.mkdtemp(), "synth.pcap")
>>> write_synthetic_capture(path, packets=220, seed=1)
220
>>> report = analyze(path)
>>> report.summary.tcp_packets, len(report.connections) > 5
(220, True)
"""

from __future__ import annotations

import random
import struct

__all__ = ["write_synthetic_capture", "connection_packets"]

_ETH = bytes.fromhex("020000000002" "020000000001" "0800")
_IP = struct.Struct("!BBHHHBBH4s4s")
_TCP = struct.Struct("!HHIIBBHHH")
_TSOPT = struct.Struct("!BBBBII")  # NOP NOP TS(8, 10) TSval TSecr
_MSS = struct.Struct("!BBH")
SYN, ACK, FIN, RST, PSH = 0x02, 0x10, 0x01, 0x04, 0x08


def _packet(src: bytes, dst: bytes, sport: int, dport: int, seq: int, ack: int, flags: int, payload: int,
            tsval: int, tsecr: int, ident: int) -> bytes:
    if flags & SYN:  # Linux's SYN options: MSS, SACK permitted, timestamps, NOP, window scale 7
        opts = _MSS.pack(2, 4, 1460) + b"\x04\x02" + struct.pack("!BBII", 8, 10, tsval & 0xFFFFFFFF,
                                                                 tsecr & 0xFFFFFFFF) + b"\x01\x03\x03\x07"
    else:
        opts = _TSOPT.pack(1, 1, 8, 10, tsval & 0xFFFFFFFF, tsecr & 0xFFFFFFFF)
    tcp = _TCP.pack(sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, (5 + len(opts) // 4) << 4, flags, 64240, 0, 0)
    total = 20 + len(tcp) + len(opts) + payload
    ip = _IP.pack(0x45, 0, total, ident & 0xFFFF, 0x4000, 64, 6, 0, src, dst)
    return _ETH + ip + tcp + opts + bytes(payload)


def connection_packets(client: tuple[bytes, int], server: tuple[bytes, int], *, isn_c: int, isn_s: int,
                       exchanges: int = 3, server_closes: bool = False, ts: int = 1000, payload: int = 100,
                       response_segments: int = 1):
    """The packets of one whole connection, in order, as ``(offset_s, bytes)``.

    Handshake, ``exchanges`` requests each answered by ``response_segments``
    data segments and ACKed, then the four-segment close started by the client
    (or the server).

    Examples
    --------
    >>> pkts = connection_packets((bytes([10, 0, 0, 1]), 40000), (bytes([10, 0, 0, 2]), 80), isn_c=1, isn_s=2)
    >>> len(pkts)
    16
    """
    (cip, cport), (sip, sport) = client, server
    out = []
    cs, ss = isn_c, isn_s
    t = 0.0
    step = 0.0005

    def c2s(flags: int, n: int = 0) -> None:
        nonlocal t
        out.append((t, _packet(cip, sip, cport, sport, cs, ss if flags & ACK else 0, flags, n, ts + int(t * 1000), ts, len(out))))
        t += step

    def s2c(flags: int, n: int = 0) -> None:
        nonlocal t
        out.append((t, _packet(sip, cip, sport, cport, ss, cs, flags, n, ts + 7 + int(t * 1000), ts + int(t * 1000), len(out))))
        t += step

    c2s(SYN)
    cs += 1
    s2c(SYN | ACK)
    ss += 1
    c2s(ACK)
    for _ in range(exchanges):
        c2s(ACK | PSH, payload)
        cs += payload
        for _ in range(response_segments):
            s2c(ACK | PSH, payload)
            ss += payload
        c2s(ACK)
    if server_closes:
        s2c(FIN | ACK)
        ss += 1
        c2s(ACK)
        c2s(FIN | ACK)
        cs += 1
        s2c(ACK)
    else:
        c2s(FIN | ACK)
        cs += 1
        s2c(ACK)
        s2c(FIN | ACK)
        ss += 1
        c2s(ACK)
    return out


def write_synthetic_capture(path, packets: int = 1_000_000, *, concurrency: int = 200, rate: float = 10_000.0,
                            clients: int = 8, seed: int = 0) -> int:
    """Write a pcap of about ``packets`` TCP packets over many whole connections; return the count written.

    Parameters
    ----------
    path : str or path-like
        Where to write (overwritten).
    packets : int
        How many packets to write (the last connections may be cut short).
    concurrency : int
        Connections open at once; their packets interleave.
    rate : float
        Packets per second of capture time.
    clients : int
        Client addresses (10.1.0.1, …); each takes ephemeral ports in turn from 32768.

    Each connection is a handshake, 1–5 requests each answered by 1–24 data
    segments and an ACK, and a close started by the client (80 %) or the
    server (20 %): about 50 packets on average, one in seven of them handshake
    and close (which take the replay's slow path). All connections go to
    10.0.0.80:80.
    seed : int
        Seeds the random exchange counts, ISNs and who closes.
    """
    import dpkt

    if not 1 <= packets <= 100_000_000:
        raise ValueError(f"packets must be an integer in [1, 100000000]; got {packets}")
    rng = random.Random(seed)
    server = (bytes([10, 0, 0, 80]), 80)
    next_port = [32768] * clients
    gap = 1.0 / rate
    written = 0
    t = 0.0
    isn_clock = 0
    active: list[list] = []  # [packets, position]
    conn = 0

    def new_connection() -> list:
        nonlocal conn, isn_clock
        c = conn % clients
        conn += 1
        port = next_port[c]
        next_port[c] = 32768 if port >= 60999 else port + 1
        isn_clock += 250_000
        pkts = connection_packets((bytes([10, 1, c >> 8, (c & 0xFF) + 1]), port), server,
                                  isn_c=isn_clock + rng.randrange(1 << 20), isn_s=rng.randrange(1 << 32),
                                  exchanges=rng.randrange(1, 6), server_closes=rng.random() < 0.2,
                                  response_segments=rng.randrange(1, 25),
                                  ts=int(t * 1000) + 1)
        return [pkts, 0]

    with open(path, "wb") as f:
        writer = dpkt.pcap.Writer(f, snaplen=262144, linktype=dpkt.pcap.DLT_EN10MB)
        write = writer.writepkt
        while written < packets:
            while len(active) < concurrency:
                active.append(new_connection())
            i = rng.randrange(len(active))
            entry = active[i]
            write(entry[0][entry[1]][1], ts=t)
            written += 1
            t += gap
            entry[1] += 1
            if entry[1] == len(entry[0]):
                active[i] = active[-1]
                active.pop()
    return written
