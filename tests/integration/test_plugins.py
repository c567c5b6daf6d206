"""The plugin host against a real Synapse: hot reload, crashes, hangs, every refusal, admin
commands, room policy, `camas check` and `camas audit`.

Each test installs the test plugins it needs (tests/plugins, built into build/tests/plugins)
into its own plugins directory, signed with its own key pair, and points
plugins.trusted_keys at that key. Alice is a camas admin; Bob is not.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import pytest

from harness import in_reply_to, run_cli, wait_for
from harness.plugins import PluginLab, minisign_keygen, sha256_file

SORRY = "Sorry, something went wrong"
NOT_ADMIN = "Sorry, only camas administrators can do that."
ECHO_EN = "test echo question"
ECHO_FR = "question de test écho"
# With a language cue: a question with none takes the asker's previous language (French
# after ECHO_FR), which the alternating load below must not depend on.
ECHO_EN_CUED = "please echo the test question"
NO_LIMITS = {"help_user_per_minute": 10000, "help_room_per_minute": 10000}
LOADS_DONE = r"initial plugin loads finished|some plugins were refused at start-up"


@pytest.fixture
def lab(tmp_path):
    return PluginLab(tmp_path / "lab")


@dataclass
class Env:
    """A running camas with an admin room and a help room (and optionally a staff room)."""
    bot: object
    alice: object
    admin_room: str
    help_room: str
    staff_room: str = ""

    @property
    def bot_id(self) -> str:
        return self.bot.user_id

    def ask(self, text: str, room: str = "", client=None, timeout: float = 25.0) -> dict:
        """Send text and return the bot's reply event."""
        client = client or self.alice
        room = room or self.help_room
        eid = client.send(room, text)
        return client.wait_reply(room, self.bot_id, eid, timeout=timeout)

    def body(self, text: str, **kw) -> str:
        return self.ask(text, **kw)["content"]["body"]

    def admin(self, command: str, client=None, timeout: float = 25.0) -> str:
        """Send an admin command in the admin room; return the reply's body."""
        return self.body(command, room=self.admin_room, client=client, timeout=timeout)

    def alerts(self) -> list:
        """The bot's messages in the admin room that answer nobody: alerts."""
        return [e for e in self.alice.bot_messages(self.admin_room, self.bot_id)
                if in_reply_to(e) is None]

    def wait_alert(self, pattern: str, timeout: float = 20.0) -> dict:
        rx = re.compile(pattern)
        return wait_for(lambda: next((e for e in self.alerts()
                                      if rx.search(e["content"]["body"])), None),
                        timeout=timeout, interval=0.25, what=f"admin-room alert /{pattern}/")

    def audit(self) -> str:
        r = run_cli(["audit", "--state", str(self.bot.camas.state_dir)],
                    cwd=self.bot.camas.dir)
        assert r.returncode == 0, r.stderr
        return r.stdout


def start(make_bot, alice, lab, deadline_ms=None, staff=False, **over) -> Env:
    admin_room = alice.create_room(name="camas-admin")
    help_room = alice.create_room(name="help")
    rooms = [{"id": help_room, "kind": "help"}]
    staff_room = ""
    if staff:
        staff_room = alice.create_room(name="staff")
        rooms.append({"id": staff_room, "kind": "staff"})
    bot = make_bot(rooms=rooms, admin_room=admin_room, admins=[alice.user_id],
                   limits=NO_LIMITS, **lab.config(deadline_ms), **over).start()
    bot.camas.wait_log(LOADS_DONE, timeout=20)
    for r in [admin_room, help_room] + ([staff_room] if staff else []):
        alice.wait_membership(r, bot.user_id, "join")
    return Env(bot, alice, admin_room, help_room, staff_room)


def ts(event: dict) -> float:
    return event["origin_server_ts"] / 1000.0


