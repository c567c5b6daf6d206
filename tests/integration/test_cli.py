"""The command line: --help, --version and config errors."""

import re
import subprocess
import textwrap
import time

import pytest

from harness import camas_binary, run_cli


def test_help():
    r = run_cli(["--help"])
    assert r.returncode == 0, r
    out = r.stdout + r.stderr
    assert "run" in out and "--config" in out


@pytest.mark.parametrize("command", ["ask", "bench", "keygen", "sign", "verify", "plugin", "ctl",
                                     "check", "run", "unanswered"])
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_every_command_takes_help(command, flag):
    """camas COMMAND --help prints a usage on stdout and exits 0, for every command (ask, bench
    and the minisign commands used to refuse --help as an unknown option)."""
    r = run_cli([command, flag])
    assert r.returncode == 0, r
    assert "Usage" in r.stdout or "camas ctl help" in r.stdout or "camas ctl" in r.stdout, r
    assert "unrecognized" not in r.stderr and "invalid option" not in r.stderr, r


def test_version():
    r = run_cli(["--version"])
    assert r.returncode == 0, r
    assert re.fullmatch(r"camas \d+\.\d+\.\d+\s*", r.stdout), repr(r.stdout)


def run_config(tmp_path, text, name="camas.yaml"):
    cfg = tmp_path / name
    cfg.write_text(textwrap.dedent(text).lstrip("\n"))
    t0 = time.monotonic()
    r = run_cli(["run", "--config", str(cfg), "--state", str(tmp_path / "state")],
                timeout=15)
    return cfg, r, time.monotonic() - t0


def line_of(cfg, key):
    for n, text in enumerate(cfg.read_text().splitlines(), 1):
        if text.strip().startswith(f"{key}:"):
            return n
    raise AssertionError(f"{key} not in {cfg}")


def assert_config_error(cfg, r, key):
    line = line_of(cfg, key)
    assert r.returncode == 2, f"status {r.returncode}\n{r.stderr}"
    err = r.stderr + r.stdout
    rx = re.compile(rf"{re.escape(str(cfg))}:{line}:.*{re.escape(key)}")
    assert rx.search(err), f"expected '{cfg}:{line}: ... {key}' in:\n{err}"
    assert "ready:" not in err


# The homeserver URL points at a closed port: a config error must be reported before
# any attempt to connect, so these finish quickly without any server.
HEAD = """
    homeserver:
      url: "http://127.0.0.1:9"
    auth:
      user_id: "@camas:localhost"
      password: "s3cret-config-password"
"""


def test_config_unknown_key(tmp_path):
    cfg, r, dt = run_config(tmp_path, HEAD + """
    limits:
      max_message_bytes: 4096
      max_mesage_bytes: 100
    """)
    assert_config_error(cfg, r, "max_mesage_bytes")
    assert dt < 10
    assert "s3cret-config-password" not in r.stderr + r.stdout


def test_config_unknown_top_level_key(tmp_path):
    cfg, r, _ = run_config(tmp_path, HEAD + """
    romos:
      - id: "#help:localhost"
    """)
    assert_config_error(cfg, r, "romos")


def test_config_wrong_type(tmp_path):
    cfg, r, _ = run_config(tmp_path, HEAD + """
    sync:
      timeout_ms: "soon"
    """)
    assert_config_error(cfg, r, "timeout_ms")


def test_config_wrong_type_list(tmp_path):
    cfg, r, _ = run_config(tmp_path, HEAD + """
    invites:
      allow: "@alice:localhost"
    """)
    assert_config_error(cfg, r, "allow")


def test_config_bad_yaml(tmp_path):
    cfg, r, _ = run_config(tmp_path, HEAD + """
    rooms: [ {id: "#help:localhost", kind: help
    log_level: info
    """)
    assert r.returncode == 2, f"status {r.returncode}\n{r.stderr}"
    assert re.search(rf"{re.escape(str(cfg))}:\d+:", r.stderr + r.stdout), r.stderr


def test_config_missing_file(tmp_path):
    r = run_cli(["run", "--config", str(tmp_path / "nope.yaml")])
    assert r.returncode == 2, r
    assert "nope.yaml" in r.stderr


def test_unknown_option():
    r = run_cli(["run", "--no-such-option"])
    assert r.returncode != 0
    assert camas_binary().exists()


# /sync bodies are the homeserver's to shape (or anyone's on the path of an http:// one): a
# map where an object is expected must not crash camas (it would crash again on every start,
# the batch never being stored). `camas bench sync` runs the daemon's own /sync handling.
MISSHAPEN_SYNCS = [
    '{"next_batch":"x","rooms":{"join":[{}]}}',
    '{"next_batch":"x","rooms":{"join":[{"timeline":{"limited":true,"prev_batch":"p",'
    '"events":[]}}]}}',
    '{"next_batch":"x","rooms":[{}]}',
]


@pytest.mark.parametrize("body", MISSHAPEN_SYNCS)
def test_misshapen_sync_body_is_ignored_not_a_crash(tmp_path, body):
    f = tmp_path / "sync.json"
    f.write_text(body)
    r = run_cli(["bench", "sync", str(f), "1"], timeout=30)
    assert r.returncode == 0, (r.returncode, r.stderr[-2000:])
    assert "not an object; ignored" in r.stderr, r.stderr[-2000:]


def _run_logging(tmp_path, config: str, journal: bool = False):
    """camas run with config (no credentials: it logs a little and stops), stderr in a file."""
    import os
    cfg = tmp_path / "camas.yaml"
    cfg.write_text(config)
    err = tmp_path / "stderr.log"
    with open(err, "wb") as f:
        env = dict(os.environ)
        if journal:
            st = os.fstat(f.fileno())
            env["JOURNAL_STREAM"] = f"{st.st_dev}:{st.st_ino}"
        r = subprocess.run([str(camas_binary()), "--config", str(cfg), "--state",
                            str(tmp_path / "state"), "run"], stdout=subprocess.DEVNULL,
                           stderr=f, env=env, timeout=30)
    return r.returncode, err.read_text().splitlines()


def test_log_format_json(tmp_path):
    import json
    rc, lines = _run_logging(tmp_path, 'homeserver:\n  url: "http://127.0.0.1:9"\n'
                                       'log:\n  format: json\n')
    assert rc != 0 and lines, lines
    records = [json.loads(line) for line in lines]
    assert all(set(r) == {"time", "level", "area", "message"} for r in records), records
    assert any(r["level"] == "error" and "no credentials" in r["message"] for r in records)


def test_log_lines_carry_journal_priorities_when_stderr_is_the_journal(tmp_path):
    rc, lines = _run_logging(tmp_path, 'homeserver:\n  url: "http://127.0.0.1:9"\n',
                             journal=True)
    assert rc != 0 and lines, lines
    assert all(line[:3] in ("<3>", "<4>", "<6>", "<7>") for line in lines), lines
    assert any(line.startswith("<3>matrix: no credentials") for line in lines), lines
    # not the journal: the usual timestamped lines
    rc, lines = _run_logging(tmp_path, 'homeserver:\n  url: "http://127.0.0.1:9"\n')
    assert lines and re.match(r"\d{4}-\d\d-\d\dT", lines[0]), lines


def test_log_format_unknown(tmp_path):
    cfg = tmp_path / "camas.yaml"
    cfg.write_text('log:\n  format: xml\n')
    r = run_cli(["--config", str(cfg), "check"])
    assert r.returncode == 2 and "log.format: expected text or json, got 'xml'" in r.stderr, \
        r.stderr
