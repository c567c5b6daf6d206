"""camas as a Matrix appservice: the registration command, the HTTP push transport and
the websocket transport (Synapse -> wsproxy relay -> camas).

The websocket tests run against tests/relay/wsproxy_relay.py, a stand-in for
mautrix-wsproxy (the real one cannot be installed here; see tests/relay/README.md).

One appservice-enabled Synapse serves the whole module, with three registrations made by
`camas appservice-registration`:
  camas-push  @camaspush:localhost  pushes to camas's own appservice.listen address
  camas-ws    @camasws:localhost    pushes to the relay that camas reads over a websocket
  camas-fake  @camasfake:localhost  pushes to a relay read by a fake client in the test
Each test gets fresh users and rooms on it and a fresh camas state dir.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import secrets
import stat
import time
import urllib.parse
from pathlib import Path
from types import SimpleNamespace

import aiohttp
import pytest

from harness import Camas, Client, free_port, http_json, in_reply_to, run, run_cli
from harness.appservice import (
    WS_SYNC_PATH, AppserviceSynapse, Relay, load_registration, post_ping, put_transaction,
)

SETTLE = 1.5  # seconds of quiet before asserting that something did NOT happen
SERVER_NAME = "localhost"


# -- helpers ------------------------------------------------------------------------------
_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}-{secrets.token_hex(2)}"


def _failed(request) -> bool:
    """Did this test fail? (conftest's report hook records rep_setup/rep_call.)"""
    return any(getattr(request.node, f"rep_{w}", None) is not None
               and getattr(request.node, f"rep_{w}").failed for w in ("setup", "call"))


def make_registration(path: Path, url: str, localpart: str, appservice_id: str,
                      *extra: str) -> dict:
    r = run_cli(["appservice-registration", "--url", url, "--server-name", SERVER_NAME,
                 "--localpart", localpart, "--id", appservice_id, "--out", str(path),
                 *extra])
    assert r.returncode == 0, f"appservice-registration failed ({r.returncode}):\n{r.stderr}"
    return load_registration(path)


def fake_event(room_id: str, sender: str, body: str) -> dict:
    """An m.room.message as a homeserver would push it (the id is made up)."""
    return {
        "type": "m.room.message",
        "room_id": room_id,
        "sender": sender,
        "event_id": f"$fake-{secrets.token_hex(8)}:{SERVER_NAME}",
        "origin_server_ts": int(time.time() * 1000),
        "content": {"msgtype": "m.text", "body": body, "m.mentions": {}},
        "unsigned": {"age": 1},
    }


def bot_replies(client: Client, room: str, bot_id: str, event_id: str) -> list:
    return [e for e in client.events_from(room, bot_id) if in_reply_to(e) == event_id]


# -- fixtures -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ashs(tmp_path_factory):
    """An appservice-enabled Synapse with the three registrations."""
    d = tmp_path_factory.mktemp("ashs")
    push_port, relay_port, fake_port = free_port(), free_port(), free_port()
    push = make_registration(d / "push.yaml", f"http://127.0.0.1:{push_port}",
                             "camaspush", "camas-push")
    ws = make_registration(d / "ws.yaml", f"http://127.0.0.1:{relay_port}",
                           "camasws", "camas-ws")
    fake = make_registration(d / "fake.yaml", f"http://127.0.0.1:{fake_port}",
                             "camasfake", "camas-fake")
    hs = AppserviceSynapse(d / "synapse", [d / "push.yaml", d / "ws.yaml", d / "fake.yaml"],
                           log_level="INFO")
    hs.start()
    env = SimpleNamespace(
        hs=hs, dir=d,
        push=SimpleNamespace(reg=push, path=d / "push.yaml", port=push_port,
                             url=f"http://127.0.0.1:{push_port}",
                             user_id=f"@camaspush:{SERVER_NAME}"),
        ws=SimpleNamespace(reg=ws, path=d / "ws.yaml", port=relay_port,
                           user_id=f"@camasws:{SERVER_NAME}"),
        fake=SimpleNamespace(reg=fake, path=d / "fake.yaml", port=fake_port,
                             user_id=f"@camasfake:{SERVER_NAME}"),
    )
    yield env
    hs.stop()


@pytest.fixture
def as_user(ashs):
    """Factory: fresh users on the appservice Synapse."""
    clients = []

    def make(prefix: str = "user") -> Client:
        c = Client.from_login(ashs.hs.url, ashs.hs.register(unique(prefix),
                                                              secrets.token_hex(12)))
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def alice(as_user) -> Client:
    return as_user("alice")


@pytest.fixture
def relays(request, ashs, tmp_path):
    """Factory: relay(kind="ws"|"fake") -> a started Relay on that registration's URL."""
    made = []

    def make(kind: str = "ws") -> Relay:
        ns = getattr(ashs, kind)
        relay = Relay.for_registration(tmp_path / f"relay-{kind}-{len(made) + 1}", ns.reg,
                                       port=ns.port)
        made.append(relay)
        return relay.start()

    yield make
    for r in made:
        r.stop()
        if _failed(request):
            print(f"\n--- relay log {r.log_path} (tail) ---\n{r.tail(80)}")


@pytest.fixture
def as_bots(request, ashs, tmp_path):
    """Factory: as_bots("push"|"websocket", rooms=[...]) -> a configured Camas (not
    started). With relay=..., websocket_url points at that relay."""
    bots = []

    def make(transport: str, rooms=(), relay: Relay | None = None, **overrides) -> Camas:
        ns = ashs.push if transport == "push" else ashs.ws
        appservice = {"registration": str(ns.path)}
        if transport == "push":
            appservice["listen"] = f"127.0.0.1:{ns.port}"
        else:
            appservice["websocket_url"] = (relay.ws_url if relay
                                           else f"ws://127.0.0.1:{ns.port}")
        cfg = {
            "transport": transport,
            "homeserver": {"url": ashs.hs.url, "server_name": SERVER_NAME},
            "appservice": appservice,
            "rooms": [dict(r) for r in rooms],
            "invites": {"allow": []},
            # the tests ask in bursts; the per-minute reply limits are tested elsewhere
            "limits": {"help_user_per_minute": 1000, "help_room_per_minute": 1000},
            "log_level": "debug",
            **overrides,
        }
        bot = Camas(tmp_path / f"{transport}-bot{len(bots) + 1}", cfg)
        bots.append(bot)
        return bot

    yield make
    failed = _failed(request)
    for b in bots:
        try:
            if b.alive:
                b.stop(timeout=10)
        except Exception as e:  # a hung camas must not hide the real failure
            print(f"stopping {b.dir}: {e}")
            b.kill()
        if failed:
            print(f"\n--- camas log {b.log_path} (tail) ---\n{b.tail(100)}")
    if failed:
        print(f"\n--- appservice synapse (tail) ---\n{ashs.hs.tail(15)}")


def start_bot(ashs, bot: Camas, kind: str, timeout: float = 30.0) -> str:
    """Start camas, wait for `ready:`, then ask Synapse to ping the appservice: Synapse
    backs off exponentially (2, 4, 8 ... s) from an appservice that failed earlier (for
    example while no camas was running between two tests), and a successful ping makes it
    retry at once."""
    bot.start()
    line = bot.wait_ready(timeout)
    reg = getattr(ashs, kind).reg
    deadline = time.monotonic() + 15
    while True:
        try:
            ashs.hs.appservice_ping(reg)
            break
        except Exception as e:  # noqa: BLE001
            if time.monotonic() > deadline:
                raise AssertionError(f"Synapse cannot ping the {kind} appservice: {e}")
            time.sleep(0.3)
    return line


# =========================================================================================
# the registration command
# =========================================================================================
def test_registration_command(tmp_path):
    out = tmp_path / "reg.yaml"
    r = run_cli(["appservice-registration", "--url", "http://127.0.0.1:29331",
                 "--server-name", "example.org", "--out", str(out)])
    assert r.returncode == 0, r.stderr
    reg = load_registration(out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert reg["id"] == "camas"
    assert reg["url"] == "http://127.0.0.1:29331"
    assert reg["sender_localpart"] == "camas"
    assert reg["rate_limited"] is False
    for key in ("as_token", "hs_token"):
        assert isinstance(reg[key], str) and len(reg[key]) >= 32, reg[key]
        assert re.fullmatch(r"[A-Za-z0-9._~-]+", reg[key]), f"{key} is not URL-safe"
    assert reg["as_token"] != reg["hs_token"]
    users = reg["namespaces"]["users"]
    assert len(users) == 1 and users[0]["exclusive"] is True
    rx = re.compile(users[0]["regex"])
    # Synapse uses re.match; a regex must not match anything but the bot even with search
    assert rx.match("@camas:example.org")
    for other in ("@camas2:example.org", "@xcamas:example.org", "@camas:example.org2",
                  "@camas:example.orgx", "@camas:exampleXorg", "@camas:other.org",
                  "@camas:example.org.evil", "@Camas:example.org", "camas:example.org",
                  "@bob:example.org"):
        assert not rx.search(other), f"namespace regex {rx.pattern!r} matches {other}"
    for ns in ("aliases", "rooms"):
        assert not reg["namespaces"].get(ns), f"unexpected {ns} namespace"

    # fresh tokens every time
    out2 = tmp_path / "reg2.yaml"
    assert run_cli(["appservice-registration", "--url", "http://127.0.0.1:29331",
                    "--server-name", "example.org", "--out", str(out2)]).returncode == 0
    reg2 = load_registration(out2)
    assert {reg2["as_token"], reg2["hs_token"]}.isdisjoint({reg["as_token"],
                                                            reg["hs_token"]})

    # never overwrites without --force
    before = out.read_bytes()
    r = run_cli(["appservice-registration", "--url", "http://127.0.0.1:1",
                 "--server-name", "example.org", "--out", str(out)])
    assert r.returncode != 0
    assert "--force" in r.stderr
    assert out.read_bytes() == before
    r = run_cli(["appservice-registration", "--url", "http://127.0.0.1:1",
                 "--server-name", "example.org", "--out", str(out), "--force"])
    assert r.returncode == 0, r.stderr
    reg3 = load_registration(out)
    assert reg3["url"] == "http://127.0.0.1:1"
    assert reg3["as_token"] != reg["as_token"] and reg3["hs_token"] != reg["hs_token"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_registration_command_localpart_id_and_default_file(tmp_path):
    r = run_cli(["appservice-registration", "--url", "http://127.0.0.1:29331",
                 "--server-name", "chat.example.org", "--localpart", "help.bot",
                 "--id", "camas-prod"], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "camas-registration.yaml"
    assert out.exists(), os.listdir(tmp_path)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    reg = load_registration(out)
    assert reg["id"] == "camas-prod" and reg["sender_localpart"] == "help.bot"
    rx = re.compile(reg["namespaces"]["users"][0]["regex"])
    assert rx.match("@help.bot:chat.example.org")
    for other in ("@helpXbot:chat.example.org", "@help.bot:chatXexample.org",
                  "@help.bot2:chat.example.org", "@help.bot:chat.example.org:1"):
        assert not rx.search(other), f"namespace regex {rx.pattern!r} matches {other}"


def test_registration_accepted_by_synapse(ashs):
    """The generated registrations load in Synapse and the tokens work."""
    for kind in ("push", "ws", "fake"):
        ns = getattr(ashs, kind)
        who = http_json("GET", f"{ashs.hs.url}/_matrix/client/v3/account/whoami",
                        token=ns.reg["as_token"])
        assert who["user_id"] == ns.user_id


# =========================================================================================
# the relay on its own (mautrix-wsproxy's documented behaviour), with a fake bot
# =========================================================================================
def ws_handshake(url: str, token: str | None = None) -> tuple:
    """A websocket upgrade request by hand, so a refusal's JSON body can be read."""
    import urllib.error
    import urllib.request
    headers = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url.replace("ws://", "http://") + WS_SYNC_PATH,
                                 headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, None
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, json.loads(raw) if raw else None


class FakeBot:
    """A websocket client on the harness event loop, standing in for camas."""

    def __init__(self, relay: Relay, token: str):
        self.relay, self.token = relay, token
        self.session = self.ws = None

    def connect(self) -> dict:
        async def go():
            self.session = aiohttp.ClientSession()
            self.ws = await self.session.ws_connect(
                self.relay.ws_url + WS_SYNC_PATH,
                headers={"Authorization": f"Bearer {self.token}",
                         "X-Mautrix-Websocket-Version": "3"})
            return await self.ws.receive_json(timeout=5)
        return run(go())

    def send(self, obj) -> None:
        run(self.ws.send_str(json.dumps(obj)))

    def receive(self, timeout: float = 10.0) -> aiohttp.WSMessage:
        return run(self.ws.receive(timeout=timeout))

    def receive_json(self, timeout: float = 10.0) -> dict:
        msg = self.receive(timeout)
        assert msg.type == aiohttp.WSMsgType.TEXT, (msg.type, msg.data, msg.extra)
        return json.loads(msg.data)

    def wait_event(self, event_id: str, timeout: float = 20.0) -> dict:
        """The transaction frame that carries event_id (earlier frames are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no transaction carried {event_id}")
            frame = self.receive_json(timeout=left)
            if any(e.get("event_id") == event_id for e in frame.get("events") or []):
                return frame

    def close(self) -> None:
        async def go():
            if self.ws is not None and not self.ws.closed:
                await self.ws.close()
            if self.session is not None:
                await self.session.close()
        run(go())


@pytest.fixture
def fake_bots():
    made = []

    def make(relay: Relay, token: str) -> FakeBot:
        b = FakeBot(relay, token)
        made.append(b)
        return b

    yield make
    for b in made:
        b.close()


def test_relay_http_errors(ashs, relays):
    relay = relays("fake")
    reg = ashs.fake.reg
    body = {"events": [], "ephemeral": []}
    assert put_transaction(relay.url, "t1", body) == (
        403, {"errcode": "M_MISSING_TOKEN", "error": "Missing authorization header"})
    for kw in ({"token": "nope"}, {"query_token": "nope"},
               {"token": reg["as_token"]}):  # the as_token is not the hs_token
        st, js = put_transaction(relay.url, "t1", body, **kw)
        assert (st, js["errcode"]) == (403, "M_UNKNOWN_TOKEN"), kw
    st, js = put_transaction(relay.url, "t1", b"{not json", token=reg["hs_token"])
    assert (st, js["errcode"]) == (400, "M_BAD_JSON")
    for kw in ({"token": reg["hs_token"]}, {"query_token": reg["hs_token"]},
               {"token": reg["hs_token"], "legacy": True}):
        st, js = put_transaction(relay.url, "t1", body, **kw)
        assert (st, js["errcode"]) == (502, "FI.MAU.WS_NOT_CONNECTED"), kw
    assert post_ping(relay.url, reg["hs_token"]) == (200, {})
    assert post_ping(relay.url, None)[0] == 403
    assert post_ping(relay.url, "nope")[0] == 403
    # the websocket wants the as_token, and refuses before upgrading
    st, js = ws_handshake(relay.ws_url)
    assert (st, js["errcode"]) == (403, "M_MISSING_TOKEN")
    for bad in ("nope", reg["hs_token"]):
        st, js = ws_handshake(relay.ws_url, bad)
        assert (st, js["errcode"]) == (403, "M_UNKNOWN_TOKEN")
    assert relay.count(r"connected to websocket") == 0
    assert relay.alive


def test_relay_websocket_commands_and_conn_replaced(ashs, relays, fake_bots):
    relay = relays("fake")
    reg = ashs.fake.reg
    first = fake_bots(relay, reg["as_token"])
    assert first.connect() == {"status": "connected"}
    relay.wait_log(r"X-Mautrix-Websocket-Version: 3")

    before = int(time.time() * 1000)
    first.send({"id": 7, "command": "ping", "data": {"timestamp": before}})
    pong = first.receive_json()
    assert pong["id"] == 7 and pong["command"] == "response"
    assert before - 5 <= pong["data"]["timestamp"] <= int(time.time() * 1000) + 5
    first.send({"id": 0, "command": "ping", "data": {}})   # id 0: no answer
    first.send({"command": "frobnicate"})                   # no id: no answer
    first.send({"id": 8, "command": "frobnicate", "data": {"x": 1}})
    assert first.receive_json() == {"id": 8, "command": "error",
                                    "data": {"message": "unknown command frobnicate"}}

    # a transaction pushed while connected arrives as one frame and is acknowledged
    # without waiting for the bot
    ev = fake_event("!room:localhost", "@alice:localhost", "hello")
    st, js = put_transaction(relay.url, "42", {"events": [ev], "ephemeral": []},
                             token=reg["hs_token"])
    assert (st, js) == (200, {})
    frame = first.receive_json()
    assert frame == {"status": "ok", "txn_id": "42", "events": [ev], "ephemeral": []}
    # the legacy path and ?access_token= work too
    st, _ = put_transaction(relay.url, "43", {"events": [ev]}, query_token=reg["hs_token"],
                            legacy=True)
    assert st == 200 and first.receive_json()["txn_id"] == "43"

    # a second connection replaces the first, which is closed with 4001
    second = fake_bots(relay, reg["as_token"])
    assert second.connect() == {"status": "connected"}
    msg = first.receive()
    assert msg.type == aiohttp.WSMsgType.CLOSE, (msg.type, msg.data)
    assert msg.data == 4001
    assert json.loads(msg.extra) == {"command": "disconnect", "status": "conn_replaced"}
    st, _ = put_transaction(relay.url, "44", {"events": [ev]}, token=reg["hs_token"])
    assert st == 200 and second.receive_json()["txn_id"] == "44"
    relay.wait_log(r"conn #1, close code")
    assert relay.count(r"connected to websocket \(conn") == 2


def test_relay_forwards_synapse_transactions(ashs, relays, fake_bots, alice):
    """Synapse -> relay -> fake bot, and Synapse retrying a transaction the relay refused
    because nobody was connected."""
    relay = relays("fake")
    reg = ashs.fake.reg
    bot = fake_bots(relay, reg["as_token"])
    assert bot.connect() == {"status": "connected"}
    ashs.hs.appservice_ping(reg)  # in case an earlier test left it in back-off
    room = alice.create_room(name="relay")
    http_json("POST", f"{ashs.hs.url}/_matrix/client/v3/join/{urllib.parse.quote(room)}", {},
              token=reg["as_token"])
    said = alice.send(room, "is anybody there?")
    frame = bot.wait_event(said)
    assert frame["status"] == "ok" and frame["txn_id"]
    ev = next(e for e in frame["events"] if e["event_id"] == said)
    assert ev["room_id"] == room and ev["sender"] == alice.user_id
    assert ev["content"]["body"] == "is anybody there?"
    relay.wait_log(rf"sent transaction {frame['txn_id']} to camas-fake .*{re.escape(said)}")

    # nobody connected: the relay answers 502 and Synapse keeps the transaction
    bot.close()
    relay.wait_log(r"disconnected from websocket")
    missed = alice.send(room, "anybody now?")
    refused = relay.wait_log(r"rejecting transaction (\S+) to camas-fake .*not connected")
    again = fake_bots(relay, reg["as_token"])
    assert again.connect() == {"status": "connected"}
    ashs.hs.appservice_ping(reg)  # what a bridge does once connected: Synapse retries now
    frame = again.wait_event(missed, timeout=30)
    assert frame["txn_id"] == refused, "Synapse retries the same transaction id"


# =========================================================================================
# push mode: Synapse -> camas over HTTP
# =========================================================================================
def push_ready(ashs, as_bots, alice, kind: str = "help"):
    room = alice.create_room(name="push-help")
    bot = as_bots("push", rooms=[{"id": room, "kind": kind}])
    start_bot(ashs, bot, "push")
    alice.wait_membership(room, ashs.push.user_id, "join")
    return room, bot


def assert_reply_shape(reply, question_id, asker):
    c = reply["content"]
    assert reply["type"] == "m.room.message"
    assert c["msgtype"] == "m.notice"
    assert isinstance(c["body"], str) and c["body"].strip()
    assert c["format"] == "org.matrix.custom.html"
    assert isinstance(c["formatted_body"], str) and c["formatted_body"].strip()
    assert c["m.relates_to"]["m.in_reply_to"]["event_id"] == question_id
    assert c["m.mentions"] == {"user_ids": [asker]}


def test_push_answers_help_room_exactly_once(ashs, as_bots, alice):
    room, bot = push_ready(ashs, as_bots, alice)
    line = bot.wait_ready()
    q1 = alice.send(room, "How do I reach the task force?")
    q2 = alice.send(room, "!ping")
    q3 = alice.send(room, "hello")
    replies = alice.assert_replies_exactly_once(room, ashs.push.user_id, [q1, q2, q3])
    for q, r in replies.items():
        assert_reply_shape(r, q, alice.user_id)
    assert replies[q2]["content"]["body"].startswith("pong")
    assert len(alice.bot_messages(room, ashs.push.user_id)) == 3
    assert "/sync" not in bot.log(), "push mode must not /sync"
    assert line


def test_push_retried_transaction_processed_once(ashs, as_bots, alice):
    room, bot = push_ready(ashs, as_bots, alice)
    token = ashs.push.reg["hs_token"]
    ev = fake_event(room, alice.user_id, "!ping")
    txn = "retry-" + secrets.token_hex(4)
    assert put_transaction(ashs.push.url, txn, {"events": [ev]}, token=token) == (200, {})
    assert put_transaction(ashs.push.url, txn, {"events": [ev]}, token=token) == (200, {})
    alice.wait_reply(room, ashs.push.user_id, ev["event_id"])
    # a third retry, after the answer, on the legacy path
    assert put_transaction(ashs.push.url, txn, {"events": [ev]}, token=token,
                           legacy=True) == (200, {})
    time.sleep(SETTLE)
    replies = bot_replies(alice, room, ashs.push.user_id, ev["event_id"])
    assert len(replies) == 1, replies
    assert replies[0]["content"]["body"].startswith("pong")

    # the legacy path carries new transactions too
    ev2 = fake_event(room, alice.user_id, "!ping legacy")
    assert put_transaction(ashs.push.url, "legacy-" + secrets.token_hex(4),
                           {"events": [ev2]}, token=token, legacy=True) == (200, {})
    alice.wait_reply(room, ashs.push.user_id, ev2["event_id"])
    time.sleep(SETTLE)
    assert len(bot_replies(alice, room, ashs.push.user_id, ev2["event_id"])) == 1


def test_push_rejects_wrong_or_missing_hs_token(ashs, as_bots, alice):
    room, bot = push_ready(ashs, as_bots, alice)
    reg = ashs.push.reg
    attempts = [
        {},                                   # no token at all
        {"token": "wrong-" + secrets.token_hex(16)},
        {"token": reg["as_token"]},           # the as_token is not the hs_token
        {"query_token": "wrong"},
        {"token": "wrong", "legacy": True},
    ]
    rejected = []
    for i, kw in enumerate(attempts):
        ev = fake_event(room, alice.user_id, f"!ping rejected {i}")
        txn = f"bad-{i}-{secrets.token_hex(4)}"
        st, js = put_transaction(ashs.push.url, txn, {"events": [ev]}, **kw)
        assert st == 403, (kw, st, js)
        assert isinstance(js, dict) and js.get("errcode") == "M_FORBIDDEN", (kw, js)
        rejected.append((txn, ev))
    for token in (None, "wrong", reg["as_token"]):
        st, js = post_ping(ashs.push.url, token)
        assert st == 403 and js.get("errcode") == "M_FORBIDDEN", (token, st, js)
    time.sleep(SETTLE * 2)
    for _, ev in rejected:
        assert bot_replies(alice, room, ashs.push.user_id, ev["event_id"]) == []
    assert bot.alive
    # a refused transaction id is not burnt: sent properly, it is processed (once)
    txn, ev = rejected[0]
    assert put_transaction(ashs.push.url, txn, {"events": [ev]},
                           token=reg["hs_token"]) == (200, {})
    alice.wait_reply(room, ashs.push.user_id, ev["event_id"])
    time.sleep(SETTLE)
    assert len(bot_replies(alice, room, ashs.push.user_id, ev["event_id"])) == 1
    for _, other in rejected[1:]:
        assert bot_replies(alice, room, ashs.push.user_id, other["event_id"]) == []


def test_push_ping(ashs, as_bots, alice):
    _, bot = push_ready(ashs, as_bots, alice)
    token = ashs.push.reg["hs_token"]
    assert post_ping(ashs.push.url, token) == (200, {})
    st, js = post_ping(ashs.push.url, token, {"transaction_id": "ping-" + secrets.token_hex(4)})
    assert (st, js) == (200, {})
    # the homeserver's own appservice ping goes all the way to camas and back
    res = ashs.hs.appservice_ping(ashs.push.reg, transaction_id="hs-" + secrets.token_hex(4))
    assert isinstance(res.get("duration_ms"), int)
    assert bot.stop() == 0, "SIGTERM should exit with status 0"


def test_push_ack_is_durable_across_kill9(ashs, as_bots, alice):
    """A transaction acknowledged with 200 survives kill -9 right after the answer."""
    room, bot = push_ready(ashs, as_bots, alice)
    token = ashs.push.reg["hs_token"]
    asked = []
    for i in range(3):
        ev = fake_event(room, alice.user_id, f"!ping durable {i}")
        st, js = put_transaction(ashs.push.url, f"durable-{i}-{secrets.token_hex(4)}",
                                 {"events": [ev]}, token=token)
        assert (st, js) == (200, {})
        bot.kill()
        asked.append(ev["event_id"])
        start_bot(ashs, bot, "push")
    alice.assert_replies_exactly_once(room, ashs.push.user_id, asked, settle=2.5, timeout=40)


def test_push_kill9_backlog_answered_once(ashs, as_bots, alice):
    """While camas is dead Synapse's pushes fail; it retries them after the restart."""
    room, bot = push_ready(ashs, as_bots, alice)
    before = alice.send(room, "!ping")
    alice.wait_reply(room, ashs.push.user_id, before)
    bot.kill()
    while_down = [alice.send(room, f"asked while camas was dead {i}") for i in range(3)]
    start_bot(ashs, bot, "push")
    alice.assert_replies_exactly_once(room, ashs.push.user_id, [before, *while_down],
                                      settle=2.5, timeout=60)
    assert len(alice.bot_messages(room, ashs.push.user_id)) == 4


# =========================================================================================
# websocket mode: Synapse -> relay -> camas
# =========================================================================================
def ws_ready(ashs, as_bots, relays, alice):
    relay = relays("ws")
    room = alice.create_room(name="ws-help")
    bot = as_bots("websocket", rooms=[{"id": room, "kind": "help"}], relay=relay)
    start_bot(ashs, bot, "ws")
    relay.wait_connected()
    alice.wait_membership(room, ashs.ws.user_id, "join")
    return relay, room, bot


def test_ws_answers_help_room_and_pings(ashs, as_bots, relays, alice):
    relay, room, bot = ws_ready(ashs, as_bots, relays, alice)
    relay.wait_log(r"X-Mautrix-Websocket-Version: 3\)")
    q1 = alice.send(room, "How do I reach the task force?")
    q2 = alice.send(room, "!ping")
    replies = alice.assert_replies_exactly_once(room, ashs.ws.user_id, [q1, q2])
    for q, r in replies.items():
        assert_reply_shape(r, q, alice.user_id)
    assert replies[q2]["content"]["body"].startswith("pong")
    assert len(alice.bot_messages(room, ashs.ws.user_id)) == 2
    assert "/sync" not in bot.log(), "websocket mode must not /sync"
    # camas pings the server periodically and gets its answers
    relay.wait_log(r"received ping #\d+ from camas-ws in -?\d+ ms", timeout=20)
    relay.wait_log(r"sent response to request #\d+")
    assert relay.count(r"unknown command") == 0
    assert relay.count(r"connected to websocket \(conn") == 1


def test_ws_relay_kill9_mid_conversation(ashs, as_bots, relays, alice):
    relay, room, bot = ws_ready(ashs, as_bots, relays, alice)
    first = alice.send(room, "!ping")
    alice.wait_reply(room, ashs.ws.user_id, first)
    asked = [first]
    for i in range(14):
        if i == 4:
            relay.kill()
        if i == 9:
            relay.start()       # same port
        asked.append(alice.send(room, f"question {i}: where can I find help?"))
        time.sleep(0.4)
    alice.assert_replies_exactly_once(room, ashs.ws.user_id, asked, settle=3, timeout=90)
    assert len(alice.bot_messages(room, ashs.ws.user_id)) == len(asked)
    assert bot.alive
    relay.wait_connected()
    assert relay.count(r"sent transaction") >= 1, "the backlog came through the new relay"


def test_ws_camas_kill9_answers_backlog_once(ashs, as_bots, relays, alice):
    relay, room, bot = ws_ready(ashs, as_bots, relays, alice)
    before = alice.send(room, "!ping")
    alice.wait_reply(room, ashs.ws.user_id, before)
    bot.kill()
    relay.wait_log(r"disconnected from websocket")
    while_down = [alice.send(room, f"asked while camas was dead {i}") for i in range(3)]
    relay.wait_log(r"rejecting transaction \S+ to camas-ws .*not connected")
    start_bot(ashs, bot, "ws")
    alice.assert_replies_exactly_once(room, ashs.ws.user_id, [before, *while_down],
                                      settle=2.5, timeout=60)
    assert len(alice.bot_messages(room, ashs.ws.user_id)) == 4


def test_ws_conn_replaced_first_camas_exits(ashs, as_bots, relays, alice):
    relay, room, first = ws_ready(ashs, as_bots, relays, alice)
    q1 = alice.send(room, "!ping")
    alice.wait_reply(room, ashs.ws.user_id, q1)

    second = as_bots("websocket", rooms=[{"id": room, "kind": "help"}], relay=relay)
    second.start()
    second.wait_ready()
    relay.wait_connected(count=2)
    assert first.wait_exit(timeout=20) == 0, first.tail()
    assert "conn_replaced" in first.log()
    time.sleep(SETTLE * 2)
    assert relay.count(r"connected to websocket \(conn") == 2, \
        "the replaced camas must not reconnect:\n" + relay.tail()
    assert second.alive
    q2 = alice.send(room, "!ping after the takeover")
    alice.assert_replies_exactly_once(room, ashs.ws.user_id, [q1, q2])
    assert len(alice.bot_messages(room, ashs.ws.user_id)) == 2


# -- more push-mode behaviour ---------------------------------------------------------------
def test_push_invites_follow_allow_list(ashs, as_bots, as_user):
    alice, bob = as_user("alice"), as_user("bob")
    bot = as_bots("push", invites={"allow": [alice.user_id]})
    start_bot(ashs, bot, "push")
    allowed = alice.create_room(name="allowed", public=False, invite=[ashs.push.user_id])
    refused = bob.create_room(name="refused", public=False, invite=[ashs.push.user_id])
    alice.wait_membership(allowed, ashs.push.user_id, "join")
    bob.wait_membership(refused, ashs.push.user_id, "leave")
    q = alice.send(allowed, "!ping")
    alice.assert_replies_exactly_once(allowed, ashs.push.user_id, [q])


def test_push_mixed_transaction(ashs, as_bots, alice):
    """A transaction with several kinds of events (and fields camas does not know) is
    taken as a whole: the question is answered once, the bot's own message never."""
    room, bot = push_ready(ashs, as_bots, alice)
    own = fake_event(room, ashs.push.user_id, "!ping from the bot itself")
    question = fake_event(room, alice.user_id, "!ping")
    topic = {"type": "m.room.topic", "state_key": "", "room_id": room,
             "sender": alice.user_id, "event_id": f"$fake-{secrets.token_hex(8)}:localhost",
             "origin_server_ts": int(time.time() * 1000), "content": {"topic": "t"}}
    body = {"events": [topic, own, question],
            "ephemeral": [{"type": "m.typing", "room_id": room,
                           "content": {"user_ids": [alice.user_id]}}],
            "de.sorunome.msc2409.ephemeral": [], "to_device": [],
            "org.example.unknown": {"x": 1}}
    st, js = put_transaction(ashs.push.url, "mixed-" + secrets.token_hex(4), body,
                             token=ashs.push.reg["hs_token"])
    assert (st, js) == (200, {})
    alice.wait_reply(room, ashs.push.user_id, question["event_id"])
    time.sleep(SETTLE)
    assert len(bot_replies(alice, room, ashs.push.user_id, question["event_id"])) == 1
    assert bot_replies(alice, room, ashs.push.user_id, own["event_id"]) == []
    assert bot.alive


def test_push_bad_json_refused(ashs, as_bots, alice):
    room, bot = push_ready(ashs, as_bots, alice)
    token = ashs.push.reg["hs_token"]
    for raw in (b"{not json", b"[1, 2]", b'{"events": "nope"}'):
        st, js = put_transaction(ashs.push.url, "bad-" + secrets.token_hex(4), raw,
                                 token=token)
        assert st == 400, (raw, st, js)
    assert bot.alive
    ev = fake_event(room, alice.user_id, "!ping after garbage")
    assert put_transaction(ashs.push.url, "good-" + secrets.token_hex(4), {"events": [ev]},
                           token=token) == (200, {})
    alice.assert_replies_exactly_once(room, ashs.push.user_id, [ev["event_id"]])


def test_push_lone_surrogate_does_not_refuse_the_transaction(ashs, as_bots, alice):
    """One event carrying a lone surrogate escape (\\ud800, invalid JSON text for cJSON)
    used to fail the whole transaction with 400, so the homeserver would retry it forever
    and every other event in it waited; now it is read with U+FFFD and the rest answered."""
    room, bot = push_ready(ashs, as_bots, alice)
    bad = fake_event(room, alice.user_id, "!ping BADMARK")
    good = fake_event(room, alice.user_id, "!ping")
    raw = json.dumps({"events": [bad, good]}).replace("BADMARK", "\\ud800").encode()
    assert b"\\ud800" in raw
    st, js = put_transaction(ashs.push.url, "surrogate-" + secrets.token_hex(4), raw,
                             token=ashs.push.reg["hs_token"])
    assert (st, js) == (200, {})
    alice.assert_replies_exactly_once(room, ashs.push.user_id, [good["event_id"]])
    assert bot.alive


# -- more websocket-mode behaviour ----------------------------------------------------------
def test_ws_retried_transaction_processed_once(ashs, as_bots, relays, alice):
    """The homeserver may push a transaction again (say its request timed out after the
    relay had forwarded it): camas answers once, also after a restart in between."""
    relay, room, bot = ws_ready(ashs, as_bots, relays, alice)
    token = ashs.ws.reg["hs_token"]
    ev = fake_event(room, alice.user_id, "!ping")
    txn = "ws-retry-" + secrets.token_hex(4)
    assert put_transaction(relay.url, txn, {"events": [ev]}, token=token) == (200, {})
    assert put_transaction(relay.url, txn, {"events": [ev]}, token=token) == (200, {})
    alice.wait_reply(room, ashs.ws.user_id, ev["event_id"])
    time.sleep(SETTLE)
    assert len(bot_replies(alice, room, ashs.ws.user_id, ev["event_id"])) == 1

    assert bot.stop() == 0, "SIGTERM should exit with status 0"
    start_bot(ashs, bot, "ws")
    relay.wait_connected(count=2)
    assert put_transaction(relay.url, txn, {"events": [ev]}, token=token) == (200, {})
    q = alice.send(room, "!ping after the restart")
    alice.wait_reply(room, ashs.ws.user_id, q)
    time.sleep(SETTLE)
    assert len(bot_replies(alice, room, ashs.ws.user_id, ev["event_id"])) == 1
    assert len(alice.bot_messages(room, ashs.ws.user_id)) == 2


def test_ws_relay_graceful_restart(ashs, as_bots, relays, alice):
    """wsproxy going away politely (1001 server_shutting_down): camas reconnects."""
    relay, room, bot = ws_ready(ashs, as_bots, relays, alice)
    q1 = alice.send(room, "!ping")
    alice.wait_reply(room, ashs.ws.user_id, q1)
    relay.stop()
    relay.start()
    relay.wait_connected(timeout=20)
    q2 = alice.send(room, "!ping after the relay restart")
    alice.assert_replies_exactly_once(room, ashs.ws.user_id, [q1, q2], timeout=40)
    assert bot.alive