def audit_rows(text: str) -> list:
    """`camas audit` lines as dicts: ts result action plugin version sha actor detail. The
    plugin column is blank for commands without one (!camas plugins)."""
    rows = []
    head = re.compile(r"^(\S+)\s+(\S+)\s+(\S+)\s+(.*)$")
    tail = re.compile(r"^(?:(\S+)\s+)??(\S+)\s+([0-9a-f]{12}|-)  (\S+)(?:  (.*))?$")
    for line in text.splitlines():
        m = head.match(line)
        t = tail.match(m.group(4)) if m else None
        if t:
            rows.append(dict(zip(("ts", "result", "action", "plugin", "version", "sha",
                                  "actor", "detail"),
                                 m.groups()[:3] + (t.group(1) or "",) + t.groups()[1:4]
                                 + (t.group(5) or "",))))
    return rows


# -- (a) hot reload under load ------------------------------------------------------------
def test_hot_reload_v1_to_v2_under_load(make_bot, alice, lab):
    lab.install("echo", "echo_v1", "1.0.0")
    sha_v1 = sha256_file(lab.library("echo"))
    env = start(make_bot, alice, lab)
    assert env.body(ECHO_EN).startswith("echo v1: echo (en)")

    questions, reload_id = [], None
    for i in range(30):
        if i == 10:
            lab.install("echo", "echo_v2", "2.0.0")
            reload_id = alice.send(env.admin_room, "!camas reload echo")
        questions.append(alice.send(env.help_room, ECHO_FR if i % 3 == 2 else ECHO_EN_CUED))
        time.sleep(0.1)
    replies = alice.assert_replies_exactly_once(env.help_room, env.bot_id, questions,
                                                timeout=60)
    bodies = [replies[q]["content"]["body"] for q in questions]
    tags = []
    for b in bodies:
        m = re.match(r"echo (v1|v2): echo \((en|fr)\)$", b)
        assert m, f"not an echo answer: {b!r}"
        tags.append(m.group(1))
    # Every question answered by exactly one version, and the switch happens once.
    assert "v1" in tags and "v2" in tags, tags
    assert tags == sorted(tags), f"answers went back from v2 to v1: {tags}"
    assert [b.endswith("(fr)") for b in bodies] == [i % 3 == 2 for i in range(30)]

    done = alice.wait_reply(env.admin_room, env.bot_id, reload_id)
    assert done["content"]["body"].startswith("Done: echo: 1.0.0 replaced by 2.0.0"), done
    reload_s = ts(done) - ts(next(e for e in alice.messages(env.admin_room)
                                  if e.get("event_id") == reload_id))
    print(f"\nreload: command -> Done in {reload_s * 1000:.0f} ms; "
          f"{tags.count('v1')} answers by v1, {tags.count('v2')} by v2")
    assert reload_s < 5
    assert env.body(ECHO_EN).startswith("echo v2")
    assert "echo 2.0.0" in env.admin("!camas plugins")

    # (h) the audit log names both loads with version and hash
    rows = [r for r in audit_rows(env.audit()) if r["plugin"] == "echo"]
    sha_v2 = sha256_file(lab.library("echo"))
    assert any(r["result"] == "ok" and r["action"] == "load" and r["version"] == "1.0.0"
               and r["sha"] == sha_v1[:12] and r["actor"] == "camas" for r in rows), rows
    assert any(r["result"] == "ok" and r["action"] == "load" and r["version"] == "2.0.0"
               and r["sha"] == sha_v2[:12] and r["actor"] == alice.user_id for r in rows), rows


def test_sighup_reloads_every_plugin(make_bot, alice, lab):
    lab.install("echo", "echo_v1", "1.0.0")
    env = start(make_bot, alice, lab)
    assert env.body(ECHO_EN).startswith("echo v1")
    lab.install("echo", "echo_v2", "2.0.0")
    env.bot.camas.proc.send_signal(1)  # SIGHUP
    env.bot.camas.wait_log(r"echo: 1\.0\.0 replaced by 2\.0\.0")
    assert env.body(ECHO_EN).startswith("echo v2")
    rows = audit_rows(env.audit())
    assert any(r["actor"] == "SIGHUP" and r["version"] == "2.0.0" and r["result"] == "ok"
               for r in rows), rows


