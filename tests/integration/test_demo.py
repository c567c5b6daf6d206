"""scripts/demo, non-interactively (issue 13): camas runs with encryption on, #help stays
public and unencrypted, #staff is encrypted, and the demo's own encrypting client (@you)
gets camas's replies in both rooms, the #staff ones decrypted.

The demo brings up its own Synapse under a temporary CAMAS_DEMO_DIR (the session Synapse
is not needed). Skipped when camas was built without encryption.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from harness import REPO_ROOT, free_port

try:
    from nio.crypto import ENCRYPTION_ENABLED
except ImportError:  # pragma: no cover
    ENCRYPTION_ENABLED = False

pytestmark = pytest.mark.skipif(not ENCRYPTION_ENABLED,
                                reason="matrix-nio without its e2e extra (pip install "
                                       "'matrix-nio[e2e]')")


@pytest.fixture(autouse=True)
def _synapse_running():
    """Overrides conftest's: the demo runs its own Synapse."""
    yield


def run_demo(demo_dir, lines: list, port=None, timeout: float = 150.0) -> tuple[str, str]:
    """Pipes lines into scripts/demo; returns its stdout (the chat) and stderr. With port,
    its Synapse listens there (CAMAS_DEMO_PORT); without, on the port of its last run."""
    env = dict(os.environ, CAMAS_DEMO_DIR=str(demo_dir), CAMAS_VENV=sys.prefix)
    env.pop("CAMAS_DEMO_PORT", None)
    if port:
        env["CAMAS_DEMO_PORT"] = str(port)
    proc = subprocess.run([str(REPO_ROOT / "scripts" / "demo"), "--wait", "30"],
                          input="".join(l + "\n" for l in lines), env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=timeout)
    out = proc.stdout
    if proc.returncode != 0 or "camas: pong" not in out:
        log = demo_dir / "camas.log"
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:]) \
            if log.exists() else ""
        if "built without encryption" in tail:
            pytest.skip("camas was built without encryption (meson -Dencryption)")
        print(f"--- stdout ---\n{out}\n--- stderr ---\n{proc.stderr[-4000:]}\n"
              f"--- camas.log (tail) ---\n{tail}")
    assert proc.returncode == 0, proc.returncode
    return out, proc.stderr


def room_facts(demo_dir, name: str) -> tuple[bool, list]:
    """From the demo's Synapse database (Synapse is stopped): whether the room's current
    state has m.room.encryption, and the types of the events camas sent there."""
    db = sqlite3.connect(demo_dir / "synapse" / "homeserver.db")
    try:
        (room_id,) = db.execute("SELECT room_id FROM room_aliases WHERE room_alias = ?",
                                (f"#{name}:localhost",)).fetchone()
        encrypted = db.execute("SELECT 1 FROM current_state_events WHERE room_id = ? "
                               "AND type = 'm.room.encryption'", (room_id,)).fetchone()
        sent = [t for (t,) in db.execute(
            "SELECT type FROM events WHERE room_id = ? AND sender = '@camas:localhost' "
            "AND type IN ('m.room.message', 'm.room.encrypted') ORDER BY stream_ordering",
            (room_id,))]
    finally:
        db.close()
    return encrypted is not None, sent


def test_demo_answers_in_public_help_and_encrypted_staff_and_again(tmp_path):
    demo_dir = tmp_path / "demo"
    # a port from the harness, not the demo's 8008, which another demo may hold
    port = free_port()
    out, err = run_demo(demo_dir, ["!ping", "/room staff", "!ping"], port)
    lines = out.splitlines()
    assert any(l.startswith("[help] camas: pong") for l in lines), out
    assert any(l.startswith("[staff] camas: pong") for l in lines), out
    assert "no reply within" not in out and "could not send" not in out, out
    assert "cannot decrypt" not in out, out
    assert "created #staff:localhost" in err and ", encrypted)" in err, err

    # A second run reuses demo/: the same port, accounts, rooms and keys (@you's nio store
    # has its sync token but no rooms: the demo starts with an initial sync).
    out, err = run_demo(demo_dir, ["/room staff", "!ping"])
    assert f"starting Synapse on http://127.0.0.1:{port} " in err, err
    assert any(l.startswith("[staff] camas: pong") for l in out.splitlines()), out
    assert "created" not in err, err

    help_encrypted, help_sent = room_facts(demo_dir, "help")
    staff_encrypted, staff_sent = room_facts(demo_dir, "staff")
    assert not help_encrypted
    assert help_sent == ["m.room.message"]
    assert staff_encrypted
    assert staff_sent == ["m.room.encrypted"] * 2
    # camas's crypto store and passphrase, and @you's keys, all under the demo dir
    assert (demo_dir / "camas-state" / "crypto-passphrase").is_file()
    assert any((demo_dir / "nio").iterdir())
