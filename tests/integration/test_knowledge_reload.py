"""Live knowledge reload: an edited knowledge file takes effect within seconds (inotify) or
on `!camas knowledge reload`; a broken edit is refused with file, line and reason in the
admin room, and the previous knowledge keeps answering."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

from harness.util import wait_for

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "what is the mission of washact?"
OLD = "to the fullest extent of the law"


def _knowledge_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", dst)
    return dst


def _bot_with_admin_room(make_bot, alice, knowledge: Path, tmp_path: Path):
    help_room = alice.create_room(name="help")
    admin_room = alice.create_room(name="admin")
    bot = make_bot(rooms=[{"id": help_room, "kind": "help"}], admin_room=admin_room,
                   admins=[alice.user_id], knowledge_dir=str(knowledge)).start()
    alice.wait_membership(admin_room, bot.user_id, "join")
    return bot, help_room, admin_room


def _ask(alice, bot, room, text):
    q = alice.send(room, text)
    return alice.wait_reply(room, bot.user_id, q)["content"]["body"]


def test_edit_takes_effect_and_broken_edit_is_refused(make_bot, alice, tmp_path):
    knowledge = _knowledge_copy(tmp_path)
    bot, room, admin_room = _bot_with_admin_room(make_bot, alice, knowledge, tmp_path)
    assert OLD in _ask(alice, bot, room, QUESTION)

    # 1. A good edit: the answer changes within a few seconds, with no command.
    faq = knowledge / "faq" / "washact.yaml"
    text = faq.read_text(encoding="utf-8")
    assert text.count(OLD) >= 1
    faq.write_text(text.replace(OLD, "to the fullest extent of the law (edited)"),
                   encoding="utf-8")
    t0 = time.monotonic()

    def changed():
        body = _ask(alice, bot, room, QUESTION)
        return body if "(edited)" in body else None
    wait_for(changed, timeout=20, interval=0.5, what="the edited answer")
    assert time.monotonic() - t0 < 15

    # 2. A broken edit (bad YAML): refused with file and line; the edited answer stays.
    faq.write_text(faq.read_text(encoding="utf-8") + "\n  - id: [unclosed\n",
                   encoding="utf-8")

    def alerted():
        for e in alice.bot_messages(admin_room, bot.user_id):
            body = e["content"]["body"]
            if "washact.yaml:" in body:
                return body
        return None
    alert = wait_for(alerted, timeout=20, interval=0.5, what="an admin-room alert")
    assert "faq/washact.yaml:" in alert
    assert "(edited)" in _ask(alice, bot, room, QUESTION)

    # 3. Fixed again, and reloaded on command: the admin is told it worked.
    faq.write_text(text.replace(OLD, "to the fullest extent of the law (second edit)"),
                   encoding="utf-8")
    cmd = alice.send(admin_room, "!camas knowledge reload")
    reply = alice.wait_reply(admin_room, bot.user_id, cmd, timeout=20)["content"]["body"]
    assert reply.startswith("Done:"), reply
    assert "(second edit)" in _ask(alice, bot, room, QUESTION)


def test_broken_bodies_file_keeps_aliases(make_bot, alice, tmp_path):
    knowledge = _knowledge_copy(tmp_path)
    bot, room, admin_room = _bot_with_admin_room(make_bot, alice, knowledge, tmp_path)
    (knowledge / "bodies.yaml").write_text("bodies:\n  - id: [broken\n", encoding="utf-8")
    cmd = alice.send(admin_room, "!camas knowledge reload")
    reply = alice.wait_reply(admin_room, bot.user_id, cmd, timeout=20)["content"]["body"]
    assert reply.startswith("Refused:") and "bodies.yaml:" in reply, reply
    # "ESEC" is an alias from the previous bodies.yaml: still understood.
    assert "206-442-4488" in _ask(alice, bot, room, "ESEC phone number")


def test_broken_names_are_refused_with_their_line(make_bot, alice, tmp_path):
    """bodies.yaml names: (people and offices, for yes/no verdicts) that are not lists of
    names: the reload is refused with FILE:LINE and the previous names keep working."""
    knowledge = _knowledge_copy(tmp_path)
    bot, room, admin_room = _bot_with_admin_room(make_bot, alice, knowledge, tmp_path)
    bodies = knowledge / "bodies.yaml"
    text = bodies.read_text(encoding="utf-8")
    # a bare name where names: wants a list of the ways to write one, first in the list
    broken = text.replace("\nnames:\n", '\nnames:\n  - "Kyle Bois"\n', 1)
    assert broken != text
    bodies.write_text(broken, encoding="utf-8")
    line = broken.splitlines().index('  - "Kyle Bois"') + 1
    cmd = alice.send(admin_room, "!camas knowledge reload")
    reply = alice.wait_reply(admin_room, bot.user_id, cmd, timeout=20)["content"]["body"]
    assert reply.startswith("Refused:") and f"bodies.yaml:{line}" in reply, reply
    assert "names" in reply, reply
    # the names from before the edit still tell a wrong chair from the right one
    assert _ask(alice, bot, room, "Is the task force chaired by Kyle Bois?").startswith("No"), \
        "previous names lost"
