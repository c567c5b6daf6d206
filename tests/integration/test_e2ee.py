"""End-to-end encryption, first increment (issue 13): camas's device keys.

With encryption.enabled camas opens its Olm machine (crypto/, matrix-sdk-crypto) in
STATE_DIR/crypto and sends what it asks for through its own HTTP client: its device keys and
one-time keys reach the homeserver, other users can query and claim them, the store and its
passphrase file are private, the passphrase never reaches the log, and a kill -9 and restart
reuse the same device keys.

Skipped when camas was built without encryption (-Dencryption=disabled, or no cargo).
"""

from __future__ import annotations

import base64
import os
import re
import stat
import time

import pytest

from harness.util import wait_for


def _b64(s: str) -> bytes:
    return base64.b64decode(s + "=" * (-len(s) % 4))


def start_encrypted(make_bot, **config):
    bot = make_bot(encryption={"enabled": True}, **config)
    bot.camas.start()
    def ready_or_exit():
        text = bot.camas.log_since_start()
        if "ready:" in text:
            return "ready"
        if not bot.camas.alive:
            return "exited"
        return None
    state = wait_for(ready_or_exit, timeout=60, interval=0.1, what="camas ready or exited")
    if state == "exited":
        if "built without encryption" in bot.camas.log():
            pytest.skip("camas was built without encryption (meson -Dencryption)")
        raise AssertionError("camas exited:\n" + bot.camas.tail())
    return bot


def query_device(client, user_id: str, device_id: str | None = None,
                 timeout: float = 30.0) -> tuple[str, dict]:
    """Waits until /keys/query shows a device of user_id (device_id if given)."""
    def got():
        r = client.api("POST", "/_matrix/client/v3/keys/query",
                       {"device_keys": {user_id: []}})
        devices = r.get("device_keys", {}).get(user_id, {})
        for dev, keys in devices.items():
            if (device_id is None or dev == device_id) and keys.get("keys"):
                return dev, keys
        return None
    return wait_for(got, timeout=timeout, interval=0.25, what="camas's device keys")


def check_signature(obj: dict, user_id: str, device_id: str, ed25519: str) -> None:
    import canonicaljson
    from nacl.signing import VerifyKey
    sig = obj["signatures"][user_id][f"ed25519:{device_id}"]
    signed = {k: v for k, v in obj.items() if k not in ("signatures", "unsigned")}
    VerifyKey(_b64(ed25519)).verify(canonicaljson.encode_canonical_json(signed), _b64(sig))


def test_device_keys_uploaded_and_kept_across_kill(make_bot, alice):
    bot = start_encrypted(make_bot)
    bot.camas.wait_log(r"end-to-end encryption on: device \S+", timeout=30)

    # Device keys: ed25519 and curve25519, self-signed with the ed25519 key.
    device_id, keys = query_device(alice, bot.user_id)
    assert keys["user_id"] == bot.user_id and keys["device_id"] == device_id
    assert "m.megolm.v1.aes-sha2" in keys["algorithms"]
    assert "m.olm.v1.curve25519-aes-sha2" in keys["algorithms"]
    ed25519 = keys["keys"][f"ed25519:{device_id}"]
    curve25519 = keys["keys"][f"curve25519:{device_id}"]
    assert len(_b64(ed25519)) == 32 and len(_b64(curve25519)) == 32
    check_signature(keys, bot.user_id, device_id, ed25519)
    assert ed25519 in bot.camas.log()  # the public key is logged at start, nothing secret

    # One-time keys: the homeserver counts them for camas's device, and another user can
    # claim one (a real one-time key, not the fallback key), signed by camas's device.
    claimed = alice.api("POST", "/_matrix/client/v3/keys/claim",
                        {"one_time_keys": {bot.user_id: {device_id: "signed_curve25519"}}})
    otks = claimed["one_time_keys"][bot.user_id][device_id]
    assert len(otks) == 1
    (key_id, otk), = otks.items()
    assert key_id.startswith("signed_curve25519:")
    assert not otk.get("fallback"), "got the fallback key: no one-time keys were uploaded"
    check_signature(otk, bot.user_id, device_id, ed25519)

    # The crypto store is private: directory 0700, files 0600; the passphrase file too.
    state = bot.camas.state_dir
    crypto_dir = state / "crypto"
    assert stat.S_IMODE(crypto_dir.stat().st_mode) == 0o700
    files = [p for p in crypto_dir.iterdir() if p.is_file()]
    assert files, "no crypto store files"
    for p in files:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, f"{p.name} is not 0600"
    pass_file = state / "crypto-passphrase"
    assert stat.S_IMODE(pass_file.stat().st_mode) == 0o600
    passphrase = pass_file.read_text().strip()
    assert len(passphrase) >= 40

    # kill -9 and start again: the same device, the same keys, no new upload refused.
    bot.camas.kill()
    bot.camas.start()
    bot.camas.wait_ready(60)
    bot.camas.wait_log(r"end-to-end encryption on", timeout=30)
    time.sleep(1.0)  # let a (wrong) second upload of the device keys show up
    dev2, keys2 = query_device(alice, bot.user_id, device_id)
    assert keys2["keys"][f"ed25519:{device_id}"] == ed25519
    assert keys2["keys"][f"curve25519:{device_id}"] == curve25519
    after = bot.camas.log_since_start()
    assert f"ed25519 key {ed25519}" in after
    assert "keys_upload failed" not in after, after
    assert bot.camas.alive

    # The passphrase (and the store's files) never reach the log.
    assert passphrase not in bot.camas.log()
    for p in files:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600 if p.exists() else True


