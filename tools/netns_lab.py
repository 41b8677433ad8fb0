"""Private network namespaces for the root-only labs in ``tools/`` (standard library only).

``tools/root_lab.py`` and ``tools/record_captures.py`` create namespaces of
their own with ``ip netns add``, run their experiments inside them, and delete
them whatever happens. The helpers they share live here:

* :func:`can_run` says whether a lab can run on this machine, and why not;
* :func:`netns_inode` and :func:`in_private_netns` let code that is about to
  write a sysctl or change an interface refuse to do so in the host's
  namespace;
* :func:`unique_name`, :func:`add_namespace`, :func:`delete_namespace` and
  :func:`leftover_namespaces` name, create and delete namespaces under a
  prefix of the lab's own, so that a lab can find (and delete) what an
  earlier, killed run left behind without touching anyone else's;
* :func:`setns` moves the calling thread into another namespace (Python 3.11
  has no ``os.setns``).
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import time

#: clone(2) flag of a network namespace, for setns(2).
CLONE_NEWNET = 0x40000000


def can_run(lab: str, commands: tuple[tuple[str, str], ...] = (("ip", "iproute2"),), hint: str = "") -> tuple[bool, str]:
    """Whether ``lab`` can run here (Linux, root, each command present), and why not.

    ``commands`` pairs each command with the Debian package that has it;
    ``hint`` is added to the "needs root" reason.
    """
    if not sys.platform.startswith("linux"):
        return False, f"{lab} needs Linux network namespaces"
    if os.geteuid() != 0:
        return False, f"{lab} needs root (it creates network namespaces); run it with sudo{hint}"
    for command, package in commands:
        if shutil.which(command) is None:
            return False, f"{lab} needs the `{command}` command: install it with `apt-get install {package}`"
    return True, "root and " + ", ".join(c for c, _ in commands) + " are available"


def netns_inode(path: str = "/proc/thread-self/ns/net") -> int:
    """The inode that identifies a network namespace (by default the calling thread's)."""
    return os.stat(path).st_ino


def in_private_netns(host_inode: int | None) -> bool:
    """True only when the host's namespace is known and the calling thread is in another one."""
    try:
        return bool(host_inode) and netns_inode() != host_inode
    except OSError:
        return False


def unique_name(prefix: str) -> str:
    """A namespace name under ``prefix`` that no other run of this machine uses."""
    return f"{prefix}{os.getpid()}-{time.monotonic_ns() % 10**9}"


def add_namespace(name: str) -> None:
    """``ip netns add NAME`` and bring its loopback up."""
    subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True, timeout=10)
    subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True, capture_output=True, timeout=10)


def delete_namespace(name: str) -> None:
    """``ip netns delete NAME``; silent when it is already gone."""
    subprocess.run(["ip", "netns", "delete", name], check=False, capture_output=True, timeout=10)


def leftover_namespaces(prefix: str) -> list[str]:
    """Names of the namespaces ``ip netns list`` shows under ``prefix``."""
    done = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False, timeout=10)
    return [line.split()[0] for line in done.stdout.splitlines() if line.startswith(prefix)]


def setns(fd: int) -> None:
    """Move the calling thread into the network namespace open at ``fd`` (setns(2))."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns: {os.strerror(err)}")
