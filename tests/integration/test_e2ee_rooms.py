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
        password = secrets.token_hex(12)
        if login is None:
            login = synapse.register(f"{prefix}{len(made)}-{secrets.token_hex(3)}", password)
        c = E2EEClient(synapse.url, login, tmp_path / f"nio-{login['user_id'][1:]}-"
                                                      f"{login['device_id']}")
        c.password = password
        made.append(c)
        return c

    yield make
    for c in made:
        try:
            c.close()
        except Exception:
            pass


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


def joined(e: "E2EEClient", room_id: str, user_id: str) -> None:
    wait_for(lambda: (e.sync(0), user_id in e.nio.rooms[room_id].users)[1],
             timeout=30, interval=0.2, what=f"{user_id} joined {room_id}")


def encrypted_dm_answered_once(make_bot, e2ee_user):
    """alice, camas, their encrypted DM, and a first question camas answered in it."""
    alice = e2ee_user("alice")
    bot = start_encrypted(make_bot, invites={"allow": [alice.user_id]})
    dm = alice.create_encrypted_room(invite=[bot.user_id], is_direct=True)
    joined(alice, dm, bot.user_id)
    q0 = alice.send(dm, "!ping")
    alice.wait_reply(dm, bot.user_id, q0)
    return alice, bot, dm, q0


def staff_room(make_bot, e2ee_user, n_users: int = 3):
    """An encrypted private staff room of n_users encrypting users and camas."""
    users = [e2ee_user(name) for name in ("alice", "bob", "carol", "dave")[:n_users]]
    alice = users[0]
    room = alice.create_encrypted_room(invite=[u.user_id for u in users[1:]])
    for u in users[1:]:
        u.sync(0)
        u.join(room)
    bot = make_bot(rooms=[{"id": room, "kind": "staff"}], encryption={"enabled": True})
    alice.invite(room, bot.user_id)
    bot.start(timeout=60)
    joined(alice, room, bot.user_id)
    return room, bot, users


def session_id(raw: dict) -> str:
    return raw["content"]["session_id"]


def test_encrypted_staff_room_mention_answered_and_key_rotated_when_a_member_leaves(
        make_bot, e2ee_user):
    room, bot, (alice, bob, carol) = staff_room(make_bot, e2ee_user)
    chatter = bob.send(room, "hello everyone, meeting at 3")
    q1 = alice.send(room, "camas: where are the meeting documents?", mentions=[bot.user_id])
    ping = carol.send(room, "!ping")
    r1 = alice.wait_reply(room, bot.user_id, q1)
    assert r1.decrypted and r1.body.strip()
    # Every member's device got the room key: bob and carol read the answer too.
    assert bob.wait_reply(room, bot.user_id, q1).body == r1.body
    pong = carol.wait_reply(room, bot.user_id, ping)
    assert pong.body.startswith("pong")
    raw1 = assert_encrypted_reply(alice, room, bot.user_id, q1)
    assert_encrypted_reply(alice, room, bot.user_id, ping)
    time.sleep(1.5)
    assert [ev for ev in bot_raw_events(alice, room, bot.user_id)
            if in_reply_to(ev) == chatter] == []

    # bob leaves: camas's next answer is under a new room key that bob never gets.
    bob.leave(room)
    q2 = alice.send(room, "camas: who chairs the task force?", mentions=[bot.user_id])
    r2 = alice.wait_reply(room, bot.user_id, q2)
    assert r2.decrypted
    assert carol.wait_reply(room, bot.user_id, q2).decrypted
    raw2 = assert_encrypted_reply(alice, room, bot.user_id, q2)
    assert session_id(raw2) != session_id(raw1), "the room key was not rotated"
    bob.sync(0)
    ev = MegolmEvent.from_dict(dict(raw2, room_id=room))
    with pytest.raises(Exception):
        bob.nio.decrypt_event(ev)
    # ...while he still reads what was said before he left.
    assert bob.nio.decrypt_event(MegolmEvent.from_dict(dict(raw1, room_id=room))).body == r1.body


