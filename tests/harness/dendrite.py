"""A throw-away Dendrite homeserver on a loopback port with SQLite: the second homeserver
camas is tested against (the first is Synapse, harness/synapse.py).

Same interface as harness.Synapse where Dendrite can do the same: url, server_name,
shared_secret, start/stop/restart/kill, running, tail, user_id, register (shared-secret
registration: Dendrite serves Synapse's /_synapse/admin/v1/register with the same HMAC),
login, register_or_login, logout. Synapse's admin API (override_ratelimit, devices) has no
Dendrite counterpart; rate limiting is configured instead (`rate_limiting=`), and it
applies to every non-admin user.

The binaries come from `go install github.com/matrix-org/dendrite/cmd/...@v0.13.8`, which
scripts/setup does into .cache/go-bin (DENDRITE_BIN_DIR overrides where they are looked
for).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Optional

from .homeserver import ServerProcess
from .synapse import SERVER_NAME, Synapse
from .util import LOOPBACK, free_port, port_is_free, wait_for

DENDRITE_VERSION = "v0.13.8"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BIN_DIR = REPO_ROOT / ".cache" / "go-bin"

def bin_dir() -> Path:
    return Path(os.environ.get("DENDRITE_BIN_DIR") or DEFAULT_BIN_DIR)


def binary(name: str) -> Optional[str]:
    """Path of a Dendrite command (dendrite, create-account, generate-keys), or None."""
    p = bin_dir() / name
    return str(p) if p.is_file() and os.access(p, os.X_OK) else None


def available() -> bool:
    return binary("dendrite") is not None and binary("generate-keys") is not None


class Dendrite(ServerProcess):
    name = "Dendrite"

    """One Dendrite monolith process. The data dir (SQLite databases, JetStream store,
    signing key, secrets) survives stop()/start(), and so does the port, so a restart
    looks like the same server."""

    def __init__(
        self,
        data_dir: os.PathLike,
        port: Optional[int] = None,
        log_level: str = "warn",
        rate_limiting: Optional[dict] = None,
    ):
        self.dir = Path(data_dir).resolve()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.log_level = log_level
        self.rate_limiting = rate_limiting or {"enabled": False}
        self.proc: Optional[subprocess.Popen] = None
        self.config_path = self.dir / "dendrite.yaml"
        self.log_path = self.dir / "dendrite.log"
        self.output_path = self.dir / "dendrite.out"
        self.exe = binary("dendrite")
        if self.exe is None or binary("generate-keys") is None:
            raise RuntimeError(
                f"Dendrite {DENDRITE_VERSION} is not installed in {bin_dir()}: run scripts/setup")
        self._secrets = self._load_secrets()
        self._write_config()

    # -- configuration -------------------------------------------------------------
    @property
    def kind(self) -> str:
        return "dendrite"

    def _write_config(self) -> None:
        d = self.dir

        def db(name: str) -> dict:
            # Few connections: SQLite serialises writers anyway, and fewer means fewer
            # "database is locked" retries inside Dendrite.
            return {"connection_string": f"file:{d / f'dendrite_{name}.db'}",
                    "max_open_conns": 10, "max_idle_conns": 2, "conn_max_lifetime": -1}

        cfg = {
            "version": 2,
            "global": {
                "server_name": SERVER_NAME,
                "private_key": str(d / "matrix_key.pem"),
                "key_validity_period": "168h0m0s",
                "cache": {"max_size_estimated": "64mb", "max_age": "1h"},
                "trusted_third_party_id_servers": [],
                "disable_federation": True,
                "presence": {"enable_inbound": False, "enable_outbound": False},
                "report_stats": {"enabled": False},
                "jetstream": {"storage_path": str(d / "jetstream"), "in_memory": False,
                              "topic_prefix": "Dendrite"},
                "metrics": {"enabled": False},
                "dns_cache": {"enabled": False},
            },
            "app_service_api": {"disable_tls_validation": True, "config_files": []},
            "client_api": {
                "registration_disabled": True,
                "guests_disabled": True,
                "registration_shared_secret": self.shared_secret,
                "enable_registration_captcha": False,
                "rate_limiting": {"threshold": 20, "cooloff_ms": 500,
                                  "exempt_user_ids": [], **self.rate_limiting},
            },
            "federation_api": {"key_perspectives": [], "prefer_direct_fetch": False,
                               "send_max_retries": 1, "database": db("federationapi")},
            "media_api": {"base_path": str(d / "media"), "database": db("mediaapi"),
                          "max_file_size_bytes": 10485760, "dynamic_thumbnails": False},
            "mscs": {"mscs": [], "database": db("mscs")},
            "relay_api": {"database": db("relayapi")},
            "room_server": {"database": db("roomserver")},
            "key_server": {"database": db("keyserver")},
            "sync_api": {"database": db("syncapi"),
                         "search": {"enabled": False, "index_path": str(d / "searchindex")}},
            "user_api": {"bcrypt_cost": 4, "auto_join_rooms": [],
                         "account_database": db("userapi")},
            "tracing": {"enabled": False},
            "logging": [{"type": "file", "level": self.log_level,
                         "params": {"path": str(d / "logs")}}],
        }
        # JSON is YAML (Dendrite reads its config with yaml.v2).
        self.config_path.write_text(json.dumps(cfg, indent=2) + "\n")
        key = d / "matrix_key.pem"
        if not key.exists():
            subprocess.run([binary("generate-keys"), "--private-key", str(key)], check=True,
                           cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=60)

    # -- lifecycle -----------------------------------------------------------------
    def _log_files(self) -> list:
        logs = sorted((self.dir / "logs").glob("*.log")) if (self.dir / "logs").is_dir() else []
        return [self.output_path, *logs]

    def start(self, timeout: float = 60.0) -> "Dendrite":
        if self.running:
            return self
        wait_for(lambda: port_is_free(self.port), timeout=20,
                 what=f"port {self.port} to be free for Dendrite")
        out = open(self.output_path, "ab")
        self.proc = subprocess.Popen(
            [self.exe, "--config", str(self.config_path),
             "--http-bind-address", f"{LOOPBACK}:{self.port}"],
            cwd=self.dir, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        out.close()

        self._wait_up(timeout)
        return self

    # -- accounts: the same client-server and shared-secret calls as for Synapse ---------
    user_id = Synapse.user_id
    register = Synapse.register
    login = Synapse.login
    register_or_login = Synapse.register_or_login
    logout = Synapse.logout

    def create_account(self, localpart: str, password: str, admin: bool = False) -> None:
        """The same through Dendrite's own `create-account` command."""
        exe = binary("create-account")
        if exe is None:
            raise RuntimeError("create-account is not installed: run scripts/setup")
        args = [exe, "--config", str(self.config_path), "--url", self.url,
                "--username", localpart, "--passwordstdin"]
        if admin:
            args.append("--admin")
        subprocess.run(args, input=password.encode(), check=True, cwd=self.dir,
                       capture_output=True, timeout=60)

    # -- Synapse's admin API: no Dendrite counterpart ------------------------------------
    def override_ratelimit(self, *args, **kw):
        raise NotImplementedError(
            "Dendrite has no per-user rate-limit override: pass rate_limiting= instead")

    def devices(self, *args, **kw):
        raise NotImplementedError("Dendrite has no admin API to list a user's devices")

    def delete_device(self, *args, **kw):
        raise NotImplementedError("Dendrite has no admin API to delete a user's device")
