"""More messages arrive while camas is down than one /sync returns per room (a "limited"
timeline): the gap is fetched from /messages and every message is answered exactly once."""
from __future__ import annotations


def test_gap_larger_than_one_sync_is_filled(make_bot, alice):
    room = alice.create_room(name="gap")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}],
                   sync={"timeout_ms": 5000, "timeline_limit": 4},
                   limits={"help_user_per_minute": 0, "help_room_per_minute": 0}).start()
    first = alice.send(room, "!ping")
    alice.wait_reply(room, bot.user_id, first)
    assert bot.camas.stop() == 0
    while_down = [alice.send(room, f"!ping {i}") for i in range(15)]
    bot.camas.start()
    bot.camas.wait_ready(timeout=20)
    alice.assert_replies_exactly_once(room, bot.user_id, [first] + while_down, timeout=40)
    assert "filled a gap of" in bot.camas.log_since_start()
