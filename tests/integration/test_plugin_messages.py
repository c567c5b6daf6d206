"""knowledge/<plugin>/messages.yaml: what the shipped plugins say around their data (the
!member, !contact, !faq and !meetings replies) is read from each plugin's knowledge folder. The
compiled texts are the shipped file's, byte for byte; an edit takes effect on reload; a
malformed file is reported with its file and line, and the last good wording keeps serving
(on a first load, the compiled wording)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from harness import run_cli
from harness.util import wait_for
from test_messages import _ask, _reload, _start  # the bot with an admin room, as there

ROOT = Path(__file__).resolve().parents[2]
NOT_LISTED = 'The source text does not list "nobody at all" as taking part'
PLUGINS = ("meetings", "members", "contacts", "faq")
# Replies that go through every kind of template (usage lines, "not found", records, !help).
ASKED = [("en", "!member nobody at all"), ("fr", "!member nobody at all"), ("en", "!member"),
         ("en", "!member Torrance"), ("fr", "!member Torrance"), ("en", "!faq"),
         ("fr", "!faq nothing"), ("en", "!contact zzz"), ("fr", "!contact zzz"),
         ("en", "!meetings"), ("fr", "!meetings washact"), ("en", "!meetings zzz"),
         ("fr", "!help"), ("en", "!help")]


def _copy(tmp_path: Path) -> Path:
    k = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", k)
    return k


def _ask_cli(knowledge: Path, lang: str, question: str):
    r = run_cli(["--knowledge", str(knowledge), "ask", "--lang", lang, question], cwd=ROOT,
                timeout=60)
    return r.returncode, r.stdout.strip(), r.stderr


def test_compiled_wording_is_the_shipped_file(tmp_path):
    """Without the files, each plugin says exactly what it says with them."""
    shipped = [_ask_cli(ROOT / "knowledge", lang, q)[:2] for lang, q in ASKED]
    assert all(rc == 0 and out for rc, out in shipped), shipped
    bare = _copy(tmp_path)
    for name in PLUGINS:
        (bare / name / "messages.yaml").unlink()
    assert [_ask_cli(bare, lang, q)[:2] for lang, q in ASKED] == shipped


def test_broken_file_at_first_load_is_reported_and_the_compiled_wording_serves(tmp_path):
    knowledge = _copy(tmp_path)
    f = knowledge / "members" / "messages.yaml"
    text = f.read_text(encoding="utf-8")
    broken = text.replace('does not list \\"{name}\\"', 'does not list \\"{who}\\"', 1)
    assert broken != text
    f.write_text(broken, encoding="utf-8")
    line = broken.splitlines().index(
        next(ln for ln in broken.splitlines() if "{who}" in ln)) + 1
    r = run_cli(["--knowledge", str(knowledge), "check"], cwd=ROOT, timeout=60)
    assert r.returncode == 1 and "1 problem" in r.stdout, r.stdout  # alerts go to stderr
    assert re.search(rf"plugin members: knowledge/members/messages\.yaml:{line}: 'not-listed' "
                     rf"\(en\): unknown placeholder \{{who\}}", r.stdout + r.stderr), r.stderr
    rc, out, _ = _ask_cli(knowledge, "en", "!member nobody at all")
    assert rc == 0 and out.startswith(NOT_LISTED), out


def test_edited_plugin_wording_reloads_and_a_broken_file_keeps_the_last_good(make_bot, alice,
                                                                              tmp_path):
    core_messages, bot, room, admin_room = _start(make_bot, alice, tmp_path)
    knowledge = core_messages.parent.parent
    assert _ask(alice, bot, room, "!member nobody at all").startswith(NOT_LISTED)

    # 1. Staff reword a members template, and a meetings one (!help's line), then reload.
    members = knowledge / "members" / "messages.yaml"
    text = members.read_text(encoding="utf-8")
    edited = text.replace('en: "The source text does not list',
                          'en: "(edited) The source text does not list', 1)
    assert edited != text
    members.write_text(edited, encoding="utf-8")
    meetings = knowledge / "meetings" / "messages.yaml"
    mtext = meetings.read_text(encoding="utf-8")
    medited = mtext.replace("when and how often each body meets", "when each body meets (edited)")
    assert medited != mtext
    meetings.write_text(medited, encoding="utf-8")
    reply = _reload(alice, bot, admin_room)
    assert reply.startswith("Done:"), reply

    def edited_reply():
        body = _ask(alice, bot, room, "!member nobody at all")
        return body if body.startswith("(edited) " + NOT_LISTED) else None
    wait_for(edited_reply, timeout=20, interval=0.5, what="the edited members wording")
    assert "when each body meets (edited)" in _ask(alice, bot, room, "!help")

    # 2. Malformed YAML: the reload is refused with file and line; the edited wording stays.
    broken = edited + "\nusage: [unclosed\n"
    line = broken.count("\n")
    members.write_text(broken, encoding="utf-8")
    reply = _reload(alice, bot, admin_room)
    assert reply.startswith("Refused:"), reply
    m = re.search(r"members/messages\.yaml:(\d+): not valid YAML", reply)
    assert m and abs(int(m.group(1)) - line) <= 1, (reply, line)
    assert _ask(alice, bot, room, "!member nobody at all").startswith("(edited) " + NOT_LISTED)

    # 3. Well-formed but with a placeholder the key does not allow: refused with its line.
    bad = edited.replace('\\"{name}\\" as taking part', '\\"{person}\\" as taking part', 1)
    members.write_text(bad, encoding="utf-8")
    bad_line = bad.splitlines().index(
        next(ln for ln in bad.splitlines() if "{person}" in ln)) + 1
    reply = _reload(alice, bot, admin_room)
    assert reply.startswith("Refused:"), reply
    assert re.search(rf"members/messages\.yaml:{bad_line}: 'not-listed' \(en\): unknown "
                     r"placeholder \{person\}; this message allows", reply), reply
    assert _ask(alice, bot, room, "!member nobody at all").startswith("(edited) " + NOT_LISTED)
