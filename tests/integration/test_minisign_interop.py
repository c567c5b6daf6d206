"""camas keygen|sign|verify against the real minisign CLI, in both directions.

Needs only the `minisign` binary (installed by scripts/setup) and camas ($CAMAS_BIN, default
build/camas); no homeserver. minisign reads passwords with fgets() from standard input when that
is not a terminal, so its password prompts are driven by piping the password in; camas gets its
password from $CAMAS_SIGN_PASSWORD, or from a pseudo-terminal in the prompt test.

Password-protected keys use scrypt at minisign's full cost (about 1 GiB, a few seconds each),
so those keys are made once per module.
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from harness import camas_binary

MINISIGN = shutil.which("minisign")
# scripts/setup installs minisign; its absence is a broken setup, not a reason to skip.
assert MINISIGN is not None, "the minisign CLI is not installed (run scripts/setup)"

PASSWORD = "interop password 1"


@pytest.fixture(autouse=True)
def _synapse_running():
    """Overrides conftest's fixture: these tests need no homeserver."""
    yield


def _env(password: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "CAMAS_SIGN_PASSWORD"}
    if password is not None:
        env["CAMAS_SIGN_PASSWORD"] = password
    return env


def camas(*args: str, password: str | None = None, timeout: float = 60.0):
    return subprocess.run([str(camas_binary()), *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, env=_env(password), timeout=timeout)


def minisign(*args: str, stdin: str = "", timeout: float = 60.0):
    return subprocess.run([MINISIGN, *args], capture_output=True, text=True, input=stdin,
                          env=_env(), timeout=timeout)


def ok(r: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert r.returncode == 0, f"rc={r.returncode}\nstdout={r.stdout}\nstderr={r.stderr}"
    return r


def assert_verified(r: subprocess.CompletedProcess, comment: str) -> None:
    ok(r)
    assert "Signature and comment signature verified" in r.stdout, r.stdout
    assert f"Trusted comment: {comment}" in r.stdout, r.stdout


@pytest.fixture
def data(tmp_path: Path) -> Path:
    f = tmp_path / "release.tar"
    f.write_bytes(b"camas release payload\n" * 1000 + bytes(range(256)))
    return f


@pytest.fixture
def camas_keys(tmp_path: Path):
    pub, key = tmp_path / "camas.pub", tmp_path / "camas.key"
    ok(camas("keygen", "-W", "-p", str(pub), "-s", str(key)))
    return pub, key


@pytest.fixture
def minisign_keys(tmp_path: Path):
    pub, key = tmp_path / "ms.pub", tmp_path / "ms.key"
    ok(minisign("-G", "-W", "-p", str(pub), "-s", str(key)))
    return pub, key


@pytest.fixture(scope="module")
def camas_pw_keys(tmp_path_factory):
    d = tmp_path_factory.mktemp("camas-pw")
    pub, key = d / "camas.pub", d / "camas.key"
    ok(camas("keygen", "-p", str(pub), "-s", str(key), password=PASSWORD))
    return pub, key


@pytest.fixture(scope="module")
def minisign_pw_keys(tmp_path_factory):
    d = tmp_path_factory.mktemp("ms-pw")
    pub, key = d / "ms.pub", d / "ms.key"
    ok(minisign("-G", "-p", str(pub), "-s", str(key), stdin=f"{PASSWORD}\n{PASSWORD}\n"))
    return pub, key


# -- signatures both ways -----------------------------------------------------------------
@pytest.mark.parametrize("legacy", [False, True], ids=["hashed", "legacy"])
def test_minisign_signature_verified_by_camas(minisign_keys, data, legacy):
    pub, key = minisign_keys
    ok(minisign("-S", *(["-l"] if legacy else []), "-s", str(key), "-m", str(data),
                "-t", "built by minisign"))
    assert_verified(camas("verify", "-p", str(pub), "-m", str(data)), "built by minisign")


@pytest.mark.parametrize("legacy", [False, True], ids=["hashed", "legacy"])
def test_camas_signature_verified_by_minisign(camas_keys, data, legacy):
    pub, key = camas_keys
    sig = data.parent / "custom.sig"
    ok(camas("sign", *(["-l"] if legacy else []), "-s", str(key), "-m", str(data),
             "-x", str(sig), "-t", "built by camas", "-c", "an untrusted note"))
    text = sig.read_text()
    assert text.startswith("untrusted comment: an untrusted note\n")
    assert text.splitlines()[1].startswith("RW" if legacy else "RU")  # "Ed" / "ED"
    assert_verified(minisign("-V", "-p", str(pub), "-m", str(data), "-x", str(sig)),
                    "built by camas")
    assert_verified(camas("verify", "-p", str(pub), "-m", str(data), "-x", str(sig)),
                    "built by camas")


def test_camas_default_trusted_comment_matches_minisign(camas_keys, data):
    pub, key = camas_keys
    ok(camas("sign", "-s", str(key), "-m", str(data)))
    r = ok(minisign("-V", "-p", str(pub), "-m", str(data)))
    line = next(x for x in r.stdout.splitlines() if x.startswith("Trusted comment: "))
    ts, file, hashed = line[len("Trusted comment: "):].split("\t")
    assert ts.startswith("timestamp:") and abs(int(ts[10:]) - time.time()) < 300
    assert file == f"file:{data.name}" and hashed == "hashed"


# -- keys both ways -----------------------------------------------------------------------
def test_camas_keys_usable_by_minisign(camas_keys, data):
    pub, key = camas_keys
    ok(minisign("-S", "-s", str(key), "-m", str(data), "-t", "minisign with a camas key"))
    assert_verified(minisign("-V", "-p", str(pub), "-m", str(data)), "minisign with a camas key")
    assert_verified(camas("verify", "-p", str(pub), "-m", str(data)), "minisign with a camas key")


def test_minisign_keys_usable_by_camas(minisign_keys, data):
    pub, key = minisign_keys
    ok(camas("sign", "-s", str(key), "-m", str(data), "-t", "camas with a minisign key"))
    assert_verified(minisign("-V", "-p", str(pub), "-m", str(data)), "camas with a minisign key")
    assert_verified(camas("verify", "-p", str(pub), "-m", str(data)), "camas with a minisign key")


def test_inline_public_key_and_quiet_modes(minisign_keys, data):
    pub, key = minisign_keys
    ok(minisign("-S", "-s", str(key), "-m", str(data), "-t", "inline"))
    b64 = pub.read_text().splitlines()[1]
    assert_verified(camas("verify", "-P", b64, "-m", str(data)), "inline")
    r = ok(camas("verify", "-q", "-p", str(pub), "-m", str(data)))
    assert r.stdout == ""
    r = ok(camas("verify", "-Q", "-p", str(pub), "-m", str(data)))
    assert r.stdout == "inline\n"


# -- password-protected keys --------------------------------------------------------------
def test_camas_password_key_usable_by_minisign(camas_pw_keys, data):
    pub, key = camas_pw_keys
    assert key.read_text().splitlines()[1].startswith("RWRTY0Iy")  # "Ed" "Sc" "B2": encrypted
    assert (key.stat().st_mode & 0o777) == 0o600
    ok(minisign("-S", "-s", str(key), "-m", str(data), "-t", "pw camas->minisign",
                stdin=f"{PASSWORD}\n"))
    assert_verified(camas("verify", "-p", str(pub), "-m", str(data)), "pw camas->minisign")


def test_minisign_password_key_usable_by_camas(minisign_pw_keys, data):
    pub, key = minisign_pw_keys
    ok(camas("sign", "-s", str(key), "-m", str(data), "-t", "pw minisign->camas",
             password=PASSWORD))
    assert_verified(minisign("-V", "-p", str(pub), "-m", str(data)), "pw minisign->camas")


def test_wrong_or_missing_password_is_refused(minisign_pw_keys, data):
    pub, key = minisign_pw_keys
    r = camas("sign", "-s", str(key), "-m", str(data), password="not the password")
    assert r.returncode == 1, r
    assert "wrong password" in r.stderr
    r = camas("sign", "-s", str(key), "-m", str(data))  # no env, stdin not a terminal
    assert r.returncode == 1, r
    assert "CAMAS_SIGN_PASSWORD" in r.stderr
    r = camas("sign", "-W", "-s", str(key), "-m", str(data))
    assert r.returncode == 1, r
    assert "password-protected" in r.stderr
    assert not (data.parent / (data.name + ".minisig")).exists()


def test_password_prompt_on_terminal(camas_pw_keys, data):
    """Without $CAMAS_SIGN_PASSWORD camas asks on the terminal, with echo off."""
    pub, key = camas_pw_keys
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen([str(camas_binary()), "sign", "-s", str(key), "-m", str(data),
                              "-t", "typed"], stdin=slave, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=_env())
        os.close(slave)
        slave = -1
        prompt = b""
        deadline = time.monotonic() + 15
        while b"Password: " not in prompt and time.monotonic() < deadline:
            if select.select([p.stderr], [], [], 0.5)[0]:
                prompt += os.read(p.stderr.fileno(), 1024)
        assert b"Password: " in prompt, prompt
        os.write(master, PASSWORD.encode() + b"\n")
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, (out, prompt + err)
        echoed = b""
        while select.select([master], [], [], 0.2)[0]:
            try:
                chunk = os.read(master, 1024)
            except OSError:
                break
            if not chunk:
                break
            echoed += chunk
        assert PASSWORD.encode() not in echoed, "the password was echoed"
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)
    assert_verified(minisign("-V", "-p", str(pub), "-m", str(data)), "typed")


# -- rejections ---------------------------------------------------------------------------
def test_tampered_file_rejected(minisign_keys, data):
    pub, key = minisign_keys
    ok(minisign("-S", "-s", str(key), "-m", str(data)))
    data.write_bytes(data.read_bytes() + b"!")
    r = camas("verify", "-p", str(pub), "-m", str(data))
    assert r.returncode == 1, r
    assert "signature does not match the file" in r.stderr
    assert "verified" not in r.stdout


def test_tampered_trusted_comment_rejected(minisign_keys, data):
    pub, key = minisign_keys
    ok(minisign("-S", "-s", str(key), "-m", str(data), "-t", "version 1"))
    sig = data.parent / (data.name + ".minisig")
    sig.write_text(sig.read_text().replace("trusted comment: version 1",
                                           "trusted comment: version 2"))
    r = camas("verify", "-p", str(pub), "-m", str(data))
    assert r.returncode == 1, r
    assert "trusted comment was altered" in r.stderr
    assert minisign("-V", "-p", str(pub), "-m", str(data)).returncode != 0


def test_untrusted_key_rejected(minisign_keys, camas_keys, data):
    _, key = minisign_keys
    other_pub, _ = camas_keys
    ok(minisign("-S", "-s", str(key), "-m", str(data)))
    r = camas("verify", "-p", str(other_pub), "-m", str(data))
    assert r.returncode == 1, r
    assert "which is not trusted" in r.stderr


def test_usage_errors_and_overwrite(camas_keys, data, tmp_path):
    pub, key = camas_keys
    assert camas("verify", "-p", str(pub)).returncode == 2  # no -m
    assert camas("sign", "-m", str(data)).returncode == 2  # no -s
    assert camas("keygen", "-W").returncode == 2  # no -s
    assert camas("verify", "-Z", "-m", str(data)).returncode == 2
    before = key.read_text()
    r = camas("keygen", "-W", "-p", str(pub), "-s", str(key))
    assert r.returncode == 1 and "already exists" in r.stderr, r
    assert key.read_text() == before
    ok(camas("keygen", "-W", "-f", "-p", str(pub), "-s", str(key)))
    assert key.read_text() != before
    r = camas("verify", "-p", str(tmp_path / "missing.pub"), "-m", str(data))
    assert r.returncode == 1, r
