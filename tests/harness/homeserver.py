"""What the homeserver harnesses (synapse.py, dendrite.py) share: a server process started by
the test, waited for until its client API answers, stopped, killed and restarted."""
from __future__ import annotations

import json
import secrets
import signal
import subprocess
from pathlib import Path
from typing import Optional

from .util import LOOPBACK, HttpError, http_json, wait_for

SERVER_NAME = "localhost"


class ServerProcess:
    """Subclasses set self.dir and self.port, self.proc in start() and then call _wait_up();
    they provide start() and, when they log elsewhere too, _log_files()."""

    name = "homeserver"
    # the secrets generated once per data directory (secrets.json)
    secret_names: tuple = ("registration_shared_secret",)
    proc: Optional[subprocess.Popen] = None
    output_path: Path
    dir: Path
    port: int

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def server_name(self) -> str:
        return SERVER_NAME

    @property
    def shared_secret(self) -> str:
        return self._secrets["registration_shared_secret"]

    def _load_secrets(self) -> dict:
        path = self.dir / "secrets.json"
        if path.exists():
            return json.loads(path.read_text())
        data = {k: secrets.token_urlsafe(32) for k in self.secret_names}
        path.write_text(json.dumps(data))
        path.chmod(0o600)
        return data

    def _log_files(self) -> list:
        return [self.output_path]

    def _wait_up(self, timeout: float) -> None:
        def up() -> bool:
            if self.proc.poll() is not None:
                where = " and ".join(str(p) for p in self._log_files())
                raise RuntimeError(f"{self.name} exited with status {self.proc.returncode}; "
                                   f"see {where}:\n{self.tail()}")
            try:
                http_json("GET", f"{self.url}/_matrix/client/versions", timeout=2)
                return True
            except (OSError, HttpError):
                return False

        wait_for(up, timeout=timeout, interval=0.1,
                 what=f"{self.name} /_matrix/client/versions")

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 30.0) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill(self) -> None:
        """kill -9."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def restart(self):
        self.stop()
        return self.start()

    def tail(self, n: int = 40) -> str:
        parts = []
        for p in self._log_files():
            if p.exists():
                lines = p.read_text(errors="replace").splitlines()[-n:]
                parts.append(f"--- {p} ---\n" + "\n".join(lines))
        return "\n".join(parts)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
