"""Restarts, crashes, homeserver outages and homeserver rate limits: every question is
answered exactly once (and while replies wait, members see camas typing)."""

import threading
import time
import urllib.parse

from harness.faultproxy import FaultProxy


def test_graceful_restart_answers_backlog_once(make_bot, alice):
    room = alice.create_room(name="restart")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}]).start()
    before = alice.send(room, "!ping")
    alice.wait_reply(room, bot.user_id, before)

    assert bot.camas.stop() == 0, "SIGTERM should exit with status 0"
    while_down = [alice.send(room, f"asked while camas was stopped {i}") for i in range(3)]
    bot.start()
    alice.assert_replies_exactly_once(room, bot.user_id, [before, *while_down], settle=2.5)
    assert len(alice.bot_messages(room, bot.user_id)) == 4


def test_kill9_answers_backlog_once(make_bot, alice):
    room = alice.create_room(name="kill9")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}]).start()
    before = alice.send(room, "!ping")
    alice.wait_reply(room, bot.user_id, before)

    bot.camas.kill()
    while_down = [alice.send(room, f"asked while camas was dead {i}") for i in range(3)]
    bot.start()
    alice.assert_replies_exactly_once(room, bot.user_id, [before, *while_down], settle=2.5)
    assert len(alice.bot_messages(room, bot.user_id)) == 4


def test_backlog_commands_wait_for_the_plugins(make_bot, alice):
    """A plugin's command in the backlog comes in the very first /sync after a restart,
    before the plugins have loaded: it is answered by the plugin, not "unknown command"."""
    room = alice.create_room(name="plugin-race")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}]).start()
    before = alice.send(room, "!ping")
    alice.wait_reply(room, bot.user_id, before)

    bot.camas.kill()
    faq = alice.send(room, "!faq legal-basis")
    bot.start()
    r = alice.assert_replies_exactly_once(room, bot.user_id, [before, faq], settle=2.5)
    assert "RCW 7.68.350" in r[faq]["content"]["body"], r[faq]["content"]["body"]


def test_kill9_in_flight_answered_once(make_bot, alice):
    """kill -9 at various points while a batch is being answered."""
    room = alice.create_room(name="kill9-inflight")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}]).start()
    asked = []
    for delay in (0.0, 0.05, 0.15, 0.3):
        asked += [alice.send(room, f"burst {delay} #{i}") for i in range(3)]
        time.sleep(delay)
        bot.camas.kill()
        bot.start()
    alice.assert_replies_exactly_once(room, bot.user_id, asked, settle=2.5, timeout=40)
    assert len(alice.bot_messages(room, bot.user_id)) == len(asked)


def test_reply_whose_answer_was_lost_is_not_sent_again(synapse, make_bot, alice):
    """A reply reached the homeserver but the answer to camas's PUT never came back; camas
    is killed and the homeserver restarts as well. Dendrite deduplicates txnIds only in
    memory (and not at all when the first request was cut short), so resending the pending
    reply with its txnId would make a second one. The reply's echo in camas's /sync
    (unsigned.transaction_id) marks it sent instead: it is never sent again."""
    u = urllib.parse.urlsplit(synapse.url)
    proxy = FaultProxy(u.hostname, u.port).start()
    try:
        room = alice.create_room(name="lost-answer")
        bot = make_bot(rooms=[{"id": room, "kind": "help"}],
                       homeserver_url=proxy.url).start()
        first = alice.send(room, "!ping")
        alice.wait_reply(room, bot.user_id, first)
        proxy.set_fault("stall", path=r"/send/")
        lost = alice.send(room, "!ping while the answers are lost")
        alice.wait_reply(room, bot.user_id, lost)  # it exists; camas does not know
        bot.camas.kill()
        synapse.restart()
        proxy.clear()
        bot.start()
        after = alice.send(room, "!ping after the restarts")
        alice.assert_replies_exactly_once(room, bot.user_id, [first, lost, after], settle=2.5,
                                          timeout=45)
        assert len(alice.bot_messages(room, bot.user_id)) == 3
        assert "came back in /sync" in bot.camas.log()  # the echo marked it sent
    finally:
        proxy.stop()


