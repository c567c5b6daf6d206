"""A fault-injecting TCP proxy for HTTP/1.1, put between camas and the homeserver.

camas's homeserver URL points at the proxy; the proxy forwards every connection to the
upstream (Synapse) untouched until a test switches a fault on, at run time:

  reset     the upstream's response starts, then the connection is reset (RST) part way
            through its body
  stall     the request reaches the upstream, but not one byte of any answer comes back
            (the connection stays open until the client gives up)
  truncate  the response is re-sent chunked and the connection closes (FIN) before the
            last chunk: a truncated chunked body
  storm     the proxy answers 502 Bad Gateway / 503 Service Unavailable itself, every
            other time after the request did reach the upstream (a gateway that lost the
            answer of a request that took effect)
  slow      the response is trickled a few bytes at a time
  refuse    the proxy stops listening (connections are refused) and closes the open ones

A fault applies to a fraction `rate` of the new connections (all by default), optionally
only those whose request path matches the regular expression `path`; each affects the
first request of its connection (camas makes one request per connection; later requests
on a kept-alive connection pass through). Connections opened before the fault was set go
on untouched, as they would through a real network fault that starts later.

    proxy = FaultProxy("127.0.0.1", 8008).start()
    proxy.set_fault("reset", rate=0.5, path=r"/send/")
    ...
    proxy.clear()
    proxy.faulted["reset"]  # how many connections the fault was applied to

The proxy runs its own asyncio loop in a thread, so synchronous tests can drive it.
"""

from __future__ import annotations

import asyncio
import collections
import random
import re
import socket
import struct
import threading
from typing import Optional

from .util import LOOPBACK, free_port

FAULTS = ("reset", "stall", "truncate", "storm", "slow", "refuse")

_HEAD_LIMIT = 64 * 1024


class _Response:
    """One HTTP response read from the upstream: head bytes, parsed headers, body."""

    def __init__(self, head: bytes, body: bytes):
        self.head = head
        self.body = body
        self.raw = head + body
        lines = head.decode("latin-1").split("\r\n")
        self.status_line = lines[0]
        self.headers = [tuple(h.split(":", 1)) for h in lines[1:] if ":" in h]

    def head_without(self, *names: str, extra: tuple = ()) -> bytes:
        drop = {n.lower() for n in names}
        lines = [self.status_line]
        lines += [f"{k}:{v}" for k, v in self.headers if k.strip().lower() not in drop]
        lines += list(extra)
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _read_response(reader: asyncio.StreamReader) -> _Response:
    """Reads one whole response (Content-Length, chunked, or until the upstream closes).
    .body is the decoded body, .raw the bytes as they came (head included)."""
    head = await reader.readuntil(b"\r\n\r\n")
    resp = _Response(head, b"")
    raw = bytearray(head)
    fields = {k.strip().lower(): v.strip() for k, v in resp.headers}
    if "chunked" in fields.get("transfer-encoding", "").lower():
        body = bytearray()
        while True:
            size_line = await reader.readuntil(b"\r\n")
            raw += size_line
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while True:  # trailers, then the empty line
                    line = await reader.readuntil(b"\r\n")
                    raw += line
                    if line == b"\r\n":
                        break
                break
            data = await reader.readexactly(size + 2)
            raw += data
            body += data[:-2]
        resp.body = bytes(body)
    elif "content-length" in fields:
        resp.body = await reader.readexactly(int(fields["content-length"]))
        raw += resp.body
    else:
        resp.body = await reader.read()
        raw += resp.body
    resp.raw = bytes(raw)
    return resp


def _reset(writer: asyncio.StreamWriter) -> None:
    """Closes the connection with a TCP RST instead of a FIN."""
    sock = writer.get_extra_info("socket")
    try:
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    writer.transport.abort()


def _close(writer: Optional[asyncio.StreamWriter]) -> None:
    if writer is not None and not writer.is_closing():
        writer.close()


