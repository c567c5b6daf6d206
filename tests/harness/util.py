"""Small helpers shared by the harness: ports, polling, plain-HTTP JSON calls."""

from __future__ import annotations

import json
import os
import random
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Callable, Optional, TypeVar

T = TypeVar("T")

LOOPBACK = "127.0.0.1"


# free_port() hands out ports below the kernel's ephemeral range, never one the kernel
# gives to bind(0) or to an outgoing connection, and under pytest-xdist each worker has a
# slice of its own. So a port stays ours while its server is down (a Synapse or a relay
# restarted on the same port): another worker, or a client connection, cannot take it
# meanwhile, as they could when ports came from bind(0).
PORTS_FROM = 10000


def _ephemeral_low() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _port_slice() -> range:
    """This process's ports: all of [PORTS_FROM, ephemeral low) or, in an xdist worker
    (PYTEST_XDIST_WORKER=gwN, also set in the processes the tests start), its Nth part."""
    ports = range(PORTS_FROM, _ephemeral_low())
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    try:
        n = int(worker.removeprefix("gw"))
        count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    except ValueError:
        return ports
    size = len(ports) // max(count, 1)
    return range(ports.start + n * size, ports.start + (n + 1) * size) if 0 <= n < count \
        else ports


_ports = _port_slice()
# from a random place in the slice: a process a test starts (scripts/demo) has the same
# slice, and had better not walk the same ports in the same order
_next = random.randrange(len(_ports)) if len(_ports) else 0
_lock = threading.Lock()


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((LOOPBACK, port))
        except OSError:
            return False
        return True


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago: the next free one of this
    process's slice (see above), each handed out once before the slice wraps around."""
    global _next
    if len(_ports) < 100:  # no room below the ephemeral range: let the kernel choose
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((LOOPBACK, 0))
            return s.getsockname()[1]
    with _lock:
        for _ in range(len(_ports)):
            port = _ports[_next]
            _next = (_next + 1) % len(_ports)
            if _bindable(port):
                return port
    raise OSError(f"no free port in {_ports.start}-{_ports.stop - 1}")


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((LOOPBACK, port))
        except OSError:
            return False
        return True


class TimeoutExpired(AssertionError):
    """A wait_for() condition did not become true in time (an assertion failure)."""


def wait_for(
    fn: Callable[[], Optional[T]],
    timeout: float = 20.0,
    interval: float = 0.2,
    what: str = "condition",
) -> T:
    """Call fn until it returns something truthy; return that value.

    Exceptions raised by fn propagate immediately. Raises TimeoutExpired after timeout.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutExpired(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


class HttpError(Exception):
    def __init__(self, status: int, body: Any):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


def http_json(
    method: str,
    url: str,
    body: Any = None,
    token: Optional[str] = None,
    timeout: float = 15.0,
    cafile: Optional[str] = None,
) -> Any:
    """One JSON request with urllib. Raises HttpError on a non-2xx answer."""
    data = None
    headers = {"Accept": "application/json"}
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    ctx = ssl.create_default_context(cafile=cafile) if url.startswith("https:") else None
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=ctx) as resp:
            raw = resp.read()
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = raw.decode(errors="replace")
        raise HttpError(e.code, parsed) from None
    return json.loads(raw) if raw else {}
