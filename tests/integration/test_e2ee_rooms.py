"""End-to-end encryption, second increment (issue 13): camas reads and answers in encrypted
rooms, tested with an independent E2EE client (matrix-nio[e2e]: vodozemac's Python
bindings) against the real Synapse.

Skipped when camas was built without encryption or matrix-nio lacks its e2e extra.
"""

from __future__ import annotations

import secrets
import time

import pytest

from harness import in_reply_to, wait_for

try:
    from harness.e2ee_client import E2EEClient
    from nio import MegolmEvent, RoomMessageNotice
    from nio.crypto import ENCRYPTION_ENABLED
except ImportError:  # pragma: no cover
    ENCRYPTION_ENABLED = False

from test_e2ee import start_encrypted

pytestmark = pytest.mark.skipif(not ENCRYPTION_ENABLED,
                                reason="matrix-nio without its e2e extra (pip install "
                                       "'matrix-nio[e2e]')")


@pytest.fixture
def e2ee_user(synapse, tmp_path):
    """Factory: e2ee_user("alice") registers a fresh user with an encrypting nio device."""
    made = []

    def make(prefix: str = "user", login: dict | None = None) -> E2EEClient:
        if login is None:
            login = synapse.register(f"{prefix}{len(made)}-{secrets.token_hex(3)}",
                                     secrets.token_hex(12))
        c = E2EEClient(synapse.url, login, tmp_path / f"nio-{login['user_id'][1:]}-"
                                                      f"{login['device_id']}")
        made.append(c)
        return c

    yield make
    for c in made:
        try:
            c.close()
        except Exception:
            pass


def encrypted_events_from(client_raw, room_id: str, sender: str) -> list:
    return [e for e in client_raw.messages(room_id) if e.get("sender") == sender]


def raw_api(e: "E2EEClient", method: str, path: str, body=None):
    from harness.util import http_json
    return http_json(method, f"{e.nio.homeserver}{path}", body, token=e.nio.access_token)


def raw_messages(e: "E2EEClient", room_id: str) -> list:
    import urllib.parse
    page = raw_api(e, "GET", f"/_matrix/client/v3/rooms/{urllib.parse.quote(room_id)}/messages"
                             "?dir=b&limit=200")
    return list(reversed(page.get("chunk") or []))


def bot_raw_events(e: "E2EEClient", room_id: str, bot_id: str) -> list:
    return [ev for ev in raw_messages(e, room_id) if ev.get("sender") == bot_id
            and ev.get("type") in ("m.room.message", "m.room.encrypted")]


def assert_encrypted_reply(e: "E2EEClient", room_id: str, bot_id: str, question: str) -> dict:
    """The bot's reply to question, as the homeserver holds it: m.room.encrypted (megolm),
    the relation in clear, no plaintext body. Returns the raw event."""
    evs = [ev for ev in bot_raw_events(e, room_id, bot_id) if in_reply_to(ev) == question]
    assert len(evs) == 1, evs
    ev = evs[0]
    assert ev["type"] == "m.room.encrypted", ev
    assert ev["content"]["algorithm"] == "m.megolm.v1.aes-sha2"
    assert "body" not in ev["content"]
    return ev


def test_encrypted_dm_answered_with_encrypted_reply(make_bot, e2ee_user):
    alice = e2ee_user("alice")
    bot = start_encrypted(make_bot, invites={"allow": [alice.user_id]})
    dm = alice.create_encrypted_room(invite=[bot.user_id], is_direct=True)
    wait_for(lambda: (alice.sync(0), bot.user_id in alice.nio.rooms[dm].users)[1],
             timeout=30, interval=0.2, what="camas joined the DM")
    q = alice.send(dm, "hello, what are your opening hours?")
    reply = alice.wait_reply(dm, bot.user_id, q)
    assert isinstance(reply, RoomMessageNotice), reply
    assert reply.decrypted, "nio says the reply was not encrypted"
    assert reply.body.strip()
    raw = assert_encrypted_reply(alice, dm, bot.user_id, q)
    # Exactly once, and the question never reached the log in clear.
    time.sleep(1.5)
    alice.sync(0)
    assert len(alice.replies(dm, bot.user_id, q)) == 1
    assert len([ev for ev in bot_raw_events(alice, dm, bot.user_id)
                if in_reply_to(ev) == q]) == 1
    assert raw["content"]["ciphertext"] not in bot.camas.log()
