"""The core integration subset against a second homeserver, Dendrite v0.13.8.

The tests are the same functions as against Synapse (imported from their modules, so a
change there is tested on both): this module overrides the `synapse` fixture with a
Dendrite, and every fixture built on it (new_user, alice, bob, make_bot) then talks to
Dendrite. Plus what only Dendrite needs: accounts made with its own create-account, and
its rate limiting (which covers joins, typing and receipts but not sending messages, and
has no per-user override like Synapse's admin API).

The whole suite can also run against Dendrite with CAMAS_HOMESERVER=dendrite; tests that
use Synapse's admin API fail there by design.
"""

import secrets

import pytest

from harness import Client, Dendrite

# The subset, run as it is against Synapse.
from test_answers import (  # noqa: F401
    test_help_room_answers_facts_in_the_question_language,
    test_staff_room_ignores_unmentioned_questions_but_runs_commands,
)
from test_resilience import (  # noqa: F401
    test_backlog_commands_wait_for_the_plugins,
    test_graceful_restart_answers_backlog_once,
    test_kill9_answers_backlog_once,
    test_kill9_in_flight_answered_once,
    test_reply_whose_answer_was_lost_is_not_sent_again,
    test_synapse_restart_while_running as test_homeserver_restart_while_running,
)
from test_rooms import (  # noqa: F401
    test_direct_chat_answers_everything,
    test_help_room_answers_every_message_once,
    test_help_room_per_user_rate_limit,
    test_history_before_first_start_not_answered,
    test_invites_allowed_by_server,
    test_invites_from_allowed_users_only,
    test_staff_room_commands_and_mentions_only,
)


@pytest.fixture(scope="module")
def synapse(tmp_path_factory):
    """Overrides conftest's homeserver for this module: Dendrite."""
    hs = Dendrite(tmp_path_factory.mktemp("dendrite"))
    hs.start()
    yield hs
    hs.stop()


def test_dendrite_is_the_homeserver(synapse, alice):
    assert isinstance(synapse, Dendrite)
    versions = alice.api("GET", "/_matrix/client/versions")
    assert versions["versions"]
    assert alice.user_id.endswith(":localhost")


def test_account_from_create_account_answered(synapse, make_bot):
    """A user made with Dendrite's own create-account (not shared-secret registration)."""
    localpart, password = f"carol-{secrets.token_hex(3)}", secrets.token_hex(12)
    synapse.create_account(localpart, password)
    carol = Client.from_login(synapse.url, synapse.login(localpart, password))
    try:
        room = carol.create_room(name="help")
        bot = make_bot(rooms=[{"id": room, "kind": "help"}]).start()
        q = carol.send(room, "!ping")
        r = carol.assert_replies_exactly_once(room, bot.user_id, [q])
        assert r[q]["content"]["body"].startswith("pong")
    finally:
        carol.close()


@pytest.fixture(scope="module")
def limited_hs(tmp_path_factory):
    """A second Dendrite whose rate limiting lets one rate-limited request per user and
    device through per second. Admins are exempt, so the test's users are admins."""
    hs = Dendrite(tmp_path_factory.mktemp("dendrite-limited"),
                  rate_limiting={"enabled": True, "threshold": 1, "cooloff_ms": 1000})
    hs.start()
    yield hs
    hs.stop()


def test_homeserver_rate_limit_on_bot(limited_hs, tmp_path):
    """Dendrite answers 429 M_LIMIT_EXCEEDED (retry_after_ms) to the bot's join, typing
    and receipt calls (its /send is not rate-limited at all): every question is still
    answered exactly once."""
    from harness import Camas

    hs = limited_hs
    asker = Client.from_login(
        hs.url, hs.register(f"alice-{secrets.token_hex(3)}", secrets.token_hex(12),
                            admin=True))
    localpart, password = f"camas-{secrets.token_hex(3)}", "pw-" + secrets.token_hex(12)
    user_id = hs.register(localpart, password)["user_id"]
    room = asker.create_room(name="ratelimited")
    camas = Camas(tmp_path / "bot", {
        "homeserver": {"url": hs.url}, "auth": {"user_id": user_id, "password": password},
        "rooms": [{"id": room, "kind": "help"}], "invites": {"allow": []},
        "sync": {"timeout_ms": 5000}, "log_level": "debug",
        "limits": {"help_user_per_minute": 100, "help_room_per_minute": 100}})
    try:
        camas.start()
        camas.wait_ready(30)
        asker.wait_membership(room, user_id, "join")
        asked = [asker.send(room, f"rate limited question {i}") for i in range(6)]
        asker.assert_replies_exactly_once(room, user_id, asked, settle=2.5, timeout=45)
        assert len(asker.bot_messages(room, user_id)) == len(asked)
        assert camas.alive
        assert "M_LIMIT_EXCEEDED" in camas.log() or "429" in camas.log(), \
            "the bot was never rate-limited: the test tests nothing"
    except BaseException:
        print(f"\n--- camas log (tail) ---\n{camas.tail(80)}\n--- dendrite ---\n{hs.tail(20)}")
        raise
    finally:
        if camas.alive:
            camas.stop(timeout=10)
        asker.close()
