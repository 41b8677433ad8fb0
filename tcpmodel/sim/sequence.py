"""Sequence space: modular arithmetic, ISNs, the acceptability test, timestamps and PAWS.

Theory of operation
-------------------
TCP sequence numbers live in a circle of 2**32 values (RFC 9293 §3.4), so
"before" and "after" are decided by the sign of the 32-bit difference, as
Linux's ``before()``/``after()`` in ``include/net/tcp.h`` do.

* :class:`IsnGenerator` chooses initial sequence numbers. The ``"rfc6528"``
  policy (named after the RFC that introduced it) is RFC 9293 §3.4.1:
  ``ISN = M + F(localip, localport, remoteip, remoteport, secretkey)`` where
  ``M`` is a clock ticking every 4 µs and ``F`` a keyed pseudorandom function. For one
  4-tuple ``F`` is constant, so a later incarnation of the same 4-tuple
  starts higher in sequence space by exactly ``(t2 - t1) / 4 µs``
  (:func:`isn_advance`): unpredictable to an outsider, but not random
  between incarnations. Linux adds a 64 ns clock instead
  (:data:`LINUX_ISN_CLOCK_TICK`). ``"fixed"`` gives every incarnation the
  same ISN (the textbook case of a fast connection whose sequence numbers
  outran the ISN clock, RFC 1337 §1). ``"random"`` draws a seeded random ISN
  per incarnation: a hypothetical policy that no RFC specifies, kept to
  compare against.
* :func:`time_wait_accepts_syn` is Linux's test for a new SYN that reaches a
  TIME_WAIT socket (``tcp_timewait_state_process`` in
  ``net/ipv4/tcp_minisocks.c``), and :data:`LINUX_TW_ISN_OFFSET` the offset
  of the ISN it gives the new connection.
* :func:`acceptable` is the segment acceptability test of RFC 9293 §3.10.7.4
  (Table 6).
* :class:`TimestampClock` and :func:`paws_reject` implement the timestamp
  option and PAWS of RFC 7323 §5.3 (test R1, without the 24-day idle rule; the section is
  inferred, RFC 7323's text was not read, RFC 1323 §4.2.1 has the rule).

Examples
--------
>>> acceptable(seg_seq=301, seg_len=100, rcv_nxt=101, rcv_wnd=65535)
True
>>> acceptable(seg_seq=301, seg_len=100, rcv_nxt=401, rcv_wnd=65535)
False
>>> seq_lt(2**32 - 1, 0)   # 0 comes just after 2**32 - 1 on the circle
True
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

from tcpmodel._validate import require_choice, require_int, require_number

__all__ = [
    "MOD",
    "seq_add",
    "seq_diff",
    "seq_lt",
    "seq_le",
    "acceptable",
    "IsnGenerator",
    "ISN_POLICIES",
    "ISN_CLOCK_TICK",
    "LINUX_ISN_CLOCK_TICK",
    "LINUX_TW_ISN_OFFSET",
    "isn_advance",
    "time_wait_accepts_syn",
    "TimestampClock",
    "paws_reject",
]

#: Size of the sequence space (RFC 9293 §3.4: numbers are taken modulo 2**32).
MOD = 2**32
_HALF = 2**31
#: RFC 9293 §3.4.1: "M is the 4 microsecond timer".
ISN_CLOCK_TICK = 4e-6
#: Linux ``seq_scale()`` (``net/core/secure_seq.c``) adds ``ktime_get_real_ns() >> 6``: a 2**6 ns = 64 ns clock.
LINUX_ISN_CLOCK_TICK = 2**6 * 1e-9
#: Linux ``tcp_timewait_state_process()``: a SYN accepted in TIME_WAIT gets ``isn = tw_snd_nxt + 65535 + 2``.
LINUX_TW_ISN_OFFSET = 65535 + 2
#: Policies :class:`IsnGenerator` knows.
ISN_POLICIES = ("rfc6528", "fixed", "random")


def seq_add(a: int, n: int) -> int:
    """``a + n`` in sequence space.

    Examples
    --------
    >>> seq_add(2**32 - 1, 2)
    1
    """
    return (a + n) % MOD


def seq_diff(a: int, b: int) -> int:
    """Signed distance ``a - b`` on the sequence circle, in ``[-2**31, 2**31)``.

    Examples
    --------
    >>> seq_diff(5, 2**32 - 5)
    10
    """
    d = (a - b) % MOD
    return d - MOD if d >= _HALF else d


def seq_lt(a: int, b: int) -> bool:
    """True if ``a`` comes before ``b`` (Linux ``before(a, b)``).

    Examples
    --------
    >>> seq_lt(100, 101), seq_lt(101, 100)
    (True, False)
    """
    return seq_diff(a, b) < 0


def seq_le(a: int, b: int) -> bool:
    """True if ``a`` is ``b`` or comes before it.

    Examples
    --------
    >>> seq_le(7, 7)
    True
    """
    return seq_diff(a, b) <= 0


def _in_window(x: int, low: int, size: int) -> bool:
    """``low <= x < low + size`` in sequence space."""
    return 0 <= (x - low) % MOD < size


def acceptable(seg_seq: int, seg_len: int, rcv_nxt: int, rcv_wnd: int) -> bool:
    """The segment acceptability test of RFC 9293 §3.10.7.4, Table 6.

    ``seg_len`` counts the payload octets plus one for SYN and one for FIN.

    ========  ========  ===========================================================
    SEG.LEN   RCV.WND   acceptable when
    ========  ========  ===========================================================
    0         0         SEG.SEQ = RCV.NXT
    0         >0        RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
    >0        0         never
    >0        >0        the first or the last octet lies in [RCV.NXT, RCV.NXT+RCV.WND)
    ========  ========  ===========================================================

    Parameters
    ----------
    seg_seq, seg_len : int
        The arriving segment's sequence number and length.
    rcv_nxt, rcv_wnd : int
        The receiver's next expected sequence number and its window.

    Examples
    --------
    >>> acceptable(100, 0, 100, 0), acceptable(101, 0, 100, 0)
    (True, False)
    >>> acceptable(50, 100, 100, 1000)   # the last octet 149 is in the window
    True
    >>> acceptable(100, 1, 100, 0)
    False
    """
    if seg_len < 0 or rcv_wnd < 0:
        raise ValueError(f"seg_len and rcv_wnd must be integers in [0, inf); got {seg_len}, {rcv_wnd}")
    if seg_len == 0:
        if rcv_wnd == 0:
            return seg_seq % MOD == rcv_nxt % MOD
        return _in_window(seg_seq, rcv_nxt, rcv_wnd)
    if rcv_wnd == 0:
        return False
    return _in_window(seg_seq, rcv_nxt, rcv_wnd) or _in_window(seq_add(seg_seq, seg_len - 1), rcv_nxt, rcv_wnd)


@dataclass(frozen=True)
class IsnGenerator:
    """Initial sequence numbers, as RFC 9293 §3.4.1 chooses them (or fixed, or random), reproducible from a seed.

    Parameters
    ----------
    policy : {"rfc6528", "fixed", "random"}
        ``"rfc6528"``: a 4 µs clock plus a keyed hash of the 4-tuple
        (RFC 9293 §3.4.1), so incarnations of one 4-tuple are
        :func:`isn_advance` apart. ``"fixed"``: always ``fixed``.
        ``"random"``: a seeded random number per call, a hypothetical policy
        (no RFC or kernel chooses ISNs this way).
    seed : int
        Seeds the secret key (``"rfc6528"``) or the random draws.
    fixed : int
        The ISN of the ``"fixed"`` policy.

    Examples
    --------
    >>> gen = IsnGenerator("rfc6528", seed=1)
    >>> tup = ("10.0.0.1", 40000, "10.0.0.2", 80)
    >>> later, first = gen.isn(1.0, tup), gen.isn(0.0, tup)
    >>> seq_diff(later, first)   # one second of a 4 µs clock
    250000
    >>> IsnGenerator("fixed", fixed=100).isn(7.0, tup)
    100
    """

    policy: str = "rfc6528"
    seed: int = 0
    fixed: int = 100

    def __post_init__(self) -> None:
        require_choice("isn", self.policy, ISN_POLICIES)
        require_int("seed", self.seed, low=0, high=2**63 - 1)
        require_int("isn_fixed", self.fixed, low=0, high=MOD - 1)

    def offset(self, four_tuple: tuple) -> int:
        """F(4-tuple, secret): a keyed hash, constant for one 4-tuple (RFC 9293 §3.4.1)."""
        key = self.seed.to_bytes(8, "big")
        digest = hashlib.blake2b(repr(tuple(four_tuple)).encode(), key=key, digest_size=4).digest()
        return int.from_bytes(digest, "big")

    def isn(self, t: float, four_tuple: tuple, draw: int = 0) -> int:
        """The ISN for a connection opened at time ``t`` (seconds) on ``four_tuple``.

        ``draw`` distinguishes successive draws of the ``"random"`` policy.
        """
        require_number("t", t, low=0)
        if self.policy == "fixed":
            return self.fixed
        if self.policy == "random":
            return random.Random(f"{self.seed}/{four_tuple}/{draw}").randrange(MOD)
        clock = int(round(t / ISN_CLOCK_TICK))
        return (clock + self.offset(four_tuple)) % MOD


def isn_advance(elapsed_s: float, tick_s: float = ISN_CLOCK_TICK) -> int:
    """How far the clock-driven ISN of one 4-tuple moves in ``elapsed_s`` seconds, modulo 2**32.

    ``ISN = M + F(4-tuple, secret)`` with ``F`` the same for every incarnation
    of the 4-tuple (RFC 9293 §3.4.1), so two incarnations opened ``elapsed_s``
    apart have ISNs exactly ``elapsed_s / tick_s`` apart: 4 µs ticks in the
    RFC, 64 ns in Linux (:data:`LINUX_ISN_CLOCK_TICK`).

    Examples
    --------
    >>> isn_advance(1.0)                        # RFC 9293: 250,000 per second
    250000
    >>> isn_advance(1.0, LINUX_ISN_CLOCK_TICK)  # Linux: 15,625,000 per second
    15625000
    >>> gen, tup = IsnGenerator("rfc6528", seed=3), ("10.0.0.1", 40000, "10.0.0.2", 80)
    >>> seq_diff(gen.isn(2.5, tup), gen.isn(0.5, tup)) == isn_advance(2.0)
    True
    """
    require_number("elapsed_s", elapsed_s, low=0, unit="seconds")
    require_number("tick_s", tick_s, low=1e-12, high=1.0, unit="seconds")
    return int(round(elapsed_s / tick_s)) % MOD


def time_wait_accepts_syn(seg_seq: int, rcv_nxt: int, *, tsval: int | None = None,
                          ts_recent: int | None = None) -> str | None:
    """Why Linux accepts a SYN (no ACK, no RST) that reaches a TIME_WAIT socket, or None.

    ``tcp_timewait_state_process()`` (``net/ipv4/tcp_minisocks.c``, Linux
    6.18) returns ``TCP_TW_SYN`` when PAWS does not reject the SYN and either
    its sequence number is after the old RCV.NXT or it carries a timestamp
    newer than the last one seen (the idea of RFC 6191). That two-branch test
    is Linux's own. The BSD heuristic is FreeBSD's ``tcp_twcheck()``, which
    tests the sequence number alone (its PAWS check is compiled out with
    ``#if 0``; ``tcpmodel.facts``, "syn_in_time_wait").
    Neither is what RFC 9293 §3.6.1 (MAY-2) asks: that rule is about the ISN
    the TIME_WAIT host chooses, see :data:`LINUX_TW_ISN_OFFSET`.

    This function is the test alone. Linux then takes the SYN only if a
    socket listens on the port (``tcp_v4_rcv()`` in ``net/ipv4/tcp_ipv4.c``;
    with no listener it is ACKed, ``TCP_TW_ACK``); the simulator takes it
    whether or not a ``listen()`` is pending (:mod:`tcpmodel.sim.engine`).

    Returns
    -------
    str or None
        ``"sequence"`` (SEG.SEQ after RCV.NXT, tested first, as in the
        kernel), ``"timestamp"`` (otherwise, a newer TSval), or None: not
        accepted, the SYN gets an ACK.

    Examples
    --------
    >>> time_wait_accepts_syn(1000, 500)
    'sequence'
    >>> time_wait_accepts_syn(400, 500, tsval=20, ts_recent=10)
    'timestamp'
    >>> time_wait_accepts_syn(400, 500, tsval=10, ts_recent=10) is None   # same ms, lower sequence
    True
    >>> time_wait_accepts_syn(1000, 500, tsval=9, ts_recent=10) is None   # PAWS rejects it first
    True
    """
    if paws_reject(tsval, ts_recent):
        return None
    if seq_lt(rcv_nxt, seg_seq):  # tested first, as in the kernel
        return "sequence"
    if tsval is not None and ts_recent is not None and seq_lt(ts_recent, tsval):
        return "timestamp"
    return None


@dataclass(frozen=True)
class TimestampClock:
    """A TCP timestamp clock (RFC 7323 §5.4, inferred; RFC 1323 §4.2.2): ``TSval = offset + t·hz`` modulo 2**32.

    Linux 6.12 ticks once per millisecond (``tcp_time_stamp_ms()`` in
    ``include/net/tcp.h``; microseconds for a socket with the ``usec_ts``
    flag) and adds an offset that is a keyed hash of the addresses and ports
    (``secure_tcp_seq_and_ts_off()`` in ``net/core/secure_seq.c``, Debian's
    6.12.117, which carries commit 165573e41f2f; before that commit, from
    Linux 4.11, it hashed the addresses only, one offset per pair of hosts:
    inferred from the commit's message). ``hz`` and ``offset`` model both.

    Examples
    --------
    >>> TimestampClock(offset=1000, hz=1000).tsval(2.5)
    3500
    """

    offset: int = 0
    hz: float = 1000.0

    def __post_init__(self) -> None:
        require_int("ts_offset", self.offset, low=0, high=MOD - 1)
        require_number("ts_hz", self.hz, low=1, high=1e9)

    def tsval(self, t: float) -> int:
        """The timestamp value sent at time ``t``."""
        return (self.offset + int(t * self.hz)) % MOD


def paws_reject(tsval: int | None, ts_recent: int | None, *, rst: bool = False) -> bool:
    """RFC 7323 §5.3 R1 (section inferred, see below): reject a segment whose TSval is older than TS.Recent.

    A RST is never rejected by PAWS (RFC 7323 §5.3 R1: "...and the RST bit is
    not set", inferred: as a third-party audit quotes RFC 7323, whose text was
    not read; RFC 1323 §4.2.1's R1 has no RST clause). Without a timestamp on either side there is nothing to test.

    Examples
    --------
    >>> paws_reject(tsval=900, ts_recent=1000)
    True
    >>> paws_reject(tsval=1000, ts_recent=1000), paws_reject(900, 1000, rst=True)
    (False, False)
    """
    if rst or tsval is None or ts_recent is None:
        return False
    return seq_lt(tsval, ts_recent)
