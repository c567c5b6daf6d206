"""Local administration: the control socket (`camas ctl`), SIGHUP, and `camas audit`; the
admin commands are the same in chat (`!camas ...`) and through `camas ctl`."""
from __future__ import annotations

import os
import signal
import stat

from harness.camas import run_cli

ADMIN_COMMANDS = "help | status | plugins | load NAME [force] | reload NAME|all [force] | " \
    "unload NAME | knowledge reload"


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


def test_global_options_anywhere_for_ctl(make_bot, alice):
    """`camas ctl --config F plugins` works as `camas --config F ctl plugins` does: the
    global options are taken before or after the command and its words."""
    room = alice.create_room(name="help")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}]).start()
    cfg = str(bot.camas.config_path)  # its state_dir is the bot's
    for args in (["--config", cfg, "ctl", "plugins"],
                 ["ctl", "--config", cfg, "plugins"],
                 ["ctl", "plugins", "--config", cfg],
                 ["ctl", f"--config={cfg}", "plugins"],
                 ["ctl", "-c", cfg, "plugins"],
                 ["ctl", "--log-level", "debug", "plugins", "-c", cfg]):
        out = run_cli(args)
        assert out.returncode == 0 and out.stdout.startswith("ok "), (args, out.stderr)
        assert "faq 1.0.0" in out.stdout, (args, out.stdout)
    state = str(bot.camas.state_dir)
    out = run_cli(["ctl", "reload", "--state", state, "faq"])
    assert out.returncode == 0 and out.stdout.startswith("ok faq"), out.stdout + out.stderr
    out = run_cli(["status", "--config", cfg])
    assert out.returncode == 0 and out.stdout.startswith("ok "), out.stdout + out.stderr
    # help comes from the same table, with or without a running bot
    for args in (["ctl", "help"], ["ctl", "--help"], ["--help", "ctl"]):
        out = run_cli(args)
        assert out.returncode == 0, (args, out.stderr)
        for usage in ADMIN_COMMANDS.split(" | "):
            assert f"camas ctl {usage}" in out.stdout, (args, usage, out.stdout)
        assert "also spelt knowledge-reload" in out.stdout, out.stdout
    out = run_cli(["ctl", "--config"])
    assert out.returncode == 2 and "--config needs a value" in out.stderr, out.stderr
    out = run_cli(["ctl", "--bogus", "plugins", "-c", cfg])
    assert out.returncode == 2 and "unknown option '--bogus'" in out.stderr, out.stderr


def test_chat_and_ctl_accept_the_same_spellings(make_bot, alice, bob):
    """One grammar: each spelling (aliases, any case) does the same in chat and through the
    control socket, and both refuse the same mistakes with the same words."""
    help_room = alice.create_room(name="help")
    admin_room = alice.create_room(name="admin")
    bot = make_bot(rooms=[{"id": help_room, "kind": "help"}], admin_room=admin_room,
                   admins=[alice.user_id]).start()
    alice.wait_membership(admin_room, bot.user_id, "join")
    cfg = str(bot.camas.config_path)

    def chat(cmd, client=alice, room=admin_room):
        ev = client.send(room, f"!camas {cmd}")
        return client.wait_reply(room, bot.user_id, ev, timeout=30)["content"]["body"]

    def ctl(*words):
        return run_cli(["ctl", *words, "--config", cfg], timeout=60)

    for spelling in ("knowledge reload", "knowledge-reload", "Knowledge Reload",
                     "KNOWLEDGE-RELOAD"):
        body = chat(spelling)
        assert body.startswith("Done: knowledge reloaded"), (spelling, body)
        out = ctl(*spelling.split())
        assert out.returncode == 0 and out.stdout.startswith("ok knowledge reloaded"), \
            (spelling, out.stdout, out.stderr)

    for spelling, expect in (("plugins", "faq 1.0.0"), ("Plugins", "faq 1.0.0"),
                             ("reload faq", "faq"), ("reload all", ""),
                             ("load faq force", "faq"), ("status", "transport")):
        body = chat(spelling)
        out = ctl(*spelling.split())
        assert out.returncode == 0 and expect in out.stdout, (spelling, out.stdout, out.stderr)
        assert expect in body and not body.startswith(("Refused", "Unknown")), (spelling, body)

    body = chat("help")
    for usage in ADMIN_COMMANDS.split(" | "):
        assert f"!camas {usage}" in body, (usage, body)

    # the same mistakes, the same words
    for mistake, words in (("frobnicate", "unknown command 'frobnicate'. Valid commands: "
                            + ADMIN_COMMANDS),
                           ("unload", "'unload' needs a plugin NAME (usage: unload NAME)"),
                           ("load faq forced", "unexpected 'forced' after 'load'")):
        body = chat(mistake)
        out = ctl(*mistake.split())
        assert out.returncode == 2 and words in out.stderr, (mistake, out.stderr)
        assert words[0].upper() + words[1:] in body or words in body, (mistake, body)
    assert chat("unload nosuch") == "Refused: nosuch is not loaded"
    out = ctl("unload", "nosuch")
    assert out.returncode == 1 and out.stdout == "error nosuch is not loaded\n", out.stdout

    # not an admin: refused in chat whatever the spelling, and audited
    bob.join(admin_room)
    for cmd in ("knowledge-reload", "help", "frobnicate"):
        assert chat(cmd, client=bob) == "Sorry, only camas administrators can do that."
    audit = run_cli(["audit", "--config", cfg]).stdout
    denied = [line.split() for line in audit.splitlines() if bob.user_id in line]
    # TIME  RESULT ACTION [PLUGIN] VERSION SHA  ACTOR  DETAIL
    assert [d[1:3] for d in denied] == [["denied", "knowledge-reload"], ["denied", "help"],
                                        ["denied", "frobnicate"]], audit
