"""The harness itself: Synapse, shared-secret registration, nio clients, nginx TLS."""

import ssl
import time
import urllib.error

import pytest

from harness import HttpError, http_json, run


def test_two_users_talk(synapse, alice, bob):
    room = alice.create_room(name="harness")
    assert bob.join(room) == room
    eid = alice.send(room, "hello bob")

    # bob receives it through a real /sync, as camas would
    def synced():
        resp = run(bob.nio.sync(timeout=1000, full_state=False))
        room_events = resp.rooms.join.get(room)
        return room_events and any(e.event_id == eid for e in room_events.timeline.events)
    deadline = time.monotonic() + 20
    while not synced():
        assert time.monotonic() < deadline, "bob never received alice's message"

    got = bob.events_from(room, alice.user_id)
    msg = [e for e in got if e["event_id"] == eid]
    assert msg and msg[0]["content"]["body"] == "hello bob"


def test_admin_registration_and_alias(synapse, admin_token, alice):
    me = http_json("GET", f"{synapse.url}/_matrix/client/v3/account/whoami", token=admin_token)
    assert me["user_id"] == "@admin:localhost"
    alias_local = f"h{alice.user_id[1:].split(':')[0]}"
    room = alice.create_room(alias=alias_local)
    assert alice.resolve_alias(f"#{alias_local}:localhost") == room
    assert alice.resolve_alias("#does-not-exist:localhost") is None


def test_nginx_tls_proxy(nginx, tls_files):
    url = f"{nginx.url}/_matrix/client/versions"
    assert "versions" in http_json("GET", url, cafile=str(tls_files.ca_cert))
    with pytest.raises(urllib.error.URLError) as e:
        http_json("GET", url)  # system trust store only: the private CA is unknown
    assert isinstance(e.value.reason, ssl.SSLCertVerificationError)


def test_nginx_long_poll_sync(nginx, tls_files, alice):
    # /sync long-polls must survive the proxy (no buffering, long read timeout)
    first = http_json("GET", f"{nginx.url}/_matrix/client/v3/sync?timeout=0",
                      token=alice.access_token, cafile=str(tls_files.ca_cert))
    t0 = time.monotonic()
    http_json("GET", f"{nginx.url}/_matrix/client/v3/sync?timeout=2000&since="
              f"{first['next_batch']}", token=alice.access_token,
              cafile=str(tls_files.ca_cert))
    assert time.monotonic() - t0 >= 1.5
