"""camas under systemd's notify protocol (Type=notify, WatchdogSec=), spoken by the real
libsystemd sd_notify to a socket the test holds as systemd would: READY=1 with a STATUS once
the first /sync is answered ("connected, 1 room, 4 plugins", sent again when a count
changes), WATCHDOG=1 kept coming from the event loop, RELOADING=1 then READY=1 around SIGHUP,
STOPPING=1 on SIGTERM."""
from __future__ import annotations

import os
import signal
import socket
import time


class NotifySocket:
    def __init__(self, path):
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.got: list[str] = []

    def wait_for(self, pred, timeout=20.0) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for m in self.got:
                if pred(m):
                    self.got.remove(m)
                    return m
            try:
                self.got.append(self.sock.recv(4096).decode())
            except socket.timeout:
                pass
        raise AssertionError(f"no such notification; got {self.got}")


def test_notify_ready_watchdog_reload_stop(make_bot, alice, tmp_path):
    room = alice.create_room(name="systemd")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}])
    ns = NotifySocket(tmp_path / "notify.sock")
    bot.camas.env = {"NOTIFY_SOCKET": ns.path, "WATCHDOG_USEC": "1000000"}
    bot.start(ready=False)

    ready = ns.wait_for(lambda m: "READY=1" in m)
    assert "STATUS=connected, 1 room, " in ready, ready
    # the plugins loaded, counted in that line or in a STATUS= update as soon as they are
    if not ready.endswith("STATUS=connected, 1 room, 4 plugins"):
        ns.wait_for(lambda m: m == "STATUS=connected, 1 room, 4 plugins")
    # ready means answering
    q = alice.send(room, "!ping")
    alice.wait_reply(room, bot.user_id, q)
    # the watchdog every half second, from the loop
    ns.got.clear()
    t0 = time.monotonic()
    for _ in range(4):
        ns.wait_for(lambda m: m == "WATCHDOG=1", timeout=3)
    assert time.monotonic() - t0 < 4

    os.kill(bot.camas.proc.pid, signal.SIGHUP)
    ns.wait_for(lambda m: m.startswith("RELOADING=1"))
    again = ns.wait_for(lambda m: "READY=1" in m, timeout=60)
    assert "STATUS=reloaded" in again, again

    assert bot.camas.stop() == 0
    ns.wait_for(lambda m: m.startswith("STOPPING=1"), timeout=5)


def test_json_logs_from_core_and_worker(make_bot, alice):
    """log.format: json reaches the worker too: every line of a running camas is one object."""
    import json
    room = alice.create_room(name="json-logs")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}], log={"format": "json"}).start()
    q = alice.send(room, "who chairs the task force?")
    alice.wait_reply(room, bot.user_id, q)
    lines = [line for line in bot.camas.log().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]
    assert {"matrix", "worker"} <= {r["area"] for r in records}, records[:5]