# -- (b) crash ----------------------------------------------------------------------------
def test_crashing_plugin_gets_apology_and_worker_restarts(make_bot, alice, lab):
    lab.install("echo", "echo_v1", "1.0.0")
    lab.install("crasher")
    env = start(make_bot, alice, lab)
    assert env.body("crasher status report").startswith("crasher: fine")

    timings = []
    for round_ in range(2):  # the second crash proves the restarted worker is whole
        before = alice.send(env.help_room, ECHO_EN)
        crash = alice.send(env.help_room, "crash now")
        after = alice.send(env.help_room, ECHO_EN)
        after2 = alice.send(env.help_room, "crasher status report")
        r = alice.assert_replies_exactly_once(env.help_room, env.bot_id,
                                              [before, crash, after, after2], settle=0.5)
        assert r[before]["content"]["body"].startswith("echo v1")
        assert r[crash]["content"]["body"].startswith(SORRY), r[crash]
        assert r[after]["content"]["body"].startswith("echo v1")
        assert r[after2]["content"]["body"].startswith("crasher: fine")
        restart = ts(r[after]) - ts(r[crash])
        timings.append(restart)
        alerts = wait_for(lambda: (a if len(a := [e for e in env.alerts() if
                                                  "plugin crasher failed while answering"
                                                  in e["content"]["body"]]) > round_
                                   else None), timeout=10, what="crash alert")
        body = alerts[round_]["content"]["body"]
        assert "signal 11" in body and "restarted" in body, body
    print(f"\nworker restart (apology -> next answer): {[f'{t * 1000:.0f} ms' for t in timings]}")
    assert all(t < 1.5 for t in timings), timings
    assert env.bot.camas.alive


# -- (c) hang -----------------------------------------------------------------------------
def test_hanging_plugin_is_stopped_at_the_deadline(make_bot, alice, lab):
    lab.install("echo", "echo_v1", "1.0.0")
    lab.install("looper")
    env = start(make_bot, alice, lab, deadline_ms=500)
    assert env.body("looper status report").startswith("looper: fine")

    before = alice.send(env.help_room, ECHO_EN)
    loop = alice.send(env.help_room, "loop forever")
    after = alice.send(env.help_room, ECHO_EN)
    after2 = alice.send(env.help_room, "looper status report")
    r = alice.assert_replies_exactly_once(env.help_room, env.bot_id,
                                          [before, loop, after, after2], settle=0.5)
    assert r[before]["content"]["body"].startswith("echo v1")
    assert r[loop]["content"]["body"].startswith(SORRY)
    assert r[after]["content"]["body"].startswith("echo v1")
    assert r[after2]["content"]["body"].startswith("looper: fine")
    q_loop = next(e for e in alice.messages(env.help_room) if e.get("event_id") == loop)
    stopped = ts(r[loop]) - ts(q_loop)
    restart = ts(r[after]) - ts(r[loop])
    print(f"\nlooper: question -> apology {stopped * 1000:.0f} ms (deadline 500 ms); "
          f"apology -> next answer {restart * 1000:.0f} ms")
    assert 0.4 <= stopped < 3.0, stopped
    assert restart < 1.5, restart
    alert = env.wait_alert("plugin looper failed while answering a question")
    body = alert["content"]["body"]
    assert "restarted" in body
    env.bot.camas.wait_log(r"plugin looper did not finish within 500 ms", since_start=False)
    # An admin must be able to tell a hang from a crash. Core bug: the deadline path kills
    # the worker and the socket close then reports it as "crashed" (core/host/plugins.c).
    assert "crashed" not in body and ("hung" in body or "500 ms" in body), body


# -- (d) refusals keep the old version ------------------------------------------------------
def _edit_manifest_after_signing(lab):
    lab.install("echo", "echo_v2", "2.0.0")
    m = lab.manifest("echo")
    m.write_text(m.read_text().replace("never shipped", "never shipped!"))


def _untrusted(lab):
    other = lab.root / "other"
    minisign_keygen(other / "other.key", other / "other.pub")
    lab.install("echo", "echo_v2", "2.0.0", seckey=other / "other.key", sign="minisign")


