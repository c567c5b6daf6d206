"""Small helpers shared by the harness: ports, polling, plain-HTTP JSON calls."""

from __future__ import annotations

import json
import socket
import ssl
import time
import urllib.error
import urllib.request
from typing import Any, Callable, Optional, TypeVar

T = TypeVar("T")

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


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
