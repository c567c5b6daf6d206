"""A question withdrawn by its asker (redacted) takes camas's answer with it: the answer
already sent is redacted too, and nothing new is said."""
from __future__ import annotations

import time
import urllib.parse
import uuid

from harness.util import wait_for


def redact(client, room_id: str, event_id: str) -> None:
    path = (f"/_matrix/client/v3/rooms/{urllib.parse.quote(room_id)}/redact/"
            f"{urllib.parse.quote(event_id)}/{uuid.uuid4().hex}")
    client.api("PUT", path, {"reason": "posted by mistake"})


def test_redacted_question_takes_the_answer_with_it(make_bot, alice):
    room = alice.create_room(name="help")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}]).start()
    q = alice.send(room, "who chairs the task force?")
    reply = alice.wait_reply(room, bot.user_id, q)
    assert "Richard Torrance" in reply["content"]["body"]
    redact(alice, room, q)

    def answer_redacted():
        for e in alice.messages(room):
            if e.get("event_id") == reply["event_id"] and not e.get("content"):
                return e
        return None
    wait_for(answer_redacted, timeout=20, interval=0.5, what="camas to redact its answer")
    # Only the one answer and its redaction: no new message about the withdrawal.
    time.sleep(1.0)
    assert len(alice.bot_messages(room, bot.user_id)) == 1
    other = alice.send(room, "who chairs washact?")
    assert "co-chair" in alice.wait_reply(room, bot.user_id, other)["content"]["body"]


def test_read_receipt_for_handled_messages(make_bot, alice):
    """camas marks what it handled as read (coalesced per room, after its replies)."""
    room = alice.create_room(name="help")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}]).start()
    q = alice.send(room, "!ping")
    alice.wait_reply(room, bot.user_id, q)

    def receipt():
        sync = alice.api("GET", "/_matrix/client/v3/sync?timeout=0")
        joined = (sync.get("rooms") or {}).get("join") or {}
        for ev in ((joined.get(room) or {}).get("ephemeral") or {}).get("events", []):
            if ev.get("type") != "m.receipt":
                continue
            for event_id, kinds in ev.get("content", {}).items():
                if bot.user_id in (kinds.get("m.read") or {}):
                    return event_id
        return None
    assert wait_for(receipt, timeout=15, interval=0.5, what="camas's read receipt") == q
