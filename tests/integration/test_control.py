"""Local administration: the control socket (`camas ctl`), SIGHUP, and `camas audit`; the
admin commands are the same in chat (`!camas ...`) and through `camas ctl`."""
from __future__ import annotations

import os
import signal
import stat

from harness.camas import run_cli


def test_ctl_socket_and_sighup(make_bot, alice):
    room = alice.create_room(name="help")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}]).start()
    state = str(bot.camas.state_dir)
    sock = os.path.join(state, "control.sock")
    assert stat.S_IMODE(os.stat(sock).st_mode) == 0o600

    out = run_cli(["--state", state, "ctl", "plugins"])
    assert out.returncode == 0 and "faq 1.0.0" in out.stdout, out.stdout + out.stderr

    out = run_cli(["--state", state, "ctl", "reload", "faq"])
    assert out.returncode == 0 and out.stdout.startswith("ok faq"), out.stdout

    out = run_cli(["--state", state, "ctl", "unload", "nosuch"])
    assert out.returncode == 1 and out.stdout.startswith("error"), out.stdout

    # A mistake is caught before the socket, named, with the valid commands listed.
    out = run_cli(["--state", state, "ctl", "frobnicate"])
    assert out.returncode == 2 and "unknown command 'frobnicate'" in out.stderr, out.stderr
    assert "Valid commands: help | status | plugins" in out.stderr, out.stderr
    assert "knowledge reload" in out.stderr, out.stderr

    os.kill(bot.camas.proc.pid, signal.SIGHUP)
    bot.camas.wait_log("SIGHUP: reloading the knowledge")
    q = alice.send(room, "who chairs the task force?")
    assert "Richard Torrance" in alice.wait_reply(room, bot.user_id, q)["content"]["body"]

    bot.camas.stop()
    out = run_cli(["--state", state, "ctl", "plugins"])
    assert out.returncode == 1 and "cannot reach camas" in out.stderr
    audit = run_cli(["--state", state, "audit"]).stdout
    assert "local control socket" in audit and "faq" in audit and "1.0.0" in audit, audit
