"""Unanswered questions are counted for staff (normalised, without user ids)."""
from __future__ import annotations

from harness.camas import run_cli


def test_unanswered_questions_are_counted_without_user_ids(make_bot, alice):
    room = alice.create_room(name="help")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}]).start()
    for text in ("What is the CAPITAL of France?", "what is the capital of france",
                 "Quel temps fait-il à Seattle ?"):
        q = alice.send(room, text)
        reply = alice.wait_reply(room, bot.user_id, q)["content"]["body"]
        assert "not sure" in reply or "pas sûr" in reply, reply
    answered = alice.send(room, "who chairs the task force?")
    assert "Richard Torrance" in alice.wait_reply(room, bot.user_id, answered)["content"]["body"]
    bot.camas.stop()
    out = run_cli(["unanswered", "--state", str(bot.camas.state_dir)])
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    capital = [l for l in lines if "capital" in l]
    assert len(capital) == 1 and capital[0].split()[0] == "2", out.stdout
    assert any("seattle" in l and l.split()[0] == "1" for l in lines), out.stdout
    assert "chairs" not in out.stdout
    assert alice.user_id not in out.stdout and "alice" not in out.stdout


def test_unanswered_keeps_no_personal_data_and_can_be_purged(make_bot, alice):
    """E-mail addresses, Matrix ids, URLs and phone numbers typed into a question are taken
    out before it is stored (issue 11); `camas unanswered --purge` forgets everything, and
    unanswered.keep_days: 0 records nothing."""
    room = alice.create_room(name="help")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}]).start()
    text = ("can you forward the weather forecast to bob.smith@example.org or @bob:example.org "
            "or call 1 206 555 0100, see https://example.org/x")
    q = alice.send(room, text)
    reply = alice.wait_reply(room, bot.user_id, q)["content"]["body"]
    assert "not sure" in reply, reply
    bot.camas.stop()
    state = str(bot.camas.state_dir)
    out = run_cli(["unanswered", "--state", state])
    assert out.returncode == 0, out.stderr
    line = next(l for l in out.stdout.splitlines() if "forecast" in l)
    for secret in ("bob", "example", "555", "0100", "https"):
        assert secret not in line, line
    for marker in ("[email]", "[matrix-id]", "[number]", "[url]"):
        assert marker in line, line
    purged = run_cli(["unanswered", "--purge", "--state", state])
    assert purged.returncode == 0 and "1 unanswered question forgotten" in purged.stdout, purged
    again = run_cli(["unanswered", "--state", state])
    assert "(no unanswered questions)" in again.stdout, again.stdout


def test_unanswered_keep_days_zero_records_nothing(make_bot, alice):
    room = alice.create_room(name="help")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}], unanswered={"keep_days": 0}).start()
    q = alice.send(room, "what is the capital of France?")
    alice.wait_reply(room, bot.user_id, q)
    bot.camas.stop()
    out = run_cli(["unanswered", "--state", str(bot.camas.state_dir)])
    assert "(no unanswered questions)" in out.stdout, out.stdout