def test_member_who_joins_reads_the_next_answer(make_bot, e2ee_user):
    room, bot, (alice, bob, carol) = staff_room(make_bot, e2ee_user)
    q1 = alice.send(room, "!ping")
    alice.wait_reply(room, bot.user_id, q1)
    dave = e2ee_user("dave")
    alice.invite(room, dave.user_id)
    dave.sync(0)
    dave.join(room)
    q2 = carol.send(room, "camas: who chairs the task force?", mentions=[bot.user_id])
    r2 = dave.wait_reply(room, bot.user_id, q2)
    assert r2.decrypted and r2.body.strip()
    assert alice.wait_reply(room, bot.user_id, q2).body == r2.body


def test_new_device_reads_the_next_answer(make_bot, e2ee_user, synapse):
    room, bot, (alice, bob) = staff_room(make_bot, e2ee_user, n_users=2)
    q1 = alice.send(room, "!ping")
    alice.wait_reply(room, bot.user_id, q1)
    # bob logs in on a second device; camas learns of it from /sync's device list changes.
    login2 = synapse.login(bob.user_id, bob.password)
    bob2 = e2ee_user(login=login2)
    bob2.sync(0)
    time.sleep(1.0)
    q2 = alice.send(room, "camas: where are the meeting documents?", mentions=[bot.user_id])
    r2 = bob2.wait_reply(room, bot.user_id, q2)
    assert r2.decrypted and r2.body.strip()


def test_kill_and_restart_answers_what_came_meanwhile_once(make_bot, e2ee_user):
    alice, bot, dm, q0 = encrypted_dm_answered_once(make_bot, e2ee_user)

    bot.camas.kill()
    qs = [alice.send(dm, "!ping"), alice.send(dm, "where are the meeting documents?")]
    bot.camas.start()
    bot.camas.wait_ready(60)
    for q in qs:
        assert alice.wait_reply(dm, bot.user_id, q).decrypted
    time.sleep(2.0)
    alice.sync(0)
    for q in [q0] + qs:
        assert len(alice.replies(dm, bot.user_id, q)) == 1, q
        assert_encrypted_reply(alice, dm, bot.user_id, q)

    # A restart (not a kill) too: the old sessions go on.
    bot.camas.stop()
    bot.camas.start()
    bot.camas.wait_ready(60)
    q3 = alice.send(dm, "!ping")
    assert alice.wait_reply(dm, bot.user_id, q3).decrypted

    # No key material or passphrase in the log.
    log = bot.camas.log()
    passphrase = (bot.camas.state_dir / "crypto-passphrase").read_text().strip()
    assert passphrase not in log
    for q in [q0] + qs + [q3]:
        raw = assert_encrypted_reply(alice, dm, bot.user_id, q)
        assert raw["content"]["ciphertext"] not in log
        assert raw["content"]["session_id"] not in log


def test_withheld_key_one_notice_then_answered_when_the_key_arrives_after_a_restart(make_bot, e2ee_user):
    import uuid
    alice, bot, dm, q0 = encrypted_dm_answered_once(make_bot, e2ee_user)

    # alice's client starts a new room key and encrypts two questions with it, but holds
    # back the to-device message that gives camas the key (index 0).
    olm = alice.nio.olm
    olm.outbound_group_sessions.pop(dm, None)
    olm.create_outbound_group_session(dm)
    _, held_back = olm.share_group_session(dm, [bot.user_id], ignore_missing_sessions=True,
                                           ignore_unverified_devices=True)
    olm.outbound_group_sessions[dm].shared = True
    assert held_back["messages"].get(bot.user_id), held_back

    def send_encrypted(body: str) -> str:
        content = olm.group_encrypt(dm, {"type": "m.room.message",
                                         "content": {"msgtype": "m.text", "body": body}})
        return raw_api(alice, "PUT", f"/_matrix/client/v3/rooms/{dm}/send/m.room.encrypted/"
                                     f"{uuid.uuid4().hex}", content)["event_id"]
    unreadable = [send_encrypted("!ping"), send_encrypted("where are the meeting documents?")]

    def notices():
        alice.sync(0)
        return [e for r, e in alice.events
                if r == dm and e.sender == bot.user_id and isinstance(e, RoomMessageNotice)
                and "could not decrypt" in e.body]
    wait_for(lambda: notices() or None, timeout=30, interval=0.5, what="the notice")
    time.sleep(2.0)
    assert len(notices()) == 1, "more than one notice within the hour"
    for q in unreadable:
        assert alice.replies(dm, bot.user_id, q) == []
    assert "cannot decrypt" in bot.camas.log()

    # camas is killed and comes back (what it kept survives), then the key arrives: both
    # questions are answered, once each.
    bot.camas.kill()
    bot.camas.start()
    bot.camas.wait_ready(60)
    assert "2 undecryptable events kept from the last run" in bot.camas.log_since_start()
    raw_api(alice, "PUT", f"/_matrix/client/v3/sendToDevice/m.room.encrypted/{uuid.uuid4().hex}",
            held_back)
    for q in unreadable:
        assert alice.wait_reply(dm, bot.user_id, q).decrypted
    time.sleep(2.0)
    alice.sync(0)
    for q in unreadable:
        assert len(alice.replies(dm, bot.user_id, q)) == 1
    assert len(notices()) == 1


