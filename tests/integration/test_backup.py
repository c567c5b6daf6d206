"""The state directory: one camas per state directory, `camas backup FILE` while camas runs,
`camas restore FILE` while it is stopped, and a damaged database said to be one (with what to
do) instead of some SQL error."""
from __future__ import annotations

import os
import sqlite3
import stat

from harness.camas import run_cli


def cli(bot, *args):
    return run_cli([*args, "--config", str(bot.camas.config_path), "--state",
                    str(bot.camas.state_dir)], timeout=30)


def test_backup_while_running_then_restore(make_bot, alice, tmp_path):
    room = alice.create_room(name="backup")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}]).start()
    first = alice.send(room, "!ping")
    alice.wait_reply(room, bot.user_id, first)

    copy = tmp_path / "camas-backup.db"
    r = cli(bot, "backup", str(copy))
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600  # it holds the access token
    with sqlite3.connect(copy) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT count(*) FROM outbox WHERE state = 1").fetchone()[0] >= 1
    assert not (tmp_path / "camas-backup.db-wal").exists()

    # Not under a running camas: it would write over the database in use.
    r = cli(bot, "restore", str(copy))
    assert r.returncode == 1 and "another camas" in r.stderr and "stop" in r.stderr, r.stderr
    # Nor a second camas on the same state directory: both would answer everything.
    r = run_cli(bot.camas.command()[1:], timeout=20)
    assert r.returncode == 1 and "another camas" in (r.stdout + r.stderr), r.stderr

    assert bot.camas.stop() == 0
    (bot.camas.state_dir / "camas.db").write_bytes(b"")  # lost
    r = cli(bot, "restore", str(copy))
    assert r.returncode == 0, r.stderr
    bot.start()
    after = alice.send(room, "!ping after the restore")
    alice.assert_replies_exactly_once(room, bot.user_id, [first, after], settle=2.5)


def test_restore_refuses_what_is_not_a_backup(make_bot, tmp_path):
    bot = make_bot()
    bot.camas.write_config()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    r = cli(bot, "restore", str(junk))
    assert r.returncode == 1 and "not a usable camas backup" in r.stderr, r.stderr
    r = cli(bot, "restore")
    assert r.returncode == 2 and "Usage: camas restore FILE" in r.stderr, r.stderr


def test_damaged_database_is_named_with_what_to_do(make_bot):
    bot = make_bot().start()
    assert bot.camas.stop() == 0
    db = bot.camas.state_dir / "camas.db"
    with open(db, "r+b") as f:  # keep the header, spoil the pages after it
        f.seek(4096)
        f.write(os.urandom(8192))
    bot.camas.start()
    assert bot.camas.wait_exit(timeout=20) == 1
    log = bot.camas.log_since_start()
    assert "is damaged" in log and "camas restore" in log, log[-2000:]


def test_questions_answered_after_the_backup_are_not_answered_again(make_bot, alice, tmp_path):
    """A restore takes camas back to an older sync position: it sees again the questions it
    answered after the backup was taken, next to its own replies to them, and must not
    answer them a second time."""
    room = alice.create_room(name="backup-replay")
    bot = make_bot(rooms=[{"id": room, "kind": "help"}]).start()
    q1 = alice.send(room, "Who chairs the task force?")
    alice.wait_reply(room, bot.user_id, q1)

    copy = tmp_path / "camas-backup.db"
    r = cli(bot, "backup", str(copy))
    assert r.returncode == 0, r.stderr
    q2 = alice.send(room, "How do I reach the task force?")  # answered by the plugins
    q3 = alice.send(room, "!ping")  # answered by camas itself
    alice.assert_replies_exactly_once(room, bot.user_id, [q1, q2, q3])

    assert bot.camas.stop() == 0
    r = cli(bot, "restore", str(copy))
    assert r.returncode == 0, r.stderr
    bot.start()
    q4 = alice.send(room, "What law created the task force?")
    alice.assert_replies_exactly_once(room, bot.user_id, [q1, q2, q3, q4], settle=2.5)
