"""How camas behaves in rooms: who gets an answer, what the answer looks like."""

import time

from harness import in_reply_to, relates_to

SETTLE = 1.5  # seconds of quiet before asserting that something did NOT happen


def help_room(client, **kw):
    return client.create_room(name="help", **kw)


def assert_reply_shape(reply, question_id, asker):
    c = reply["content"]
    assert reply["type"] == "m.room.message"
    assert c["msgtype"] == "m.notice"
    assert isinstance(c["body"], str) and c["body"].strip()
    assert c["format"] == "org.matrix.custom.html"
    assert isinstance(c["formatted_body"], str) and c["formatted_body"].strip()
    assert c["m.relates_to"]["m.in_reply_to"]["event_id"] == question_id
    assert c["m.mentions"] == {"user_ids": [asker]}


def test_help_room_answers_every_message_once(make_bot, alice):
    alias = alice.user_id[1:].split(":")[0] + "-help"
    room = help_room(alice, alias=alias)
    bot = make_bot(rooms=[{"id": f"#{alias}:localhost", "kind": "help"}]).start()
    alice.wait_membership(room, bot.user_id, "join")

    q1 = alice.send(room, "How do I reach the task force?")
    q2 = alice.send(room, "hello")
    replies = alice.assert_replies_exactly_once(room, bot.user_id, [q1, q2])
    for q, r in replies.items():
        assert_reply_shape(r, q, alice.user_id)
        assert relates_to(r).get("rel_type") is None  # not a thread reply
    # nothing but those two replies (never answers itself, no echo loops)
    assert len(alice.bot_messages(room, bot.user_id)) == 2


def test_ping_and_help_commands(make_bot, alice):
    room = help_room(alice)
    bot = make_bot(rooms=[{"id": room, "kind": "help"}]).start()
    ping = alice.send(room, "!ping")
    helpq = alice.send(room, "!help")
    replies = alice.assert_replies_exactly_once(room, bot.user_id, [ping, helpq])
    assert replies[ping]["content"]["body"].startswith("pong")
    assert "!ping" in replies[helpq]["content"]["body"]
    assert_reply_shape(replies[ping], ping, alice.user_id)


def test_history_before_first_start_not_answered(make_bot, alice):
    room = help_room(alice)
    old = alice.send(room, "a question from before the bot existed")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}]).start()
    new = alice.send(room, "a new question")
    alice.assert_replies_exactly_once(room, bot.user_id, [new])
    assert alice.replies_to(room, bot.user_id, old) == []
    assert len(alice.bot_messages(room, bot.user_id)) == 1


def test_staff_room_commands_and_mentions_only(make_bot, alice):
    room = alice.create_room(name="staff")
    bot = make_bot(rooms=[{"id": room, "kind": "staff"}]).start()
    chatter = alice.send(room, "hello everyone, meeting at 3")
    by_pill = alice.send(room, "camas: where are the meeting documents?",
                         mentions=[bot.user_id])
    by_body = alice.send(room, f"{bot.user_id} who chairs the task force?")
    ping = alice.send(room, "!ping")
    replies = alice.assert_replies_exactly_once(room, bot.user_id, [by_pill, by_body, ping])
    assert replies[ping]["content"]["body"].startswith("pong")
    for q, r in replies.items():
        assert_reply_shape(r, q, alice.user_id)
    assert alice.replies_to(room, bot.user_id, chatter) == []
    assert len(alice.bot_messages(room, bot.user_id)) == 3


def test_thread_replies_stay_in_thread(make_bot, alice):
    room = help_room(alice)
    bot = make_bot(rooms=[{"id": room, "kind": "help"}]).start()
    root = alice.send(room, "root question")
    alice.wait_reply(room, bot.user_id, root)
    inthread = alice.send(room, "follow-up in the thread", thread_root=root)
    replies = alice.assert_replies_exactly_once(room, bot.user_id, [root, inthread])
    rel = relates_to(replies[inthread])
    assert rel.get("rel_type") == "m.thread"
    assert rel.get("event_id") == root
    # A real reply to the question, not a thread fallback (spec: is_falling_back false).
    assert rel.get("is_falling_back") is False
    assert rel["m.in_reply_to"]["event_id"] == inthread
    assert_reply_shape(replies[inthread], inthread, alice.user_id)


def test_notices_from_others_are_ignored(make_bot, alice):
    room = help_room(alice)
    bot = make_bot(rooms=[{"id": room, "kind": "help"}]).start()
    notice = alice.send(room, "!ping", msgtype="m.notice")
    notice2 = alice.send(room, "a question, but as a notice", msgtype="m.notice")
    sentinel = alice.send(room, "!ping")
    alice.assert_replies_exactly_once(room, bot.user_id, [sentinel], settle=SETTLE)
    assert alice.replies_to(room, bot.user_id, notice) == []
    assert alice.replies_to(room, bot.user_id, notice2) == []
    assert len(alice.bot_messages(room, bot.user_id)) == 1


def test_edits_are_not_answered_again(make_bot, alice):
    room = help_room(alice)
    bot = make_bot(rooms=[{"id": room, "kind": "help"}]).start()
    q = alice.send(room, "what is WashACT?")
    alice.wait_reply(room, bot.user_id, q)
    edit = alice.edit(room, q, "what is WashACT exactly?")
    edit_ping = alice.edit(room, q, "!ping")
    sentinel = alice.send(room, "!ping")
    alice.assert_replies_exactly_once(room, bot.user_id, [q, sentinel], settle=SETTLE)
    assert alice.replies_to(room, bot.user_id, edit) == []
    assert alice.replies_to(room, bot.user_id, edit_ping) == []
    assert len(alice.bot_messages(room, bot.user_id)) == 2


