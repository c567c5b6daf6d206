"""Faults on the wire between camas and its homeserver (tests/harness/faultproxy.py):
connection resets mid-response, stalls, truncated chunked bodies, 502/503 storms, very
slow responses and refused connections. camas talks to Synapse through the proxy; the
asker talks to Synapse directly. For each fault, questions asked while it is active and
after it clears are all answered, each exactly once, and camas recovers by itself."""

import time
import urllib.parse

import pytest

from harness.faultproxy import FaultProxy

LIMITS = {"help_user_per_minute": 1000, "help_room_per_minute": 1000}
PER_PHASE = 2  # questions asked in each phase of a fault, and after it clears


@pytest.fixture
def proxy(synapse):
    u = urllib.parse.urlsplit(synapse.url)
    p = FaultProxy(u.hostname, u.port).start()
    yield p
    p.stop()


def everything(kind, **params):
    return {"kind": kind, **params}


def sends_only(kind, **params):
    """Only the replies camas sends (PUT …/send/…): the request reaches Synapse (except
    for half of a storm), so the reply exists while camas sees a failure."""
    return {"kind": kind, "path": r"/send/", **params}


def half(kind, **params):
    """Half of the connections, whatever they carry, chosen at random (seeded)."""
    return {"kind": kind, "rate": 0.5, **params}


def ask_through_faults(proxy, make_bot, alice, name, phases, timeout=60.0):
    """A help room and a bot behind the proxy; a question answered before any fault,
    PER_PHASE questions asked in each (fault, seconds) phase, PER_PHASE after the proxy is
    clear again: every one answered exactly once, and nothing else said."""
    room = alice.create_room(name=f"fault-{name}")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}], homeserver_url=proxy.url,
                   limits=LIMITS).start()
    asked = [alice.send(room, f"!ping before the {name} fault")]
    alice.wait_reply(room, bot.user_id, asked[0])

    for n, (fault, seconds) in enumerate(phases):
        proxy.set_fault(**fault)
        for i in range(PER_PHASE):
            asked.append(alice.send(room, f"question {i} asked during {name} phase {n}"))
            time.sleep(seconds / PER_PHASE)
    proxy.clear()
    asked += [alice.send(room, f"question {i} asked after the {name} fault")
              for i in range(PER_PHASE)]

    alice.assert_replies_exactly_once(room, bot.user_id, asked, settle=3.0, timeout=timeout)
    said = alice.bot_messages(room, bot.user_id)
    assert len(said) == len(asked), [m["content"].get("body") for m in said]
    assert bot.camas.alive, "camas died under a network fault"
    assert proxy.faulted[phases[0][0]["kind"]] > 0, "the fault never hit a connection"
    return bot


def hit(proxy, kind):
    """What the fault hit: "send" for replies, else the last part of the path ("sync"...)."""
    return {"send" if "/send/" in path else path.rsplit("/", 1)[-1]
            for k, _, path in proxy.events if k == kind}


def test_connection_reset_mid_response(proxy, make_bot, alice):
    ask_through_faults(proxy, make_bot, alice, "reset",
                       [(everything("reset"), 2), (sends_only("reset"), 2),
                        (half("reset"), 2)])
    assert {"send", "sync"} <= hit(proxy, "reset"), proxy.events


def test_stall_without_a_byte(proxy, make_bot, alice):
    """A stalled request is given up after its deadline (35 s for a /sync with a 5 s
    long-poll, 30 s for a reply) and retried; the reply whose answer never came is sent
    again under the same transaction id, so it is not duplicated."""
    bot = ask_through_faults(proxy, make_bot, alice, "stall",
                             [(sends_only("stall"), 3), (everything("stall"), 3)],
                             timeout=90)
    assert {"send", "sync"} <= hit(proxy, "stall"), proxy.events
    assert "no response within" in bot.camas.log()


def test_truncated_chunked_body(proxy, make_bot, alice):
    ask_through_faults(proxy, make_bot, alice, "truncate",
                       [(everything("truncate"), 2), (sends_only("truncate"), 2),
                        (half("truncate"), 2)])
    assert {"send", "sync"} <= hit(proxy, "truncate"), proxy.events


def test_502_503_storm(proxy, make_bot, alice):
    ask_through_faults(proxy, make_bot, alice, "storm",
                       [(everything("storm", retry_after=1), 2),
                        (sends_only("storm"), 2), (half("storm"), 2)])
    assert {"send", "sync"} <= hit(proxy, "storm"), proxy.events


def test_very_slow_responses(proxy, make_bot, alice):
    """Every response trickled at about 480 bytes a second (24 bytes every 50 ms)."""
    ask_through_faults(proxy, make_bot, alice, "slow", [(everything("slow"), 6)], timeout=90)


def test_refused_connections(proxy, make_bot, alice):
    """The proxy stops listening (and drops the open connections) for 5 s."""
    ask_through_faults(proxy, make_bot, alice, "refuse", [(everything("refuse"), 5)])


def test_fault_while_filling_a_sync_gap(proxy, make_bot, alice):
    """More questions arrive while /sync fails than one sync returns (timeline_limit 4),
    and then fetching the gap from /messages fails too (502/503) while /sync works
    again: the gap's questions must not be given up; they are answered once the
    homeserver answers /messages again."""
    room = alice.create_room(name="fault-gap")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}], homeserver_url=proxy.url,
                   sync={"timeout_ms": 5000, "timeline_limit": 4}, limits=LIMITS).start()
    asked = [alice.send(room, "!ping before the gap")]
    alice.wait_reply(room, bot.user_id, asked[0])

    proxy.set_fault("storm", path=r"/sync")
    asked += [alice.send(room, f"question {i} asked while /sync fails") for i in range(8)]
    time.sleep(2)
    proxy.set_fault("storm", path=r"/messages")
    bot.camas.wait_log(r"fetching the gap", timeout=30)
    time.sleep(3)
    proxy.clear()
    asked.append(alice.send(room, "question asked after the faults"))

    alice.assert_replies_exactly_once(room, bot.user_id, asked, settle=3.0, timeout=60)
    assert len(alice.bot_messages(room, bot.user_id)) == len(asked)
    assert "filled a gap of" in bot.camas.log()
    assert "messages" in hit(proxy, "storm"), proxy.events


@pytest.mark.parametrize("kind", ["reset", "storm"])
def test_faults_during_start_up(proxy, make_bot, alice, kind):
    """Half the connections fail from the very start (versions, login, whoami, the filter,
    joining, the first /sync): camas gets through start-up by itself and answers once."""
    room = alice.create_room(name=f"fault-start-{kind}")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}], homeserver_url=proxy.url,
                   limits=LIMITS)
    proxy.set_fault(kind, rate=0.5)
    bot.start(ready=False)
    bot.camas.wait_ready(timeout=60)
    asked = [alice.send(room, f"question {i} asked under {kind} at start") for i in range(2)]
    time.sleep(2)
    proxy.clear()
    asked.append(alice.send(room, f"question asked after {kind} at start"))
    # a join refused by a 502/503 is retried with back-off (it waited a fixed 30 s)
    alice.assert_replies_exactly_once(room, bot.user_id, asked, settle=3.0, timeout=20)
    assert len(alice.bot_messages(room, bot.user_id)) == len(asked)
    assert bot.camas.alive
    assert proxy.faulted[kind] > 0
