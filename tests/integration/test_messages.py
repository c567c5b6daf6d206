"""knowledge/messages: what camas itself says (!help, "I'm not sure…", the hotline message)
is read from the knowledge. An edit takes effect on reload, in the core's texts (!help) and
the worker's (the abstain text); a malformed file or one that loses the hotline is refused
with its file and line, in the reply and the log, and the last good texts keep serving."""
from __future__ import annotations

import os
import re
import shutil
import signal
from pathlib import Path

from harness.util import wait_for

ROOT = Path(__file__).resolve().parents[2]
HOTLINE = "1-888-373-7888"
INTRO = "I answer questions about Washington State's anti-trafficking bodies"
ABSTAIN = "I'm not sure I can answer that from what I know."
NONSENSE = "xyzzy plugh frobnicate"


def _start(make_bot, alice, tmp_path: Path):
    knowledge = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge)
    help_room = alice.create_room(name="help")
    admin_room = alice.create_room(name="admin")
    bot = make_bot(rooms=[{"id": help_room, "kind": "help"}], admin_room=admin_room,
                   admins=[alice.user_id], knowledge_dir=str(knowledge)).start()
    alice.wait_membership(admin_room, bot.user_id, "join")
    return knowledge / "messages" / "messages.yaml", bot, help_room, admin_room


def _ask(alice, bot, room, text):
    q = alice.send(room, text)
    return alice.wait_reply(room, bot.user_id, q, timeout=20)["content"]["body"]


def _reload(alice, bot, admin_room):
    cmd = alice.send(admin_room, "!camas knowledge reload")
    return alice.wait_reply(admin_room, bot.user_id, cmd, timeout=30)["content"]["body"]


def test_edited_messages_reload_and_broken_ones_keep_the_last_good(make_bot, alice, tmp_path):
    messages, bot, room, admin_room = _start(make_bot, alice, tmp_path)
    assert _ask(alice, bot, room, "!help").startswith(INTRO)
    assert _ask(alice, bot, room, NONSENSE).startswith(ABSTAIN)

    # 1. An edit of a core text (!help) and a worker text (the abstain), then a reload.
    text = messages.read_text(encoding="utf-8")
    edited = text.replace(f'en: "{INTRO}', f'en: "(edited) {INTRO}', 1)
    edited = edited.replace(f'en: "{ABSTAIN}', f'en: "(edited) {ABSTAIN}', 1)
    assert edited.count("(edited)") == 2
    messages.write_text(edited, encoding="utf-8")
    reply = _reload(alice, bot, admin_room)
    assert reply.startswith("Done:"), reply

    def edited_help():
        body = _ask(alice, bot, room, "!help")
        return body if body.startswith("(edited) " + INTRO) else None
    wait_for(edited_help, timeout=20, interval=0.5, what="the edited !help")
    assert _ask(alice, bot, room, NONSENSE).startswith("(edited) " + ABSTAIN)

    # 2. Malformed YAML: refused with file and line, in the reply and the log; the edited
    # texts keep serving, in the core and in the worker.
    broken = edited + "\nhelp.tail: [unclosed\n"
    line = broken.count("\n")  # the line of "help.tail: [unclosed" (libyaml may say the next)
    messages.write_text(broken, encoding="utf-8")
    reply = _reload(alice, bot, admin_room)
    assert reply.startswith("Refused:") and "messages/messages.yaml:" in reply, reply
    m = re.search(r"messages/messages\.yaml:(\d+): not valid YAML", reply)
    assert m and abs(int(m.group(1)) - line) <= 1, (reply, line)
    bot.camas.wait_log(r"messages refused, the previous texts keep serving: .*messages\.yaml:\d+")
    assert _ask(alice, bot, room, "!help").startswith("(edited) " + INTRO)
    assert _ask(alice, bot, room, NONSENSE).startswith("(edited) " + ABSTAIN)

    # 3. A well-formed edit that drops the hotline from the danger message, reloaded by
    # SIGHUP: refused, and a cry for help still gets the hotline.
    no_hotline = edited.replace("call 1-888-373-7888 or text 233733.", "call the hotline.", 1)
    assert no_hotline != edited
    messages.write_text(no_hotline, encoding="utf-8")
    danger_line = no_hotline.splitlines().index(
        next(ln for ln in no_hotline.splitlines() if "call the hotline." in ln)) + 1
    os.kill(bot.camas.proc.pid, signal.SIGHUP)
    bot.camas.wait_log(rf"messages\.yaml:{danger_line}: 'safety\.danger' \(en\) must give the "
                       rf"hotline .*1-888-373-7888 is missing")
    first = _ask(alice, bot, room, "please help me, I am being trafficked and can't leave")
    assert HOTLINE in first and "233733" in first and "911" in first, first