REFUSALS = {
    # case: (make the bad echo, fragment of the refusal, manifest trusted so audit has version)
    "tampered-library": (lambda lab: (lab.install("echo", "echo_v2", "2.0.0"),
                                      lab.tamper_library("echo")),
                         r"echo: hash: echo\.so has SHA-256 .*changed after signing", "2.0.0"),
    "tampered-manifest": (_edit_manifest_after_signing,
                          r"echo: signature: signature does not match", None),
    "unsigned": (lambda lab: lab.install("echo", "echo_v2", "2.0.0", sign="none"),
                 r"echo: signature: the manifest is unsigned", None),
    "untrusted-key": (_untrusted, r"echo: signature: signed by key id [0-9A-F]+ which is not "
                                  r"trusted", None),
    "manifest-abi": (lambda lab: lab.install("echo", "echo_v2", "2.0.0",
                                             edit=lambda t: t.replace('"1.0"', '"2.0"')),
                     r"echo: abi: manifest says ABI 2\.0, this camas provides 1\.\d+", "2.0.0"),
    "library-abi": (lambda lab: lab.install("echo", "echo_badabi", "3.0.0"),
                    r"echo: .*ABI check: plugin built for ABI 99\.\d+", "3.0.0"),
    "init-failure": (lambda lab: lab.install("echo", "echo_initfail", "3.0.0"),
                     r"echo: refused at init: init failed \(-1\); still running version 1\.0\.0",
                     "3.0.0"),
    "name-mismatch": (lambda lab: lab.install("echo", "echo_v2", "2.0.0",
                                              edit=lambda t: t.replace('"name": "echo"',
                                                                       '"name": "other"')),
                      r"echo: manifest: name is 'other', expected the folder's name 'echo'",
                      None),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refused_update_keeps_old_version(make_bot, alice, lab, case):
    make_bad, fragment, audited_version = REFUSALS[case]
    lab.install("echo", "echo_v1", "1.0.0")
    env = start(make_bot, alice, lab)
    assert env.body(ECHO_EN).startswith("echo v1")

    make_bad(lab)
    reply = env.admin("!camas reload echo")
    assert reply.startswith("Refused: "), reply
    assert re.search(fragment, reply), reply
    alert = env.wait_alert(fragment)["content"]["body"]
    assert alert.startswith("plugin echo: "), alert
    # the old version keeps answering, in both languages and as a command
    assert env.body(ECHO_EN).startswith("echo v1: echo (en)")
    assert env.body(ECHO_FR).startswith("echo v1: echo (fr)")
    assert env.body("!echo still there").startswith("echo v1: !echo still there")
    listing = env.admin("!camas plugins")
    assert "echo 1.0.0" in listing, listing
    assert env.bot.camas.alive

    rows = [r for r in audit_rows(env.audit()) if r["result"] == "refused"]
    assert len(rows) == 1, rows
    row = rows[0]
    assert row["action"] == "load" and row["plugin"] == "echo"
    assert row["actor"] == alice.user_id
    assert re.search(fragment, row["detail"]), row
    if audited_version:
        # Once the signature checked out, the audit names what was refused.
        assert row["version"] == audited_version, row
        assert re.fullmatch(r"[0-9a-f]{12}", row["sha"]), row


def test_downgrade_needs_force(make_bot, alice, lab):
    lab.install("echo", "echo_v2", "2.0.0")
    env = start(make_bot, alice, lab)
    assert env.body(ECHO_EN).startswith("echo v2")

    lab.install("echo", "echo_v1", "1.0.0")
    reply = env.admin("!camas reload echo")
    assert reply == ("Refused: echo: version: refusing to replace 2.0.0 with older 1.0.0 "
                     "(an admin can force it)"), reply
    env.wait_alert(r"plugin echo: version: refusing to replace 2\.0\.0 with older 1\.0\.0")
    assert env.body(ECHO_EN).startswith("echo v2")

    reply = env.admin("!camas load echo force")
    assert reply.startswith("Done: echo: 2.0.0 replaced by 1.0.0"), reply
    assert env.body(ECHO_EN).startswith("echo v1")
    rows = [r for r in audit_rows(env.audit()) if r["plugin"] == "echo"]
    assert [(r["result"], r["version"]) for r in rows] == \
        [("ok", "2.0.0"), ("refused", "1.0.0"), ("ok", "1.0.0")], rows


def test_refusals_at_start_are_posted_to_admin_room(make_bot, alice, lab):
    lab.install("echo", "echo_v1", "1.0.0")
    lab.install("badabi")
    lab.install("initfail")
    lab.install("crasher", sign="none")
    env = start(make_bot, alice, lab)
    assert env.body(ECHO_EN).startswith("echo v1")
    listing = env.admin("!camas plugins")
    assert "echo 1.0.0" in listing
    assert "badabi" not in listing and "initfail" not in listing and "crasher" not in listing
    refused = {r["plugin"]: r for r in audit_rows(env.audit()) if r["result"] == "refused"}
    assert set(refused) == {"badabi", "initfail", "crasher"}, refused
    assert "ABI check" in refused["badabi"]["detail"]
    assert "init failed" in refused["initfail"]["detail"]
    assert "unsigned" in refused["crasher"]["detail"]
    # Every refusal reaches the admin room, including those at start-up.
    env.wait_alert(r"plugin badabi: .*ABI check", timeout=10)
    env.wait_alert(r"plugin initfail: refused at init: init failed", timeout=10)
    env.wait_alert(r"plugin crasher: signature: the manifest is unsigned", timeout=10)


# -- (e) admin commands and who may use them ----------------------------------------------
def test_non_admin_is_refused_and_audited(make_bot, alice, bob, lab):
    lab.install("echo", "echo_v1", "1.0.0")
    env = start(make_bot, alice, lab)
    bob.join(env.help_room)
    lab.install("echo", "echo_v2", "2.0.0")
    for cmd in ("!camas load echo", "!camas unload echo", "!camas reload all", "!camas plugins"):
        assert env.body(cmd, client=bob) == NOT_ADMIN, cmd
    assert env.body(ECHO_EN, client=bob).startswith("echo v1")  # nothing was reloaded
    rows = [r for r in audit_rows(env.audit()) if r["actor"] == bob.user_id]
    assert [(r["result"], r["action"]) for r in rows] == \
        [("denied", "load"), ("denied", "unload"), ("denied", "reload"),
         ("denied", "plugins")], rows
    assert rows[0]["plugin"] == "echo" and rows[0]["detail"] == "not an admin"
    assert not [r for r in audit_rows(env.audit()) if r["result"] == "ok"
                and r["actor"] == bob.user_id]

    # the same commands work for the admin, in any room the bot is in
    assert env.body("!camas unload echo").startswith("Done: echo unloaded")
    assert not env.body(ECHO_EN).startswith("echo")
    assert env.body("!camas load echo").startswith("Done: echo 2.0.0 loaded")
    assert env.body(ECHO_EN).startswith("echo v2")
    assert env.admin("!camas unload nosuch") == "Refused: nosuch is not loaded"
    assert env.admin("!camas bogus") == (
        "Unknown command 'bogus'. Valid commands: help | status | plugins | load NAME [force] | "
        "reload NAME|all [force] | unload NAME | knowledge reload")


# -- (f) room policy ----------------------------------------------------------------------
def test_staff_only_plugin_never_answers_in_help_rooms(make_bot, alice, lab):
    lab.install("echo", "echo_v1", "1.0.0")
    lab.install("staffonly")
    env = start(make_bot, alice, lab, staff=True)
    q = "staffonly secret roster question"
    for text in (q, "what is the staffonly secret roster", "!staffonly please", "!STAFFONLY"):
        body = env.body(text)
        assert "staffonly:" not in body and "secret (" not in body, (text, body)
    assert env.body(ECHO_EN).startswith("echo v1")  # other plugins still answer there

    mention = f"{env.bot_id} {q}"
    assert env.body(mention, room=env.staff_room).startswith("staffonly: secret (en)")
    assert env.body("!staffonly please", room=env.staff_room) \
        .startswith("staffonly: !staffonly please")
    listing = env.admin("!camas plugins")
    assert re.search(r"staffonly 1\.0\.0 \(sha256 [0-9a-f]{12}…, staff rooms, commands "
                     r"!staffonly\)", listing), listing
    # still nothing after a reload
    assert env.admin("!camas reload staffonly").startswith("Done:")
    assert "staffonly:" not in env.body(q)


# -- (g) camas check, and camas ask with the same host ------------------------------------
def _cli_config(lab, tmp_path):
    import yaml
    from harness.camas import seed_vector_cache
    cfg = tmp_path / "check.yaml"
    cfg.write_text(yaml.safe_dump(lab.config()))
    seed_vector_cache(tmp_path / "camas-state")  # the state `camas ask` uses in tmp_path
    return cfg


def test_check_reports_tampered_plugin(lab, tmp_path):
    lab.install("echo", "echo_v2", "2.0.0")
    lab.install("crasher")
    lab.install("staffonly", sign="minisign")
    cfg = _cli_config(lab, tmp_path)
    r = run_cli(["check", "--config", str(cfg)], timeout=60, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 problems" in r.stdout
    for line in ("echo 2.0.0", "crasher 1.0.0", "staffonly 1.0.0"):
        assert line in r.stdout, r.stdout

    lab.tamper_library("echo")
    r = run_cli(["check", "--config", str(cfg)], timeout=60, cwd=tmp_path)
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    assert "1 problem" in r.stdout, out
    assert re.search(r"echo: hash: .*changed after signing", out), out
    assert "crasher 1.0.0" in r.stdout  # the others are still fine

    lab.install("echo", "echo_v2", "2.0.0")
    lab.signature("crasher").unlink()
    r = run_cli(["check", "--config", str(cfg)], timeout=60, cwd=tmp_path)
    out = r.stdout + r.stderr
    assert r.returncode == 1 and "crasher: signature: the manifest is unsigned" in out, out


def test_ask_offline_uses_the_same_host(lab, tmp_path):
    import json
    lab.install("echo", "echo_v1", "1.0.0")
    lab.install("staffonly")
    cfg = _cli_config(lab, tmp_path)

    def ask(*args):
        r = run_cli(["--config", str(cfg), "ask", "--json", *args], timeout=60, cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    a = ask(ECHO_FR)
    assert (a["answer"], a["plugin"], a["lang"], a["abstained"]) == \
        ("echo v1: echo (fr)", "echo", "fr", False)
    assert ask("staffonly secret roster question")["abstained"] is True
    a = ask("--room-kind", "staff", "staffonly secret roster question")
    assert a["plugin"] == "staffonly" and a["answer"] == "staffonly: secret (en)"


@pytest.mark.parametrize("case", ["tampered", "badabi", "untrusted"])
def test_ask_fails_when_a_plugin_is_refused(lab, tmp_path, case):
    """A plugin camas ask was asked to load and refused is an error, said on stdout too."""
    import json
    lab.install("echo", "echo_v1", "1.0.0")
    if case == "tampered":
        lab.tamper_library("echo")
        why = r"echo: hash: .*changed after signing"
    elif case == "badabi":
        lab.install("badabi")
        why = r"badabi: refused at init: .*ABI"
    else:
        other = tmp_path / "other"
        minisign_keygen(other / "k.key", other / "k.pub")
        lab.install("echo", "echo_v1", "1.0.0", seckey=other / "k.key", sign="minisign")
        why = r"echo: signature: "
    cfg = _cli_config(lab, tmp_path)
    r = run_cli(["--config", str(cfg), "ask", ECHO_EN], timeout=60, cwd=tmp_path)
    assert r.returncode == 3, r.stdout + r.stderr
    assert re.search(why, r.stdout) and re.search(why, r.stderr), r.stdout + r.stderr
    assert "refused" in r.stdout
    r = run_cli(["--config", str(cfg), "ask", "--json", ECHO_EN], timeout=60, cwd=tmp_path)
    assert r.returncode == 3, r.stdout + r.stderr
    assert re.search(why, json.loads(r.stdout)["error"]), r.stdout
