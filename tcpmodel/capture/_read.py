"""Reading capture files: pcap and pcapng frames, decoded down to the TCP header.

dpkt identifies the file (its pcap file-header classes and magic numbers),
reads pcapng blocks (:class:`dpkt.pcapng.Reader`) and parses TCP options
(:func:`dpkt.tcp.parse_opts`). Classic pcap records are framed here with one
:mod:`struct` unpack each, and the link, IP and TCP headers are decoded with
:mod:`struct` as far as the replay needs them: dpkt's own per-packet objects
cost about 16 µs a packet (measured, see ``benchmarks/compare_capture_parsers.py``),
more than the whole replay budget. The file is read in chunks: memory does
not grow with its size.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator

__all__ = ["CaptureError", "LINK_TYPES", "frames", "open_frames", "open_batches", "decode", "parse_options", "SegmentTuple", "link_type_name"]

MAX_SNAPLEN = 262_144 * 4


class CaptureError(ValueError):
    """A capture file that cannot be read; the message names the file and what is wrong.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "notes.txt")
    >>> _ = open(path, "w").write("hello world")
    >>> list(frames(path))
    Traceback (most recent call last):
    ...
    tcpmodel.capture._read.CaptureError: notes.txt: not a pcap or pcapng capture (its first 4 bytes are 68656c6c, 'hell'; a pcap file starts with a1b2c3d4 or a1b23c4d in either byte order, a pcapng file with 0a0d0d0a)
    """


#: Link types the reader decodes: number → name (libpcap's LINKTYPE_/DLT_ names).
LINK_TYPES = {
    0: "NULL (BSD loopback)",
    1: "EN10MB (Ethernet; 802.1Q/802.1ad VLAN tags are read)",
    12: "RAW (raw IP, DLT_RAW on most systems)",
    14: "RAW (raw IP, DLT_RAW on OpenBSD)",
    101: "RAW (raw IP, LINKTYPE_RAW)",
    108: "LOOP (OpenBSD loopback)",
    113: "LINUX_SLL (Linux cooked capture v1)",
    228: "IPV4 (raw IPv4)",
    229: "IPV6 (raw IPv6)",
    276: "LINUX_SLL2 (Linux cooked capture v2)",
}
_LINK_NAMES = {  # a few unsupported ones a learner may meet, to name them
    9: "PPP", 105: "IEEE802_11 (Wi-Fi)", 127: "IEEE802_11_RADIOTAP (Wi-Fi)", 104: "C_HDLC",
    117: "PFLOG", 147: "USER0", 220: "USB_LINUX_MMAPPED", 249: "USBPCAP", 10: "FDDI", 50: "PPP_HDLC",
}

_PCAP_MAGICS = {  # first four bytes → (byte order, divisor)
    b"\xd4\xc3\xb2\xa1": ("<", 1e6), b"\xa1\xb2\xc3\xd4": (">", 1e6),
    b"\x4d\x3c\xb2\xa1": ("<", 1e9), b"\xa1\xb2\x3c\x4d": (">", 1e9),
}
_PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"


def _name(path: object) -> str:
    return os.path.basename(os.fspath(path)) if isinstance(path, (str, os.PathLike)) else str(path)


def link_type_name(linktype: int) -> str:
    """The name of a link type number, supported or not.

    Examples
    --------
    >>> link_type_name(113)
    'LINUX_SLL (Linux cooked capture v1)'
    >>> link_type_name(105)
    'IEEE802_11 (Wi-Fi)'
    """
    return LINK_TYPES.get(linktype) or _LINK_NAMES.get(linktype) or f"link type {linktype}"


def _unsupported(name: str, linktype: int) -> CaptureError:
    listed = ", ".join(f"{k} {v.split(' (')[0]}" for k, v in sorted(LINK_TYPES.items()))
    return CaptureError(f"{name}: unsupported link type {linktype} ({link_type_name(linktype)}); "
                        f"supported: {listed}")


class _Framing:
    """Frames of one file: ``linktype``, ``truncated`` (a message or None) and an iterator of (ts, frame)."""

    def __init__(self, path: object) -> None:
        self.name = _name(path)
        self.path = path
        self.truncated: str | None = None
        self.frames_read = 0
        self.linktype = -1
        self.format = ""
        self.size = 0
        self.position = 0
        self.last_ts: float | None = None  # time of the last frame read so far
        self.on_chunk = None  # called after each chunk of the file (a few MiB): progress, housekeeping


def open_frames(path: object) -> tuple[_Framing, Iterator[tuple[float, bytes]]]:
    """Open a capture; return its framing record and an iterator over ``(seconds, frame bytes)``.

    Raises
    ------
    CaptureError
        If the file is missing, empty, not a capture, or of an unsupported link type.
    """
    fr, batches = open_batches(path)
    return fr, (frame for batch in batches for frame in batch)


def open_batches(path: object) -> tuple[_Framing, Iterator[list]]:
    """Open a capture; return its framing record and an iterator over batches (lists) of ``(seconds, frame bytes)``.

    A batch is one chunk of the file (a few MiB); after each, ``fr.on_chunk`` is called.

    Raises
    ------
    CaptureError
        If the file is missing, empty, not a capture, or of an unsupported link type.
    """
    fr = _Framing(path)
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed by the generator
    except OSError as exc:
        raise CaptureError(f"{fr.name}: cannot be opened ({exc.strerror or exc})") from None
    try:
        fr.size = os.fstat(f.fileno()).st_size
        head = f.read(4)
        if not head:
            raise CaptureError(f"{fr.name}: the file is empty (0 bytes): not a capture")
        if head in _PCAP_MAGICS:
            return fr, _pcap_frames(fr, f, head)
        if head == _PCAPNG_MAGIC:
            return fr, _pcapng_frames(fr, f)
        printable = "".join(chr(b) if 32 <= b < 127 else "." for b in head)
        raise CaptureError(
            f"{fr.name}: not a pcap or pcapng capture (its first {len(head)} bytes are {head.hex()}, {printable!r}; "
            "a pcap file starts with a1b2c3d4 or a1b23c4d in either byte order, a pcapng file with 0a0d0d0a)")
    except BaseException:
        f.close()
        raise


def frames(path: object) -> Iterator[tuple[float, bytes]]:
    """``(seconds since the epoch, frame)`` for each record of a pcap or pcapng file.

    Raises
    ------
    CaptureError
        As :func:`open_frames`.
    """
    _fr, it = open_frames(path)
    return it


def _pcap_frames(fr: _Framing, f, head: bytes) -> Iterator[tuple[float, bytes]]:  # noqa: ANN001
    import dpkt

    rest = f.read(20)
    if len(rest) < 20:
        f.close()
        raise CaptureError(f"{fr.name}: truncated pcap file header ({4 + len(rest)} of 24 bytes): no packets")
    order, divisor = _PCAP_MAGICS[head]
    hdr = (dpkt.pcap.LEFileHdr if order == "<" else dpkt.pcap.FileHdr)(head + rest)
    fr.linktype = hdr.linktype & 0x0FFFFFFF  # the top bits may carry FCS information
    fr.format = "pcap (nanosecond)" if divisor == 1e9 else "pcap"
    if fr.linktype not in LINK_TYPES:
        f.close()
        raise _unsupported(fr.name, fr.linktype)

    def gen() -> Iterator[list]:
        unpack = struct.Struct(order + "IIII").unpack_from
        chunk = 1 << 22
        buf = b""
        pos = 0
        consumed = 24
        n = 0
        try:
            while True:
                data = f.read(chunk)
                if not data:
                    break
                buf = buf[pos:] + data if pos < len(buf) else data
                pos = 0
                end = len(buf)
                batch = []
                add = batch.append
                corrupt = False
                while pos + 16 <= end:
                    sec, frac, caplen, _orig = unpack(buf, pos)
                    stop = pos + 16 + caplen
                    if stop > end:
                        if caplen > MAX_SNAPLEN:
                            fr.truncated = (f"record {n + len(batch) + 1} claims {caplen:,} bytes, more than any "
                                            "capture snapshot length: the file is corrupt from there")
                            corrupt = True
                        break
                    add((sec + frac / divisor, buf[pos + 16:stop]))
                    consumed += stop - pos
                    pos = stop
                n += len(batch)
                if batch:
                    fr.last_ts = batch[-1][0]
                yield batch
                fr.frames_read = n
                fr.position = consumed
                if corrupt:
                    return
                if fr.on_chunk is not None:
                    fr.on_chunk()
            if pos < len(buf):
                left = len(buf) - pos
                fr.truncated = (f"the last record is cut short ({left} byte{'s' if left != 1 else ''} after "
                                f"packet {n:,})")
        finally:
            fr.frames_read = n
            fr.position = consumed
            f.close()

    return gen()


def _pcapng_frames(fr: _Framing, f) -> Iterator[tuple[float, bytes]]:  # noqa: ANN001
    import dpkt

    f.seek(0)
    try:
        reader = dpkt.pcapng.Reader(f)
    except (ValueError, dpkt.UnpackError, struct.error) as exc:
        f.close()
        raise CaptureError(f"{fr.name}: a pcapng file whose header cannot be read ({exc})") from None
    fr.linktype = reader.datalink()
    fr.format = "pcapng"
    if fr.linktype not in LINK_TYPES:
        f.close()
        raise _unsupported(fr.name, fr.linktype)

    def gen() -> Iterator[list]:
        n = 0
        batch: list = []
        try:
            it = iter(reader)
            while True:
                try:
                    ts, frame = next(it)
                except StopIteration:
                    break
                except (dpkt.UnpackError, struct.error, ValueError) as exc:
                    fr.truncated = f"a block after packet {n + len(batch):,} is cut short or corrupt ({type(exc).__name__})"
                    break
                batch.append((float(ts), frame))
                if len(batch) == 4096:
                    n += len(batch)
                    fr.last_ts = batch[-1][0]
                    yield batch
                    batch = []
                    fr.frames_read = n
                    fr.position = f.tell()
                    if fr.on_chunk is not None:
                        fr.on_chunk()
            n += len(batch)
            if batch:
                fr.last_ts = batch[-1][0]
                yield batch
        finally:
            fr.frames_read = n
            fr.position = fr.size
            f.close()

    return gen()


#: (ts, src, sport, dst, dport, seq, ack, flags, window, payload length, option bytes)
SegmentTuple = tuple


def decode(fr: _Framing, batches: Iterator[list], feed, counts: dict, table: dict | None = None) -> None:  # noqa: ANN001, C901
    """Decode frames down to TCP and call ``feed(*segment)`` for each TCP segment (see :data:`SegmentTuple`).

    Calling ``feed`` directly, rather than yielding, saves a generator step per
    packet. With ``table`` (a :class:`~tcpmodel.capture._replay.Replay`'s), the
    replay's fast path is taken here, inline, for a segment without SYN, FIN or
    RST of a connection in ESTABLISHED on both sides (it is
    ``Replay.segment``'s first branch, repeated to save a call per packet).
    ``counts`` gains ``"non_tcp"`` (frames that are not TCP over IPv4/IPv6,
    including non-first IP fragments) and ``"malformed"`` (frames too short for
    their headers).

    Examples
    --------
    >>> import os, tempfile
    >>> from tcpmodel.capture.write import frame, tcp_packet, write_packets
    >>> path = os.path.join(tempfile.mkdtemp(), "one.pcap")
    >>> _ = write_packets(path, [(1.5, frame(tcp_packet("10.0.0.1", 40000, "10.0.0.2", 80, seq=7, flags="SYN")))])
    >>> fr, batches = open_batches(path)
    >>> got = []
    >>> decode(fr, batches, lambda *seg: got.append(seg), {})
    >>> [(s[2], s[4], s[5], s[7]) for s in got]
    [(40000, 80, 7, 2)]
    """
    from_u16 = struct.Struct("!H").unpack_from
    tcp_hdr = struct.Struct("!HHIIBBH").unpack_from
    v4_tcp = struct.Struct("!BBHHHBBH4s4sHHIIBBH").unpack_from
    eth_v4_tcp = struct.Struct("!HBBHHHBBH4s4sHHIIBBH").unpack_from
    lt = fr.linktype
    non_tcp = malformed = 0
    get = table.get if table is not None else None
    try:
        for batch in batches:
            for ts, b in batch:
                # Ethernet + IPv4 without options + TCP, the common case: all three headers in one unpack
                if lt == 1 and len(b) >= 54:
                    (etype, vi, _tos, total, _id, frag, _ttl, proto, _sum, src, dst,
                     sport, dport, seq, ack, doff, flags, win) = eth_v4_tcp(b, 12)
                    common = etype == 0x0800 and vi == 0x45 and proto == 6 and not frag & 0x1FFF
                else:
                    common = False
                if common:
                    off, t, end, both = 14, 34, 14 + total, True
                else:
                    # --- link layer: find the IP header and its version ---
                    if lt == 1:
                        off = 14
                        if len(b) < 14:
                            malformed += 1
                            continue
                        etype = (b[12] << 8) | b[13]
                        while etype in (0x8100, 0x88A8, 0x9100) and len(b) >= off + 4:
                            etype = (b[off + 2] << 8) | b[off + 3]
                            off += 4
                        if etype != 0x0800 and etype != 0x86DD:
                            non_tcp += 1
                            continue
                    elif lt == 113:
                        off = 16
                        if len(b) < 16:
                            malformed += 1
                            continue
                        etype = (b[14] << 8) | b[15]
                        if etype != 0x0800 and etype != 0x86DD:
                            non_tcp += 1
                            continue
                    elif lt == 276:
                        off = 20
                        if len(b) < 20:
                            malformed += 1
                            continue
                        etype = (b[0] << 8) | b[1]
                        if etype != 0x0800 and etype != 0x86DD:
                            non_tcp += 1
                            continue
                    elif lt == 0 or lt == 108:
                        off = 4
                        if len(b) < 4:
                            malformed += 1
                            continue
                        fam = b[0] | b[3]  # AF_ value in either byte order (the other bytes are 0)
                        if fam not in (2, 10, 24, 28, 30):
                            non_tcp += 1
                            continue
                    else:  # raw IP
                        off = 0
                    if len(b) < off + 20:
                        malformed += 1
                        continue
                    version = b[off] >> 4
                    # --- IP ---
                    both = b[off] == 0x45 and len(b) >= off + 40
                    if both:  # IPv4 without options: both headers in one unpack
                        (_vi, _tos, total, _id, frag, _ttl, proto, _sum, src, dst,
                         sport, dport, seq, ack, doff, flags, win) = v4_tcp(b, off)
                        if proto != 6 or frag & 0x1FFF:  # not TCP, or not the first fragment
                            non_tcp += 1
                            continue
                        t = off + 20
                        end = off + total
                    elif version == 4:
                        ihl = (b[off] & 0x0F) * 4
                        if b[off + 9] != 6:
                            non_tcp += 1
                            continue
                        if (b[off + 6] & 0x1F) or b[off + 7]:  # not the first fragment
                            non_tcp += 1
                            continue
                        total = from_u16(b, off + 2)[0]
                        src = b[off + 12:off + 16]
                        dst = b[off + 16:off + 20]
                        t = off + ihl
                        end = off + total
                    elif version == 6:
                        if len(b) < off + 40:
                            malformed += 1
                            continue
                        nxt = b[off + 6]
                        end = off + 40 + from_u16(b, off + 4)[0]
                        src = b[off + 8:off + 24]
                        dst = b[off + 24:off + 40]
                        t = off + 40
                        while nxt in (0, 43, 60, 44) and len(b) >= t + 8:
                            if nxt == 44 and ((b[t + 2] << 8 | b[t + 3]) & 0xFFF8):  # non-first fragment
                                nxt = -1
                                break
                            nxt, t = b[t], t + (8 if nxt == 44 else (b[t + 1] + 1) * 8)
                        if nxt != 6:
                            non_tcp += 1
                            continue
                    else:
                        non_tcp += 1
                        continue
                # --- TCP ---
                if not both:
                    if len(b) < t + 20:
                        malformed += 1
                        continue
                    sport, dport, seq, ack, doff, flags, win = tcp_hdr(b, t)
                hl = (doff >> 4) * 4
                paylen = end - t - hl
                if paylen < 0:
                    paylen = 0
                if get is not None and not flags & 7:
                    entry = get((src, sport, dst, dport))
                    if entry is not None:
                        conn = entry[0]
                        if conn.fast:  # Replay.segment's fast path, for the next segment in order
                            s = conn.sides[entry[1]]
                            if seq == s.snd_nxt:
                                conn.packets += 1
                                conn.t_last = ts
                                s.seen += 1
                                s.snd_nxt = (seq + paylen) & 0xFFFFFFFF
                                if flags & 0x10:
                                    s.rcv_nxt = ack
                                    s.wnd = win << s.wscale
                                continue
                feed(ts, src, sport, dst, dport, seq, ack, flags, win, paylen, b[t + 20:t + hl] if hl > 20 else b"")
    finally:
        counts["non_tcp"] = counts.get("non_tcp", 0) + non_tcp
        counts["malformed"] = counts.get("malformed", 0) + malformed


_TS_FIRST = b"\x01\x01\x08\x0a"
_TS_UNPACK = struct.Struct("!II").unpack_from
_LINUX_SYN_MID = b"\x04\x02\x08\x0a"
_LINUX_SYN_UNPACK = struct.Struct("!HxxxxII").unpack_from


def parse_options(raw: bytes) -> dict:
    """The TCP options the replay reads: ``mss``, ``wscale``, ``sack_ok``, ``sack`` (blocks), ``tsval``, ``tsecr``.

    Examples
    --------
    >>> parse_options(bytes.fromhex("020405b4" "0402" "080a0000000100000000" "01" "030307"))
    {'mss': 1460, 'sack_ok': True, 'tsval': 1, 'tsecr': 0, 'wscale': 7}
    >>> parse_options(bytes.fromhex("020405b4" "01" "030307" "0402" "080a0000000100000000" "0000"))  # other order
    {'mss': 1460, 'wscale': 7, 'sack_ok': True, 'tsval': 1, 'tsecr': 0}
    """
    if not raw:
        return {}
    if len(raw) == 12 and raw[:4] == _TS_FIRST:  # the usual layout after the handshake: NOP NOP TS
        tsval, tsecr = _TS_UNPACK(raw, 4)
        return {"tsval": tsval, "tsecr": tsecr}
    if len(raw) == 20 and raw[:2] == b"\x02\x04" and raw[4:8] == _LINUX_SYN_MID and raw[16:19] == b"\x01\x03\x03":
        # Linux's SYN layout: MSS, SACK permitted, timestamps, NOP, window scale
        mss, tsval, tsecr = _LINUX_SYN_UNPACK(raw, 2)
        return {"mss": mss, "sack_ok": True, "tsval": tsval, "tsecr": tsecr, "wscale": min(raw[19], 14)}
    import dpkt

    out: dict = {}
    for opt in dpkt.tcp.parse_opts(raw):
        if opt is None:
            break
        kind, data = opt
        if kind == 2 and len(data) == 2:
            out["mss"] = struct.unpack("!H", data)[0]
        elif kind == 3 and len(data) == 1:
            out["wscale"] = min(data[0], 14)
        elif kind == 4:
            out["sack_ok"] = True
        elif kind == 5 and len(data) >= 8:
            out["sack"] = [struct.unpack_from("!II", data, i) for i in range(0, len(data) - 7, 8)]
        elif kind == 8 and len(data) == 8:
            out["tsval"], out["tsecr"] = struct.unpack("!II", data)
    return out