def olm_to_device(e: "E2EEClient", recipient_user: str, payload_keys: dict) -> dict:
    """An m.dummy to-device event Olm-encrypted by e's existing session with recipient_user's
    device, whose decrypted payload claims the sender keys payload_keys (what nio would send,
    with those keys instead of its own)."""
    import json

    from nio.crypto import OlmDevice
    from unpaddedbase64 import encode_base64
    olm = e.nio.olm
    device: OlmDevice = next(iter(olm.device_store[recipient_user].values()))
    session = olm.session_store.get(device.curve25519)
    assert session is not None, "no Olm session with the bot's device yet"
    payload = {"sender": e.user_id, "sender_device": e.device_id, "keys": payload_keys,
               "recipient": recipient_user, "recipient_keys": {"ed25519": device.ed25519},
               "type": "m.dummy", "content": {}}
    message_type, ciphertext = session.encrypt(json.dumps(payload)).to_parts()
    return {"messages": {recipient_user: {device.id: {
        "algorithm": "m.olm.v1.curve25519-aes-sha2",
        "sender_key": olm.account.identity_keys["curve25519"],
        "ciphertext": {device.curve25519: {"type": message_type,
                                           "body": encode_base64(ciphertext)}}}}}}


def test_olm_payload_with_a_33_byte_ed25519_key_loses_only_itself(make_bot, e2ee_user):
    """vodozemac 0.10 panicked on an Ed25519 key of 44 base64 characters without padding (33
    bytes); inside an Olm-encrypted to-device event camas cannot filter it before
    matrix-sdk-crypto decrypts it, and the panic failed the whole batch of to-device events,
    the room key that came with it among them. camas's patched copy refuses the key instead:
    only that event is dropped (crypto/vendor/vodozemac/CAMAS-PATCH.md)."""
    import uuid
    alice, bot, dm, q0 = encrypted_dm_answered_once(make_bot, e2ee_user)
    olm = alice.nio.olm

    # camas is down while a malformed Olm event and then a new room key reach its device,
    # so that its first /sync back holds both in one batch.
    bot.camas.kill()
    bad = olm_to_device(alice, bot.user_id, {"ed25519": "A" * 44})
    raw_api(alice, "PUT", f"/_matrix/client/v3/sendToDevice/m.room.encrypted/{uuid.uuid4().hex}",
            bad)
    olm.outbound_group_sessions.pop(dm, None)
    olm.create_outbound_group_session(dm)
    _, room_key = olm.share_group_session(dm, [bot.user_id], ignore_missing_sessions=True,
                                          ignore_unverified_devices=True)
    olm.outbound_group_sessions[dm].shared = True
    raw_api(alice, "PUT", f"/_matrix/client/v3/sendToDevice/m.room.encrypted/{uuid.uuid4().hex}",
            room_key)
    content = olm.group_encrypt(dm, {"type": "m.room.message",
                                     "content": {"msgtype": "m.text", "body": "!ping"}})
    q = raw_api(alice, "PUT", f"/_matrix/client/v3/rooms/{dm}/send/m.room.encrypted/"
                              f"{uuid.uuid4().hex}", content)["event_id"]

    bot.camas.start()
    bot.camas.wait_ready(60)
    reply = alice.wait_reply(dm, bot.user_id, q)
    assert isinstance(reply, RoomMessageNotice) and reply.decrypted, reply
    assert "could not decrypt" not in reply.body
    assert "panicked" not in bot.camas.log_since_start()