def test_passphrase_file_from_config_is_used(make_bot, tmp_path):
    secret = tmp_path / "e2ee-passphrase"
    secret.write_text("correct horse battery staple, a passphrase from the config\n")
    os.chmod(secret, 0o600)
    bot = make_bot(encryption={"enabled": True, "passphrase_file": str(secret)})
    bot.camas.start()
    def ready_or_exit():
        text = bot.camas.log_since_start()
        if "ready:" in text:
            return "ready"
        return "exited" if not bot.camas.alive else None
    if wait_for(ready_or_exit, timeout=60, interval=0.1, what="camas") == "exited":
        if "built without encryption" in bot.camas.log():
            pytest.skip("camas was built without encryption (meson -Dencryption)")
        raise AssertionError("camas exited:\n" + bot.camas.tail())
    assert not (bot.camas.state_dir / "crypto-passphrase").exists()
    assert "correct horse" not in bot.camas.log()
    # A wrong passphrase cannot open the store: camas stops and says why.
    bot.camas.stop()
    secret.write_text("another passphrase\n")
    bot.camas.start()
    bot.camas.wait_exit(60)
    assert bot.camas.returncode != 0
    assert "cannot open the crypto store" in bot.camas.log_since_start()
    assert "another passphrase" not in bot.camas.log()


def test_cross_signing_signs_camas_device(make_bot, alice):
    bot = start_encrypted(make_bot)
    bot.camas.wait_log(r"cross-signing set up: device \S+ is signed", timeout=30)
    device_id, keys = query_device(alice, bot.user_id)
    r = alice.api("POST", "/_matrix/client/v3/keys/query", {"device_keys": {bot.user_id: []}})
    master = r["master_keys"][bot.user_id]
    ssk = r["self_signing_keys"][bot.user_id]
    assert "master" in master["usage"] and "self_signing" in ssk["usage"]
    (mk_id, mk), = master["keys"].items()
    (ssk_id, ssk_pub), = ssk["keys"].items()
    # The self-signing key is signed by the master key, and signs camas's device.
    check_signature(ssk, bot.user_id, mk_id.split(":", 1)[1], mk)
    device = r["device_keys"][bot.user_id][device_id]
    assert f"ed25519:{ssk_pub}" in device["signatures"][bot.user_id]
    check_signature(device, bot.user_id, ssk_pub, ssk_pub)
    assert f"master key {mk}" in bot.camas.log()  # public: for an admin to compare

    # Once per device: a restart does not upload again, and the keys stay.
    bot.camas.stop()
    bot.camas.start()
    bot.camas.wait_ready(60)
    time.sleep(1.0)
    assert "cross-signing" not in bot.camas.log_since_start()
    r2 = alice.api("POST", "/_matrix/client/v3/keys/query", {"device_keys": {bot.user_id: []}})
    assert r2["master_keys"][bot.user_id]["keys"] == master["keys"]

    # The state lost (a new device of the same account, no private cross-signing keys): new
    # keys replace the old ones, which the homeserver allows after authentication with the
    # password; the new device is signed by the new self-signing key.
    from harness import Camas
    bot.camas.stop()
    cfg = {k: v for k, v in bot.camas.config.items() if k != "state_dir"}
    again = Camas(bot.camas.dir.parent / "bot-again", cfg)
    try:
        again.start()
        again.wait_ready(60)
        again.wait_log(r"cross-signing set up: device \S+ is signed", timeout=30)
        log = again.log()
        assert "answering with camas's password" in log
        assert bot.password not in log
        new_device = re.search(r"end-to-end encryption on: device (\S+),", log).group(1)
        assert new_device != device_id
        r3 = alice.api("POST", "/_matrix/client/v3/keys/query",
                       {"device_keys": {bot.user_id: []}})
        assert r3["master_keys"][bot.user_id]["keys"] != master["keys"]
        (ssk3_pub,) = r3["self_signing_keys"][bot.user_id]["keys"].values()
        check_signature(r3["device_keys"][bot.user_id][new_device], bot.user_id, ssk3_pub,
                        ssk3_pub)
    finally:
        again.stop()
