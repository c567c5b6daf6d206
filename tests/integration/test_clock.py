"""Wall-clock jumps (an NTP step, a VM resumed, an operator's `date -s`) while camas runs:
rate limits, retries and timers keep to the monotonic clock, so a jump forward does not
refill the rate limits and a jump back does not stall answers or retries. Only camas's wall
clock moves, through libfaketime (Debian's faketime package; scripts/setup installs it),
changed at run time through its timestamp file; CLOCK_MONOTONIC is left alone, as in a real
jump. The plugin worker starts with a clean environment and keeps the real clock."""
import datetime
import os
import re
import time
from pathlib import Path

import pytest

# Debian's path, under the machine's multiarch triplet
LIBFAKETIME = next(iter(sorted(Path("/usr/lib").glob("*/faketime/libfaketime.so.1"))),
                   Path("/usr/lib/faketime/libfaketime.so.1"))
SETTLE = 3.0

pytestmark = pytest.mark.skipif(not LIBFAKETIME.exists(),
                                reason="libfaketime missing (apt-get install faketime)")


class WallClock:
    """camas's wall clock, as an offset from the real one."""

    def __init__(self, tmp_path: Path):
        self.file = tmp_path / "faketime"
        self.set("+0")

    def env(self) -> dict:
        return {
            "LD_PRELOAD": str(LIBFAKETIME),
            "FAKETIME_TIMESTAMP_FILE": str(self.file),
            "FAKETIME_NO_CACHE": "1",  # read the file at every call: jumps take effect at once
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",
        }

    def set(self, offset: str) -> None:
        tmp = self.file.with_suffix(".new")
        tmp.write_text(offset + "\n")
        os.replace(tmp, self.file)


def wait_log_date(bot, date: datetime.date, timeout: float = 15.0) -> None:
    """camas's log lines carry its wall clock: the jump is in effect once one bears date."""
    deadline = time.monotonic() + timeout
    pattern = re.compile(rf"^{date.isoformat()}T", re.M)
    while time.monotonic() < deadline:
        if pattern.search(bot.camas.log_since_start()):
            return
        time.sleep(0.2)
    raise AssertionError(f"no camas log line dated {date} (libfaketime not in effect?)")


def start(make_bot, alice, clock, **over):
    room = alice.create_room(name="help")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}], **over)
    bot.camas.env = clock.env()
    bot.start()
    alice.wait_membership(room, bot.user_id, "join")
    return room, bot


def test_wall_clock_jumps_keep_the_rate_limit(make_bot, alice, bob, tmp_path):
    clock = WallClock(tmp_path)
    # 2 a minute: the bucket holds 2 and refills one every 30 s
    room, bot = start(make_bot, alice, clock,
                      limits={"help_user_per_minute": 2, "help_room_per_minute": 100})
    bob.join(room)
    asked = [alice.send(room, "Who chairs the task force?") for _ in range(2)]
    alice.assert_replies_exactly_once(room, bot.user_id, asked)

    # A day forward: a limiter on the wall clock would see a day of refill.
    clock.set("+1d")
    today = datetime.datetime.now(datetime.timezone.utc).date()
    over = alice.send(room, "What law created the task force?")
    sentinel = bob.send(room, "How often does WashACT meet?")
    bob.wait_reply(room, bot.user_id, sentinel, timeout=30)
    wait_log_date(bot, today + datetime.timedelta(days=1))
    time.sleep(SETTLE)
    assert alice.replies_to(room, bot.user_id, over) == [], \
        "a wall-clock jump forward refilled the rate limit"

    # A day back (behind the real clock): a limiter or timer on the wall clock would wait a
    # day; on the monotonic clock one token is back 30 s after the last one was taken.
    clock.set("-1d")
    sentinel = bob.send(room, "Who chairs the task force?")
    bob.wait_reply(room, bot.user_id, sentinel, timeout=30)
    wait_log_date(bot, today - datetime.timedelta(days=1))
    time.sleep(32)
    again = alice.send(room, "Who chairs the task force?")
    alice.wait_reply(room, bot.user_id, again, timeout=30)
    assert bot.camas.alive


def test_wall_clock_jump_back_keeps_retries_and_sync_going(synapse, admin_token, make_bot,
                                                           alice, tmp_path):
    clock = WallClock(tmp_path)
    room, bot = start(make_bot, alice, clock,
                      limits={"help_user_per_minute": 100, "help_room_per_minute": 100})
    # The homeserver rate-limits camas's sends: replies wait for retry_after_ms and the
    # outbox back-off, on camas's timers.
    synapse.override_ratelimit(admin_token, bot.user_id, messages_per_second=1, burst_count=1)
    asked = [alice.send(room, f"Who chairs the task force? ({i})") for i in range(4)]
    clock.set("-1h")  # while replies are held back
    alice.assert_replies_exactly_once(room, bot.user_id, asked, settle=SETTLE, timeout=60)
    # the /sync loop still runs on its timers after the jump
    clock.set("+3h")
    late = alice.send(room, "How often does WashACT meet?")
    alice.wait_reply(room, bot.user_id, late, timeout=30)
    assert bot.camas.alive
