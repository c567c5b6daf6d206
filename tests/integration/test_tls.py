"""An https homeserver behind nginx with a private CA (homeserver.ca_file)."""

import time


def test_tls_with_ca_file(make_bot, nginx, tls_files, alice):
    room = alice.create_room(name="tls")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}], homeserver_url=nginx.url,
                   homeserver={"ca_file": str(tls_files.ca_cert)}).start()
    q = alice.send(room, "!ping over TLS")
    r = alice.assert_replies_exactly_once(room, bot.user_id, [q])
    assert r[q]["content"]["body"].startswith("pong")


def test_tls_without_ca_file_never_connects(make_bot, nginx, alice):
    room = alice.create_room(name="tls-untrusted")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}], homeserver_url=nginx.url)
    bot.start(ready=False)
    time.sleep(5)
    assert bot.camas.alive, "camas must keep retrying, not exit"
    q = alice.send(room, "!ping")
    time.sleep(3)
    assert "ready:" not in bot.camas.log()
    assert alice.replies_to(room, bot.user_id, q) == []
    assert bot.camas.alive
