"""Writing captures: a simulator Trace as a pcap, and TCP/IP packets framed for any supported link type.

Used by the tests (a capture written from a simulated run must replay to the
same endpoint states) and by notebook 10, to put a simulated run and a real
capture through the same analysis.

Examples
--------
>>> pkt = tcp_packet("10.0.0.1", 40000, "10.0.0.2", 80, seq=1, ack=0, flags="SYN", tsval=5)
>>> len(pkt), pkt[0] >> 4
(52, 4)
>>> len(frame(pkt, 113))  # a Linux cooked (SLL) header in front
68
"""

from __future__ import annotations

import ipaddress
import os
import struct

__all__ = ["tcp_packet", "frame", "write_packets", "write_trace_pcap"]

_FLAG_BITS = {"FIN": 0x01, "SYN": 0x02, "RST": 0x04, "PSH": 0x08, "ACK": 0x10}


def _flag_bits(flags: str | int) -> int:
    if isinstance(flags, int):
        return flags
    bits = 0
    for part in flags.split("+"):
        if part not in _FLAG_BITS:
            raise ValueError(f"flags must be names from {sorted(_FLAG_BITS)} joined by '+'; got {flags!r}")
        bits |= _FLAG_BITS[part]
    return bits


def tcp_packet(src: str, sport: int, dst: str, dport: int, *, seq: int, ack: int = 0, flags: str | int = "ACK",
               payload: int = 0, window: int = 65535, tsval: int | None = None, tsecr: int = 0, mss: int | None = None,
               wscale: int | None = None, sack_ok: bool = False) -> bytes:
    """An IPv4 or IPv6 packet (chosen by the addresses) carrying one TCP segment; checksums are zero."""
    opts = b""
    if mss is not None:
        opts += struct.pack("!BBH", 2, 4, mss)
    if sack_ok:
        opts += b"\x04\x02"
    if tsval is not None:
        opts += struct.pack("!BBII", 8, 10, tsval % 2**32, tsecr % 2**32)
    if wscale is not None:
        opts += struct.pack("!BBB", 3, 3, wscale)
    opts += b"\x01" * (-len(opts) % 4)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq % 2**32, ack % 2**32, (5 + len(opts) // 4) << 4,
                      _flag_bits(flags), window, 0, 0) + opts + bytes(payload)
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if s.version == 4:
        return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, s.packed, d.packed) + tcp
    return struct.pack("!IHBB16s16s", 6 << 28, len(tcp), 6, 64, s.packed, d.packed) + tcp


def frame(ip: bytes, linktype: int = 1, *, vlan: int | None = None, byte_order: str = "<") -> bytes:
    """Put a link-layer header for ``linktype`` in front of an IP packet (``byte_order`` for NULL's family field)."""
    v6 = ip[0] >> 4 == 6
    etype = 0x86DD if v6 else 0x0800
    if linktype == 1:
        head = bytes.fromhex("020000000002020000000001")
        if vlan is not None:
            head += struct.pack("!HH", 0x8100, vlan)
        return head + struct.pack("!H", etype) + ip
    if linktype == 113:
        return struct.pack("!HHH8sH", 0, 772, 6, b"\0" * 8, etype) + ip
    if linktype == 276:
        return struct.pack("!HHIHBB8s", etype, 0, 1, 772, 0, 6, b"\0" * 8) + ip
    if linktype in (0, 108):
        fam = 30 if v6 else 2
        return struct.pack((">" if linktype == 108 else byte_order) + "I", fam) + ip
    if linktype in (12, 14, 101, 228, 229):
        return ip
    raise ValueError(f"linktype must be one of 0, 1, 12, 14, 101, 108, 113, 228, 229, 276; got {linktype!r}")


def write_packets(path, packets, *, linktype: int = 1, fmt: str = "pcap", byte_order: str = "<",  # noqa: ANN001
                  nano: bool = False) -> int:
    """Write ``(seconds, frame bytes)`` pairs as pcap (either byte order, µs or ns) or pcapng; return the count."""
    import dpkt

    n = 0
    with open(path, "wb") as f:
        if fmt == "pcapng":
            w = dpkt.pcapng.Writer(f, snaplen=262144, linktype=linktype)
            for ts, buf in packets:
                w.writepkt(buf, ts=ts)
                n += 1
            return n
        if fmt != "pcap":
            raise ValueError(f"fmt must be one of 'pcap', 'pcapng'; got {fmt!r}")
        magic = 0xA1B23C4D if nano else 0xA1B2C3D4
        f.write(struct.pack(byte_order + "IHHiIII", magic, 2, 4, 0, 0, 262144, linktype))
        scale = 10**9 if nano else 10**6
        for ts, buf in packets:
            ticks = round(ts * scale)
            f.write(struct.pack(byte_order + "IIII", ticks // scale, ticks % scale, len(buf), len(buf)) + buf)
            n += 1
    return n


def write_trace_pcap(trace, path, *, client: str = "10.0.0.1", server: str = "10.0.0.2", client_port: int = 40000,  # noqa: ANN001
                     server_port: int = 80, linktype: int = 1, start: float = 1_700_000_000.0) -> int:
    """Write a simulator :class:`~tcpmodel.sim.trace.Trace` as a capture taken at each receiver.

    Each segment that arrived is written at its arrival time (A is the client,
    B the server), so the capture shows what each endpoint received; segments
    the network lost are left out. Returns the number of packets written.

    Examples
    --------
    >>> import os, tempfile
    >>> from tcpmodel.sim import simulate
    >>> write_trace_pcap(simulate("normal_close", msl=1.0), os.path.join(tempfile.mkdtemp(), "t.pcap"))
    7
    """
    ends = {"A": (client, client_port), "B": (server, server_port)}
    rows = []
    for seg in trace.segments:
        if seg.t_arrived is None:
            continue
        (src, sport), (dst, dport) = ends[seg.src], ends[seg.dst]
        pkt = tcp_packet(src, sport, dst, dport, seq=seg.seq, ack=seg.ack, flags=seg.flags, payload=seg.length,
                         tsval=seg.tsval, tsecr=seg.tsecr or 0)
        rows.append((seg.t_arrived, seg.index, frame(pkt, linktype)))
    rows.sort(key=lambda r: (r[0], r[1]))
    return write_packets(os.fspath(path), [(start + t, buf) for t, _i, buf in rows], linktype=linktype)
