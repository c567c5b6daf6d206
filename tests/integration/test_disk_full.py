"""The state directory full (issue 11): camas stops acknowledging new work instead of losing it,
says so in its log, /health and `camas status`, and catches up, answering once, when space
returns. The state directory is a small tmpfs (mounting needs root: CI runs as root; elsewhere
the test is skipped and says why)."""
from __future__ import annotations

import errno
import os
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from harness.camas import run_cli
from harness.util import LOOPBACK, free_port, wait_for


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except (urllib.error.URLError, OSError):
        return 0, ""


@pytest.fixture
def small_tmpfs(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs for the state directory needs root (CI runs as root)")
    mnt = tmp_path / "state"
    mnt.mkdir(mode=0o700)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m,mode=0700", "tmpfs", str(mnt)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def fill(directory) -> list:
    """Fills the file system of directory to the last byte; returns the files written."""
    files, chunk = [], b"\0" * (256 * 1024)
    for i in range(1000):
        path = directory / f"filler-{i}"
        files.append(path)
        try:
            with open(path, "wb") as f:
                while True:
                    f.write(chunk)
                    f.flush()
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise
        if len(chunk) == 1:
            return files
        chunk = b"\0" * max(1, len(chunk) // 8)  # smaller writes fill what is left
    return files


def test_full_state_directory_holds_work_and_catches_up(make_bot, alice, small_tmpfs):
    room = alice.create_room(name="help")
    port = free_port()
    bot = make_bot(rooms=[{"id": room, "kind": "help"}], state_dir=str(small_tmpfs),
                   metrics={"listen": f"{LOOPBACK}:{port}"})
    bot.start()
    bot.camas.wait_understanding()
    health = f"http://{LOOPBACK}:{port}/health"
    first = alice.send(room, "who chairs the task force?")
    alice.assert_replies_exactly_once(room, bot.user_id, [first], timeout=40)
    wait_for(lambda: get(health) == (200, "ok\n"), timeout=30, what="/health 200")

    fillers = fill(small_tmpfs)
    held = alice.send(room, "how often does WashACT meet?")
    bot.camas.wait_log("cannot write the state database", timeout=60)
    status, body = get(health)
    assert status == 503 and "cannot write the state database" in body, (status, body)
    out = run_cli(["status", "--state", str(small_tmpfs)])
    assert "state database: cannot be written" in out.stdout, out.stdout + out.stderr
    time.sleep(3)
    assert bot.camas.alive, bot.camas.tail()
    assert not alice.replies_to(room, bot.user_id, held), "answered without recording it"

    for f in fillers:
        f.unlink(missing_ok=True)
    rs = alice.assert_replies_exactly_once(room, bot.user_id, [held], timeout=90)
    assert "quarterly" in rs[held]["content"]["body"], rs[held]
    bot.camas.wait_log("the state database takes writes again", timeout=30)
    wait_for(lambda: get(health) == (200, "ok\n"), timeout=30, what="/health 200 again")
    # and the first question was not answered twice meanwhile
    alice.assert_replies_exactly_once(room, bot.user_id, [first], timeout=5)