def test_oversize_body_is_not_answered(make_bot, alice):
    """Over limits.max_message_bytes: not answered (not even a command); the first such
    message in a room gets one notice that it is too long (naming the hotline), the next
    ones within ten minutes nothing, and ordinary messages are answered as usual."""
    room = help_room(alice)
    bot = make_bot(rooms=[{"id": room, "kind": "help"}],
                   limits={"max_message_bytes": 100}).start()
    big = alice.send(room, "!ping " + "x" * 200)
    big_utf8 = alice.send(room, "é" * 60)  # 60 characters, 120 bytes
    ok = alice.send(room, "!ping " + "y" * 50)
    replies = alice.assert_replies_exactly_once(room, bot.user_id, [ok, big], settle=SETTLE)
    notice = replies[big]["content"]["body"]
    assert "too long" in notice and "1-888-373-7888" in notice, notice
    assert "pong" not in notice.lower(), notice
    assert alice.replies_to(room, bot.user_id, big_utf8) == []
    assert len(alice.bot_messages(room, bot.user_id)) == 2


def test_help_room_per_user_rate_limit(make_bot, alice, bob):
    room = help_room(alice)
    bob.join(room)
    bot = make_bot(rooms=[{"id": room, "kind": "help"}],
                   limits={"help_user_per_minute": 2}).start()
    asked = [alice.send(room, f"question number {i}") for i in range(4)]
    other = bob.send(room, "a question from someone else")
    alice.assert_replies_exactly_once(room, bot.user_id, asked[:2] + [other], settle=SETTLE)
    for q in asked[2:]:
        assert alice.replies_to(room, bot.user_id, q) == [], "over-limit message answered"
    assert len(alice.bot_messages(room, bot.user_id)) == 3


def test_encrypted_room_gets_exactly_one_notice(make_bot, alice):
    notice = "Encrypted rooms are not supported (test notice)."
    room = alice.create_room(name="secret", initial_state=[{
        "type": "m.room.encryption", "state_key": "",
        "content": {"algorithm": "m.megolm.v1.aes-sha2"}}])
    bot = make_bot(rooms=[{"id": room, "kind": "help"}],
                   encrypted_room_notice=notice).start()
    alice.wait_membership(room, bot.user_id, "join")
    alice.send_event(room, "m.room.encrypted", {
        "algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "AwgAEnACgAkLmt6qF84IK++J7Ug",
        "sender_key": "IlRMeOPX2e0MurIyfWEucYBRVOEEUMrOHqn/8mLqMjA",
        "session_id": "X3lUlvLELLYxeTx4yOVu6UDpasGEVO0Jbu+QFnm0cKQ",
        "device_id": "RJYKSTBOIE"})
    alice.send(room, "!ping")
    alice.send(room, "plain question in an encrypted room")
    alice.wait_events_from(room, bot.user_id, 1, event_type="m.room.message")
    time.sleep(2.5)
    said = alice.bot_messages(room, bot.user_id)
    assert len(said) == 1, said
    assert said[0]["content"]["msgtype"] == "m.notice"
    assert said[0]["content"]["body"] == notice


def test_encryption_turned_on_later_gets_one_notice(make_bot, alice):
    notice = "No E2EE here yet (test notice)."
    room = help_room(alice)
    bot = make_bot(rooms=[{"id": room, "kind": "help"}],
                   encrypted_room_notice=notice).start()
    ping = alice.send(room, "!ping")
    alice.wait_reply(room, bot.user_id, ping)
    alice.put_state(room, "m.room.encryption", {"algorithm": "m.megolm.v1.aes-sha2"})
    alice.send(room, "!ping")
    alice.wait_events_from(room, bot.user_id, 2, event_type="m.room.message")
    time.sleep(2.5)
    said = alice.bot_messages(room, bot.user_id)
    assert len(said) == 2, said
    assert said[1]["content"]["msgtype"] == "m.notice"
    assert said[1]["content"]["body"] == notice


def test_invites_from_allowed_users_only(make_bot, alice, bob):
    bot = make_bot(invites={"allow": [alice.user_id]}).start()
    allowed = alice.create_room(name="alice-invites", public=False, invite=[bot.user_id])
    refused = bob.create_room(name="bob-invites", public=False, invite=[bot.user_id])
    alice.wait_membership(allowed, bot.user_id, "join")
    bob.wait_membership(refused, bot.user_id, "leave")
    alice.invite(allowed, bob.user_id)  # three members: clearly not a direct chat
    bob.join(allowed)
    # an invited room behaves like a staff room: commands yes, chatter no
    chatter = alice.send(allowed, "just chatting")
    ping = alice.send(allowed, "!ping")
    r = alice.assert_replies_exactly_once(allowed, bot.user_id, [ping], settle=SETTLE)
    assert r[ping]["content"]["body"].startswith("pong")
    assert alice.replies_to(allowed, bot.user_id, chatter) == []


def test_invites_allowed_by_server(make_bot, alice):
    bot = make_bot(invites={"allow": [":localhost"]}).start()
    room = alice.create_room(name="server-allowed", public=False, invite=[bot.user_id])
    alice.wait_membership(room, bot.user_id, "join")


def test_direct_chat_answers_everything(make_bot, alice):
    bot = make_bot(invites={"allow": [alice.user_id]}).start()
    from nio import RoomPreset
    dm = alice.create_room(public=False, invite=[bot.user_id], is_direct=True,
                           preset=RoomPreset.trusted_private_chat)
    alice.wait_membership(dm, bot.user_id, "join")
    q = alice.send(dm, "hi, who can I talk to about trafficking?")
    r = alice.assert_replies_exactly_once(dm, bot.user_id, [q])
    assert_reply_shape(r[q], q, alice.user_id)