class FaultProxy:
    def __init__(self, upstream_host: str, upstream_port: int, port: Optional[int] = None,
                 seed: int = 11):
        self.upstream = (upstream_host, upstream_port)
        self.port = port or free_port()
        self.rng = random.Random(seed)
        self.fault: Optional[dict] = None
        self.connections = 0
        self.faulted: collections.Counter = collections.Counter()
        self.events: list = []  # (fault, method, path) of each faulted connection
        self._storm_count = 0
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None
        self._server: Optional[asyncio.base_events.Server] = None
        self._conns: dict = {}  # id -> [client writer, upstream writer or None, task]

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    # -- control from the test's thread ------------------------------------------------
    def _call(self, coro, timeout: float = 10.0):
        assert self._loop is not None, "the proxy is not running"
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def start(self) -> "FaultProxy":
        if self._thread is not None:
            return self
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="faultproxy",
                                        daemon=True)
        self._thread.start()
        self._call(self._listen())
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        self._call(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
        self._thread = self._loop = None

    def set_fault(self, kind: str, rate: float = 1.0, path: Optional[str] = None,
                  **params) -> None:
        """Switches a fault on (replacing any other). params: reset `keep` (fraction of
        the body sent before the reset, default 0.5); slow `chunk` bytes every `interval`
        seconds (default 24 bytes / 0.05 s); storm `retry_after` (seconds sent with the
        503s, default none)."""
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; one of {FAULTS}")
        fault = {"kind": kind, "rate": rate, "path": re.compile(path) if path else None,
                 **params}
        self._call(self._set(fault))

    def clear(self) -> None:
        """Switches faults off (and listens again after `refuse`)."""
        self._call(self._set(None))

    def __enter__(self) -> "FaultProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- on the proxy's loop ------------------------------------------------------------
    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._handle, LOOPBACK, self.port,
                                                      reuse_address=True,
                                                      limit=_HEAD_LIMIT)

    async def _unlisten(self) -> None:
        if self._server is not None:
            self._server.close()  # no wait_closed(): it would wait for open connections
            self._server = None

    async def _set(self, fault: Optional[dict]) -> None:
        self.fault = fault
        if fault and fault["kind"] == "refuse":
            await self._unlisten()
            self.faulted["refuse"] += 1
            for client, upstream, _ in list(self._conns.values()):
                _close(client)
                _close(upstream)
        else:
            await self._listen()

    async def _shutdown(self) -> None:
        await self._unlisten()
        tasks = []
        for client, upstream, task in list(self._conns.values()):
            _close(client)
            _close(upstream)
            task.cancel()
            tasks.append(task)
        if tasks:
            await asyncio.wait(tasks, timeout=5)

    def _choose(self, method: str, path: str) -> Optional[dict]:
        f = self.fault
        if not f or f["kind"] == "refuse":
            return None
        if f["path"] is not None and not f["path"].search(path):
            return None
        if f["rate"] < 1.0 and self.rng.random() >= f["rate"]:
            return None
        return f

    async def _handle(self, creader: asyncio.StreamReader,
                      cwriter: asyncio.StreamWriter) -> None:
        self.connections += 1
        entry = [cwriter, None, asyncio.current_task()]
        self._conns[id(entry)] = entry
        try:
            await self._serve(creader, cwriter, entry)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                OSError, ValueError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            _close(cwriter)
            _close(entry[1])
            self._conns.pop(id(entry), None)

    async def _serve(self, creader, cwriter, entry) -> None:
        head = await creader.readuntil(b"\r\n\r\n")
        parts = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
        method, path = (parts[0], parts[1]) if len(parts) >= 2 else ("?", "?")
        fault = self._choose(method, path)
        kind = fault["kind"] if fault else None
        if kind:
            self.faulted[kind] += 1
            self.events.append((kind, method, path.split("?")[0]))

        if kind == "storm":
            self._storm_count += 1
            if self._storm_count % 2:  # the gateway never reached the upstream
                await self._drain_request(creader, head)
                await self._storm_answer(cwriter, fault)
                return

        try:
            ureader, uwriter = await asyncio.open_connection(*self.upstream, limit=_HEAD_LIMIT)
        except OSError:
            _reset(cwriter)
            return
        entry[1] = uwriter
        uwriter.write(head)
        upload = asyncio.ensure_future(self._pipe(creader, uwriter))
        try:
            if kind is None:
                await self._pipe(ureader, cwriter)
            elif kind == "stall":
                # The upstream's answer is read and thrown away; the client waits until it
                # gives up and closes (which ends `upload`).
                sink = asyncio.ensure_future(self._pipe(ureader, None))
                await upload
                sink.cancel()
            elif kind == "slow":
                await self._pipe(ureader, cwriter, chunk=int(fault.get("chunk", 24)),
                                 interval=float(fault.get("interval", 0.05)))
            else:
                resp = await _read_response(ureader)
                if kind == "reset":
                    # the head and part of the body as the upstream framed it
                    body_len = len(resp.raw) - len(resp.head)
                    keep = len(resp.head) + int(body_len * float(fault.get("keep", 0.5)))
                    cwriter.transport.set_write_buffer_limits(0)
                    cwriter.write(resp.raw[:keep])
                    await cwriter.drain()
                    await asyncio.sleep(0.05)
                    _reset(cwriter)
                elif kind == "truncate":
                    cwriter.write(resp.head_without("content-length", "transfer-encoding",
                                                    extra=("Transfer-Encoding: chunked",)))
                    # whole chunks up to about half the body, then half of the next
                    # chunk; never the terminating zero-size chunk
                    body, sent, step = resp.body, 0, max(1, len(resp.body) // 8)
                    while sent + step <= len(body) // 2:
                        cwriter.write(b"%x\r\n%s\r\n" % (step, body[sent:sent + step]))
                        sent += step
                    rest = body[sent:sent + step]
                    cwriter.write(b"%x\r\n%s" % (len(rest), rest[:len(rest) // 2]))
                    await cwriter.drain()
                    cwriter.close()  # FIN, mid-body
                elif kind == "storm":  # the upstream took the request; its answer is lost
                    await self._storm_answer(cwriter, fault)
        finally:
            upload.cancel()

    async def _drain_request(self, creader, head: bytes) -> None:
        m = re.search(rb"\r\ncontent-length:\s*(\d+)", head, re.I)
        if m and int(m.group(1)):
            await creader.readexactly(int(m.group(1)))

    async def _storm_answer(self, cwriter, fault: dict) -> None:
        if self._storm_count % 4 < 2:
            body = (b"<html><head><title>502 Bad Gateway</title></head><body>"
                    b"<center><h1>502 Bad Gateway</h1></center></body></html>\r\n")
            head = (b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\n"
                    b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body))
        else:
            body = b'{"errcode":"M_UNKNOWN","error":"Service Unavailable"}'
            retry = fault.get("retry_after")
            head = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                    + (b"Retry-After: %d\r\n" % retry if retry is not None else b"")
                    + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body))
        cwriter.write(head + body)
        await cwriter.drain()

    async def _pipe(self, reader, writer, chunk: int = 0, interval: float = 0.0) -> None:
        """Copies reader to writer (or to nowhere) until EOF; `chunk` bytes every `interval`
        seconds when trickling."""
        while True:
            data = await reader.read(chunk or 65536)
            if not data:
                break
            if writer is None:
                continue
            writer.write(data)
            await writer.drain()
            if interval:
                await asyncio.sleep(interval)
        if writer is not None and writer.can_write_eof():
            try:
                writer.write_eof()
            except OSError:
                pass
