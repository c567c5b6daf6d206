"""Fixtures for the camas integration tests.

One Synapse per session (or Dendrite, with CAMAS_HOMESERVER=dendrite: the `synapse`
fixture is then a harness.Dendrite; tests that need Synapse's admin API fail there) (restarted by the tests that need it down, and brought back
before every test). Every test gets fresh users, a fresh bot account, fresh rooms and a
fresh camas state dir, so tests never see each other's rooms or events.
"""

from __future__ import annotations

import itertools
import os
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ -> import harness

from harness import (  # noqa: E402
    Camas, Client, Dendrite, Nginx, Synapse, make_ca_and_cert, merge,
)
from harness.camas import warm_default_state  # noqa: E402

_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}-{secrets.token_hex(2)}"


# -- reports, so fixtures can dump logs of failed tests -----------------------------------
@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    setattr(item, f"rep_{rep.when}", rep)
    return rep


def _failed(request) -> bool:
    return any(getattr(request.node, f"rep_{w}", None) is not None
               and getattr(request.node, f"rep_{w}").failed for w in ("setup", "call"))


# -- camas's default state ----------------------------------------------------------------
@pytest.fixture(scope="session", autouse=True)
def _warm_default_state():
    """./camas-state's vector cache filled before the first test of each worker."""
    warm_default_state()


# -- Synapse ------------------------------------------------------------------------------
def homeserver_kind() -> str:
    kind = os.environ.get("CAMAS_HOMESERVER", "synapse").strip().lower() or "synapse"
    if kind not in ("synapse", "dendrite"):
        raise pytest.UsageError(f"CAMAS_HOMESERVER={kind!r}: synapse or dendrite")
    return kind


@pytest.fixture(scope="session")
def synapse(tmp_path_factory):
    """The homeserver: Synapse, or Dendrite with CAMAS_HOMESERVER=dendrite."""
    if homeserver_kind() == "dendrite":
        hs = Dendrite(tmp_path_factory.mktemp("dendrite"))
    else:
        hs = Synapse(tmp_path_factory.mktemp("synapse"))
    hs.start()
    yield hs
    hs.stop()


@pytest.fixture(autouse=True)
def _synapse_running(request, synapse):
    """A test that stopped Synapse and then failed must not break the next tests."""
    synapse.start()
    yield
    if _failed(request):
        print(f"\n--- synapse (tail) ---\n{synapse.tail(20)}")


@pytest.fixture(scope="session")
def admin_login(synapse) -> dict:
    return synapse.register("admin", "admin-" + secrets.token_hex(8), admin=True)


@pytest.fixture(scope="session")
def admin_token(admin_login) -> str:
    return admin_login["access_token"]


@pytest.fixture
def new_user(synapse):
    """Factory: new_user("alice") registers a fresh @aliceN-xxxx:localhost client."""
    clients = []

    def make(prefix: str = "user") -> Client:
        login = synapse.register(unique(prefix), secrets.token_hex(12))
        c = Client.from_login(synapse.url, login)
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def alice(new_user) -> Client:
    return new_user("alice")


@pytest.fixture
def bob(new_user) -> Client:
    return new_user("bob")


# -- camas --------------------------------------------------------------------------------
@dataclass
class Bot:
    user_id: str
    password: str
    camas: Camas
    access_token: Optional[str] = None
    extra: dict = field(default_factory=dict)

    def start(self, ready: bool = True, timeout: float = 30.0) -> "Bot":
        self.camas.start()
        if ready:
            self.camas.wait_ready(timeout)
        return self


@pytest.fixture
def make_bot(request, synapse, tmp_path):
    """Factory for a camas daemon with its own fresh bot account and state dir.

    make_bot(rooms=[...], auth="password"|"token", homeserver_url=..., **config_overrides)
    Returns a Bot (not started). Every bot is stopped at teardown; logs of failed tests
    are printed.
    """
    bots = []

    def make(rooms=(), auth: str = "password", homeserver_url: Optional[str] = None,
             start: bool = False, **overrides) -> Bot:
        localpart = unique("camas")
        password = "pw-" + secrets.token_hex(12)
        reg = synapse.register(localpart, password)
        user_id = reg["user_id"]
        auth_cfg: dict = {"user_id": user_id}
        token = None
        if auth == "password":
            auth_cfg["password"] = password
        elif auth == "token":
            token = reg["access_token"]
            auth_cfg["access_token"] = token
        else:
            raise ValueError(auth)
        cfg = {
            "homeserver": {"url": homeserver_url or synapse.url},
            "auth": auth_cfg,
            "rooms": [dict(r) for r in rooms],
            "invites": {"allow": []},
            "sync": {"timeout_ms": 5000},
            "log_level": "debug",
        }
        cfg = merge(cfg, overrides)
        camas = Camas(tmp_path / f"bot{len(bots) + 1}", cfg)
        bot = Bot(user_id, password, camas, token)
        bots.append(bot)
        if start:
            bot.start()
        return bot

    yield make
    failed = _failed(request)
    for b in bots:
        try:
            if b.camas.alive:
                b.camas.stop(timeout=10)
        except Exception as e:  # a hung camas must not hide the real failure
            print(f"stopping {b.user_id}: {e}")
            b.camas.kill()
        if failed:
            print(f"\n--- camas log {b.camas.log_path} (tail) ---\n{b.camas.tail(80)}")


# -- TLS ----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def tls_files(tmp_path_factory):
    return make_ca_and_cert(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def nginx(tmp_path_factory, synapse, tls_files):
    proxy = Nginx(tmp_path_factory.mktemp("nginx"), synapse.url, tls_files)
    proxy.start()
    yield proxy
    proxy.stop()
