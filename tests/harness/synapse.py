"""A throw-away (or reusable) Synapse homeserver on a loopback port with SQLite."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Optional

from .homeserver import SERVER_NAME, ServerProcess
from .util import LOOPBACK, HttpError, free_port, http_json, port_is_free, wait_for


# Generous limits: tests must never be throttled unless they ask for it.
_FAST = {"per_second": 10000, "burst_count": 10000}
RATE_LIMITS = {
    "rc_message": _FAST,
    "rc_registration": _FAST,
    "rc_login": {"address": _FAST, "account": _FAST, "failed_attempts": _FAST},
    "rc_admin_redaction": _FAST,
    "rc_joins": {"local": _FAST, "remote": _FAST},
    "rc_joins_per_room": _FAST,
    "rc_key_requests": _FAST,
    "rc_3pid_validation": _FAST,
    "rc_invites": {"per_room": _FAST, "per_user": _FAST, "per_issuer": _FAST},
    "rc_third_party_invite": _FAST,
    "rc_media_create": _FAST,
    "rc_presence": {"per_user": _FAST},
    "rc_delayed_event_mgmt": _FAST,
    "rc_room_creation": _FAST,
    "rc_reports": _FAST,
    "rc_user_directory": _FAST,
    "rc_profile": _FAST,
}


def _log_config(log_file: Path, level: str) -> str:
    # JSON is valid YAML; Synapse reads its log config with yaml.safe_load.
    return json.dumps(
        {
            "version": 1,
            "formatters": {
                "precise": {
                    "format": "%(asctime)s - %(name)s - %(lineno)d - %(levelname)s"
                    " - %(request)s - %(message)s"
                }
            },
            "handlers": {
                "file": {
                    "class": "logging.FileHandler",
                    "formatter": "precise",
                    "filename": str(log_file),
                    "encoding": "utf8",
                }
            },
            "loggers": {
                "synapse.storage.SQL": {"level": "WARNING"},
                "twisted": {"level": "WARNING"},
            },
            "root": {"level": level, "handlers": ["file"]},
            "disable_existing_loggers": False,
        },
        indent=2,
    )


class Synapse(ServerProcess):
    name = "Synapse"
    secret_names = ("registration_shared_secret", "macaroon_secret_key", "form_secret")

    """One Synapse process. The data dir (SQLite db, signing key, secrets) survives
    stop()/start(), and so does the port, so a restart looks like the same server."""

    def __init__(
        self,
        data_dir: os.PathLike,
        port: Optional[int] = None,
        python: str = sys.executable,
        log_level: str = "WARNING",
    ):
        self.dir = Path(data_dir).resolve()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.python = python
        self.log_level = log_level
        self.proc: Optional[subprocess.Popen] = None
        self.config_path = self.dir / "homeserver.yaml"
        self.log_path = self.dir / "homeserver.log"
        self.output_path = self.dir / "homeserver.out"
        self._secrets = self._load_secrets()
        self._write_config()

    # -- configuration -------------------------------------------------------------
    def _write_config(self) -> None:
        cfg = {
            "server_name": SERVER_NAME,
            "public_baseurl": f"{self.url}/",
            "pid_file": str(self.dir / "homeserver.pid"),
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": [LOOPBACK],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": True,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {
                "name": "sqlite3",
                "args": {"database": str(self.dir / "homeserver.db")},
            },
            "log_config": str(self.dir / "log.config"),
            "media_store_path": str(self.dir / "media_store"),
            "signing_key_path": str(self.dir / f"{SERVER_NAME}.signing.key"),
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "report_stats": False,
            "enable_registration": False,
            "registration_shared_secret": self._secrets["registration_shared_secret"],
            "macaroon_secret_key": self._secrets["macaroon_secret_key"],
            "form_secret": self._secrets["form_secret"],
            "bcrypt_rounds": 4,
            "url_preview_enabled": False,
            "enable_metrics": False,
            "presence": {"enabled": False},
            "federation_domain_whitelist": [],
            "allow_public_rooms_over_federation": False,
            "require_auth_for_profile_requests": False,
            **RATE_LIMITS,
        }
        (self.dir / "log.config").write_text(_log_config(self.log_path, self.log_level))
        # JSON is a subset of YAML 1.2 and Synapse loads it fine.
        self.config_path.write_text(json.dumps(cfg, indent=2) + "\n")
        key = self.dir / f"{SERVER_NAME}.signing.key"
        if not key.exists():
            subprocess.run(
                [self.python, "-m", "synapse.app.homeserver", "-c", str(self.config_path),
                 "--generate-keys"],
                check=True, cwd=self.dir, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, timeout=120,
            )

    # -- lifecycle -----------------------------------------------------------------
    def _log_files(self) -> list:
        return [self.output_path, self.log_path]

    def start(self, timeout: float = 60.0) -> "Synapse":
        if self.running:
            return self
        wait_for(lambda: port_is_free(self.port), timeout=20,
                 what=f"port {self.port} to be free for Synapse")
        out = open(self.output_path, "ab")
        env = dict(os.environ)
        env.pop("SYNAPSE_CONFIG_PATH", None)
        self.proc = subprocess.Popen(
            [self.python, "-m", "synapse.app.homeserver", "-c", str(self.config_path)],
            cwd=self.dir, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            env=env, start_new_session=True,
        )
        out.close()

        self._wait_up(timeout)
        return self

    # -- accounts and admin API ----------------------------------------------------
    def user_id(self, localpart: str) -> str:
        return f"@{localpart}:{SERVER_NAME}"

    def register(self, localpart: str, password: str, admin: bool = False) -> dict:
        """Shared-secret registration. Returns {user_id, access_token, device_id, ...}."""
        url = f"{self.url}/_synapse/admin/v1/register"
        nonce = http_json("GET", url)["nonce"]
        mac = hmac.new(self.shared_secret.encode(), digestmod=hashlib.sha1)
        mac.update(nonce.encode())
        mac.update(b"\x00")
        mac.update(localpart.encode())
        mac.update(b"\x00")
        mac.update(password.encode())
        mac.update(b"\x00")
        mac.update(b"admin" if admin else b"notadmin")
        body = {"nonce": nonce, "username": localpart, "password": password,
                "admin": admin, "mac": mac.hexdigest()}
        return http_json("POST", url, body)

    def login(self, localpart_or_id: str, password: str, device_id: Optional[str] = None) -> dict:
        body = {"type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": localpart_or_id},
                "password": password}
        if device_id:
            body["device_id"] = device_id
        return http_json("POST", f"{self.url}/_matrix/client/v3/login", body)

    def register_or_login(self, localpart: str, password: str, admin: bool = False) -> dict:
        try:
            return self.register(localpart, password, admin=admin)
        except HttpError as e:
            if isinstance(e.body, dict) and e.body.get("errcode") == "M_USER_IN_USE":
                return self.login(localpart, password)
            raise

    def logout(self, access_token: str) -> None:
        http_json("POST", f"{self.url}/_matrix/client/v3/logout", {}, token=access_token)

    def admin(self, method: str, path: str, admin_token: str, body=None):
        return http_json(method, f"{self.url}{path}", body, token=admin_token)

    def override_ratelimit(self, admin_token: str, user_id: str,
                           messages_per_second: int, burst_count: int) -> dict:
        uid = urllib.parse.quote(user_id)
        return self.admin("POST", f"/_synapse/admin/v1/users/{uid}/override_ratelimit",
                          admin_token, {"messages_per_second": messages_per_second,
                                        "burst_count": burst_count})

    def devices(self, admin_token: str, user_id: str) -> list:
        uid = urllib.parse.quote(user_id)
        return self.admin("GET", f"/_synapse/admin/v2/users/{uid}/devices",
                          admin_token)["devices"]

    def delete_device(self, admin_token: str, user_id: str, device_id: str) -> None:
        uid = urllib.parse.quote(user_id)
        did = urllib.parse.quote(device_id)
        self.admin("DELETE", f"/_synapse/admin/v2/users/{uid}/devices/{did}", admin_token)
