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
