"""Appservice helpers: a Synapse with appservice registrations, the wsproxy relay
(tests/relay/wsproxy_relay.py) as a subprocess, and small clients that talk to the
appservice endpoints directly."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Optional, Sequence

import yaml

from .camas import REPO_ROOT
from .synapse import Synapse
from .util import LOOPBACK, HttpError, TimeoutExpired, free_port, http_json, port_is_free, wait_for

RELAY_SCRIPT = REPO_ROOT / "tests" / "relay" / "wsproxy_relay.py"
WS_SYNC_PATH = "/_matrix/client/unstable/fi.mau.as_sync"


def load_registration(path: os.PathLike) -> dict:
    return yaml.safe_load(Path(path).read_text())


class AppserviceSynapse(Synapse):
    """A Synapse that loads the given appservice registration files at start-up.

    The files must exist before start(); they are read again on every (re)start."""

    def __init__(self, data_dir: os.PathLike, registrations: Sequence[os.PathLike],
                 **kw):
        self.registrations = [str(Path(p).resolve()) for p in registrations]
        super().__init__(data_dir, **kw)

    def _write_config(self) -> None:
        super()._write_config()
        cfg = json.loads(self.config_path.read_text())
        cfg["app_service_config_files"] = self.registrations
        self.config_path.write_text(json.dumps(cfg, indent=2) + "\n")

    def appservice_ping(self, registration: dict, transaction_id: Optional[str] = None,
                        timeout: float = 15.0) -> dict:
        """POST /_matrix/client/v1/appservice/{id}/ping as the appservice: Synapse pings
        the appservice's URL and, if that works, retries its queued transactions now
        instead of waiting for its back-off timer."""
        body = {"transaction_id": transaction_id} if transaction_id else {}
        return http_json(
            "POST",
            f"{self.url}/_matrix/client/v1/appservice/"
            f"{urllib.parse.quote(registration['id'])}/ping",
            body, token=registration["as_token"], timeout=timeout)


class Relay:
    """tests/relay/wsproxy_relay.py as a process; kill() is kill -9, start() again reuses
    the port. Its stderr goes to `log_path` (appended across restarts)."""

    def __init__(self, workdir: os.PathLike, appservice_id: str, as_token: str,
                 hs_token: str, port: Optional[int] = None, python: str = sys.executable):
        self.dir = Path(workdir).resolve()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.appservice_id = appservice_id
        self.as_token = as_token
        self.hs_token = hs_token
        self.python = python
        self.log_path = self.dir / "relay.log"
        self.proc: Optional[subprocess.Popen] = None
        self._log_offset = 0
        self.starts = 0

    @classmethod
    def for_registration(cls, workdir: os.PathLike, registration: dict,
                         port: Optional[int] = None) -> "Relay":
        return cls(workdir, registration["id"], registration["as_token"],
                   registration["hs_token"], port=port)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{LOOPBACK}:{self.port}"

    def start(self, timeout: float = 15.0) -> "Relay":
        if self.alive:
            raise RuntimeError("relay is already running")
        wait_for(lambda: port_is_free(self.port), timeout=timeout,
                 what=f"port {self.port} to be free for the relay")
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        env = dict(os.environ, LISTEN_ADDRESS=f"{LOOPBACK}:{self.port}",
                   APPSERVICE_ID=self.appservice_id, AS_TOKEN=self.as_token,
                   HS_TOKEN=self.hs_token, PYTHONUNBUFFERED="1")
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.python, str(RELAY_SCRIPT)], cwd=self.dir,
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     env=env, start_new_session=True)
        log.close()
        self.starts += 1
        self.wait_log(r"listening on", timeout=timeout)
        return self

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """kill -9."""
        if self.alive:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_since_start(self) -> str:
        if not self.log_path.exists():
            return ""
        with open(self.log_path, "rb") as f:
            f.seek(self._log_offset)
            return f.read().decode(errors="replace")

    def tail(self, n: int = 60) -> str:
        return "\n".join(self.log().splitlines()[-n:])

    def count(self, pattern: str, since_start: bool = True) -> int:
        text = self.log_since_start() if since_start else self.log()
        return len(re.findall(pattern, text))

    def wait_log(self, pattern: str, timeout: float = 20.0, since_start: bool = True,
                 count: int = 1) -> str:
        rx = re.compile(pattern)

        def found():
            text = self.log_since_start() if since_start else self.log()
            hits = rx.findall(text)
            if len(hits) >= count:
                return hits[-1] or True
            if self.proc is not None and self.proc.poll() is not None and since_start:
                raise AssertionError(f"relay exited with status {self.proc.returncode}:\n"
                                     + self.tail())
            return None
        try:
            return wait_for(found, timeout=timeout, interval=0.1,
                            what=f"relay log /{pattern}/ x{count}")
        except TimeoutExpired as e:
            raise TimeoutExpired(f"{e}\n--- relay log ---\n{self.tail()}") from None

    def wait_connected(self, count: int = 1, timeout: float = 20.0) -> None:
        self.wait_log(r"connected to websocket \(conn #\d+", count=count, timeout=timeout)


def put_transaction(base_url: str, txn_id: str, body, token: Optional[str] = None,
                    query_token: Optional[str] = None, legacy: bool = False,
                    timeout: float = 15.0):
    """PUT an appservice transaction as the homeserver would. Returns (status, json)."""
    path = f"/transactions/{urllib.parse.quote(txn_id)}" if legacy else \
        f"/_matrix/app/v1/transactions/{urllib.parse.quote(txn_id)}"
    if query_token is not None:
        path += "?access_token=" + urllib.parse.quote(query_token)
    return _request("PUT", base_url + path, body, token, timeout)


def post_ping(base_url: str, token: Optional[str], body=None, timeout: float = 15.0):
    return _request("POST", f"{base_url}/_matrix/app/v1/ping", body or {}, token, timeout)


def _request(method: str, url: str, body, token: Optional[str], timeout: float):
    """Like http_json, but returns (status, parsed body) for any status; `body` may be
    raw bytes (sent as-is)."""
    import urllib.request
    import urllib.error
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = body if isinstance(body, (bytes, bytearray)) else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode(errors="replace")
    return status, parsed


__all__ = ["AppserviceSynapse", "Relay", "load_registration", "put_transaction",
           "post_ping", "WS_SYNC_PATH", "RELAY_SCRIPT", "HttpError"]