def test_synapse_restart_while_running(synapse, make_bot, alice):
    room = alice.create_room(name="hs-restart")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}]).start()
    before = alice.send(room, "!ping")
    alice.wait_reply(room, bot.user_id, before)

    synapse.restart()
    after = alice.send(room, "!ping after the homeserver restart")
    alice.assert_replies_exactly_once(room, bot.user_id, [before, after], settle=2.5,
                                      timeout=45)
    assert bot.camas.alive
    assert len(alice.bot_messages(room, bot.user_id)) == 2


def test_synapse_down_for_a_while(synapse, make_bot, alice):
    """Synapse is stopped for several seconds (camas sees refused connections)."""
    room = alice.create_room(name="hs-down")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}]).start()
    before = alice.send(room, "!ping")
    alice.wait_reply(room, bot.user_id, before)
    synapse.stop()
    time.sleep(6)
    assert bot.camas.alive, "camas must keep retrying while the homeserver is down"
    synapse.start()
    after = alice.send(room, "!ping once it is back")
    alice.assert_replies_exactly_once(room, bot.user_id, [before, after], settle=2.5,
                                      timeout=45)


def test_start_while_synapse_down(synapse, make_bot, alice):
    room = alice.create_room(name="hs-late")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}])
    synapse.stop()
    try:
        bot.start(ready=False)
        time.sleep(4)
        assert bot.camas.alive, "camas must keep retrying while the homeserver is down"
        assert "ready:" not in bot.camas.log()
    finally:
        synapse.start()
    bot.camas.wait_ready(timeout=45)
    q = alice.send(room, "!ping")
    alice.assert_replies_exactly_once(room, bot.user_id, [q])


def test_homeserver_rate_limit_on_bot(synapse, admin_token, make_bot, alice):
    room = alice.create_room(name="ratelimited")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}],
                   limits={"help_user_per_minute": 100, "help_room_per_minute": 100})
    synapse.override_ratelimit(admin_token, bot.user_id, messages_per_second=1,
                               burst_count=1)
    bot.start()
    typing = TypingWatch(alice, room)
    asked = [alice.send(room, f"rate limited question {i}") for i in range(6)]
    replies = alice.assert_replies_exactly_once(room, bot.user_id, asked, settle=2.5,
                                                timeout=45)
    assert len(alice.bot_messages(room, bot.user_id)) == len(asked)
    assert bot.camas.alive
    # 6 events at 1/s with a burst of 1 cannot all have gone through at once
    ts = sorted(r["origin_server_ts"] for r in replies.values())
    assert ts[-1] - ts[0] >= 3000, f"replies spread over {ts[-1] - ts[0]} ms only"
    # Replies held back for seconds: members see camas typing meanwhile, and no longer once
    # every reply went out.
    states = typing.stop()
    assert any(bot.user_id in users for users in states), f"never seen typing: {states}"
    assert states and bot.user_id not in states[-1], f"still typing at the end: {states}"


class TypingWatch:
    """Follows one room's m.typing ephemeral events through the asker's own /sync, in a
    thread, for as long as the test runs."""

    def __init__(self, client, room):
        self.client, self.room = client, room
        self.states: list = []
        self._stop = threading.Event()
        first = client.api("GET", "/_matrix/client/v3/sync?timeout=0")
        self._since = first["next_batch"]
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            r = self.client.api("GET", f"/_matrix/client/v3/sync?timeout=500&since={self._since}")
            self._since = r["next_batch"]
            room = r.get("rooms", {}).get("join", {}).get(self.room, {})
            for ev in room.get("ephemeral", {}).get("events", []):
                if ev.get("type") == "m.typing":
                    self.states.append(list(ev.get("content", {}).get("user_ids", [])))

    def stop(self, settle: float = 2.0) -> list:
        time.sleep(settle)  # the "stopped typing" notice follows the last reply
        self._stop.set()
        self._thread.join(timeout=5)
        return self.states


def test_restart_is_ready_without_waiting_a_long_poll(make_bot, alice):
    """With a saved sync token and nothing new, the first /sync after a restart must not
    sit in a full long-poll (sync.timeout_ms) before camas reports ready."""
    room = alice.create_room(name="quick-restart")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}], sync={"timeout_ms": 30000}).start()
    q = alice.send(room, "!ping")
    alice.wait_reply(room, bot.user_id, q)
    assert bot.camas.stop() == 0
    bot.camas.start()
    bot.camas.wait_ready(timeout=10)
    q2 = alice.send(room, "!ping")
    alice.assert_replies_exactly_once(room, bot.user_id, [q, q2])
