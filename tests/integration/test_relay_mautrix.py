"""The WebSocket relay that tests camas (tests/relay/wsproxy_relay.py) checked against a
real client: mautrix-go's appservice websocket client (v0.32.0, the one bridges use
against mautrix-wsproxy), in tests/relay/mautrix_check (built by scripts/go-tools)."""

import os
import secrets
import subprocess
from pathlib import Path

from harness import REPO_ROOT
from harness.appservice import Relay
from harness.dendrite import bin_dir

CHECK_DIR = REPO_ROOT / "tests" / "relay" / "mautrix_check"


def mautrix_check() -> Path:
    exe = bin_dir() / "mautrix_check"
    if not exe.exists():  # scripts/setup builds it; build it here when it did not run
        subprocess.run(["bash", str(REPO_ROOT / "scripts" / "go-tools")], check=True,
                       timeout=900)
    assert exe.exists(), f"{exe} missing: run scripts/go-tools"
    return exe


def test_mautrix_go_client_speaks_the_relay_protocol(tmp_path):
    exe = mautrix_check()
    as_token, hs_token = secrets.token_hex(16), secrets.token_hex(16)
    relay = Relay(tmp_path / "relay", "mautrix-check", as_token, hs_token).start()
    try:
        r = subprocess.run([str(exe), relay.url, as_token, hs_token], capture_output=True,
                           text=True, timeout=90,
                           env=dict(os.environ, MAUTRIX_CHECK_DEBUG="1"))
        out = r.stdout
        assert r.returncode == 0 and out.rstrip().endswith("mautrix_check: PASS"), (
            f"exit {r.returncode}\n--- stdout ---\n{out}\n--- stderr ---\n{r.stderr[-4000:]}"
            f"\n--- relay ---\n{relay.tail()}")
        for step in ("wrong as_token refused", "websocket connected", "transaction delivered",
                     "request/response: ping", "request/error: unknown command",
                     "first connection replaced",
                     "transaction delivered to the replacing connection"):
            assert f"ok: {step}" in out, out
        # The relay saw the same: mautrix-go's protocol version header, both transactions
        # written to a socket, the ping answered, the old connection replaced.
        log = relay.log()
        assert "X-Mautrix-Websocket-Version: 3" in log, log
        assert "sent transaction check-txn-1" in log and "sent transaction check-txn-2" in log
        assert "sent response to request #" in log and "sent error to request #" in log
        assert "4001 conn_replaced" in log
    finally:
        relay.stop()
