"""Access tokens, passwords and what happens when the homeserver forgets the bot."""

import time


def test_revoked_token_without_password_exits(synapse, make_bot, alice):
    room = alice.create_room(name="token")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}], auth="token",
                   sync={"timeout_ms": 2000}).start()
    q = alice.send(room, "!ping")
    alice.wait_reply(room, bot.user_id, q)

    synapse.logout(bot.access_token)
    status = bot.camas.wait_exit(timeout=30)
    assert status == 1, f"exit status {status}\n{bot.camas.tail()}"
    lines = [l for l in bot.camas.log_since_start().splitlines()
             if "access token" in l.lower()]
    assert lines, "no log line names the access token:\n" + bot.camas.tail()
    assert bot.access_token not in bot.camas.log(), "the access token was logged"


def test_deleted_device_with_password_logs_in_again(synapse, admin_token, make_bot, alice):
    room = alice.create_room(name="relogin")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}], sync={"timeout_ms": 2000}).start()
    q1 = alice.send(room, "!ping")
    alice.wait_reply(room, bot.user_id, q1)

    devices = synapse.devices(admin_token, bot.user_id)
    assert devices, "the bot has no device?"
    for d in devices:
        synapse.delete_device(admin_token, bot.user_id, d["device_id"])
    time.sleep(3)  # the current long-poll ends and the next request gets 401
    q2 = alice.send(room, "!ping after losing the device")
    alice.assert_replies_exactly_once(room, bot.user_id, [q1, q2], timeout=30)
    assert bot.camas.alive
    assert synapse.devices(admin_token, bot.user_id), "camas did not log in again"
    assert bot.password not in bot.camas.log(), "the password appears in the log"


def test_password_never_logged(make_bot, alice):
    room = alice.create_room(name="pwlog")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}]).start()
    q = alice.send(room, "!ping")
    alice.wait_reply(room, bot.user_id, q)
    assert bot.camas.stop() == 0
    log = bot.camas.log()
    assert "debug" in log or "info" in log  # it did log something at debug level
    assert bot.password not in log


def test_wrong_password_is_not_logged(make_bot):
    bot = make_bot()
    wrong = "wrong-" + bot.password
    bot.camas.update_config(auth={"password": wrong})
    bot.start(ready=False)
    time.sleep(3)
    bot.camas.stop() if bot.camas.alive else None
    log = bot.camas.log()
    assert "ready:" not in log
    assert wrong not in log and bot.password not in log


def test_device_kept_across_restarts(synapse, admin_token, make_bot, alice):
    room = alice.create_room(name="device")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}]).start()
    q = alice.send(room, "!ping")
    alice.wait_reply(room, bot.user_id, q)
    first = {d["device_id"] for d in synapse.devices(admin_token, bot.user_id)}
    bot.camas.restart()
    q2 = alice.send(room, "!ping")
    alice.wait_reply(room, bot.user_id, q2)
    # registration made one device; camas's own login should be reused, not multiplied
    assert {d["device_id"] for d in synapse.devices(admin_token, bot.user_id)} == first
