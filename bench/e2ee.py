#!/usr/bin/env python3
"""End-to-end encryption budgets (issue 13), not part of CI: on one Synapse, one camas with
encryption on answers "!ping" in an unencrypted DM and in an encrypted DM, from the same
matrix-nio[e2e] client, interleaved; latency is from the client's send to the reply
arriving in its /sync (decrypted for the encrypted one). Then camas's RSS idle, with
encryption on (after answering) and off.

    CAMAS_VENV=... .venv/bin/python bench/e2ee.py [--n 40]

Writes bench/results/e2ee.md.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "tests"))

from harness import Camas, Synapse  # noqa: E402
from harness.e2ee_client import E2EEClient  # noqa: E402
from nio import RoomPreset, RoomVisibility  # noqa: E402


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def start_bot(hs: Synapse, work: Path, encryption: bool, allow: str) -> tuple[Camas, str]:
    localpart = f"camas-{secrets.token_hex(3)}"
    password = secrets.token_hex(12)
    user_id = hs.register(localpart, password)["user_id"]
    cfg = {"homeserver": {"url": hs.url}, "auth": {"user_id": user_id, "password": password},
           "rooms": [], "invites": {"allow": [allow]}, "sync": {"timeout_ms": 30000},
           "log_level": "info", "encryption": {"enabled": encryption}}
    bot = Camas(work, cfg)
    bot.start()
    bot.wait_ready(90)
    return bot, user_id


def plain_dm(client: E2EEClient, bot_id: str) -> str:
    from harness.client import _check, run
    resp = run(client.nio.room_create(visibility=RoomVisibility.private, invite=[bot_id],
                                      is_direct=True, preset=RoomPreset.trusted_private_chat,
                                      federate=False))
    room = _check(resp).room_id
    client.sync(0)
    return room


def wait_joined(client: E2EEClient, room: str, user: str) -> None:
    deadline = time.monotonic() + 60
    while user not in client.nio.rooms[room].users:
        if time.monotonic() > deadline:
            raise AssertionError(f"{user} did not join {room}")
        client.sync(500)


def one(client: E2EEClient, room: str, bot_id: str) -> float:
    client.sync(0)
    t0 = time.perf_counter()
    q = client.send(room, "!ping")
    client.wait_reply(room, bot_id, q, timeout=60)
    return (time.perf_counter() - t0) * 1000.0


def pct(xs: list, p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=40)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="camas-bench-e2ee-"))
    hs = Synapse(tmp / "synapse")
    hs.start()
    try:
        login = hs.register(f"alice-{secrets.token_hex(3)}", secrets.token_hex(12))
        alice = E2EEClient(hs.url, login, tmp / "nio")
        bot, bot_id = start_bot(hs, tmp / "bot-e2ee", True, login["user_id"])
        plain = plain_dm(alice, bot_id)
        enc = alice.create_encrypted_room(invite=[bot_id], is_direct=True)
        wait_joined(alice, plain, bot_id)
        wait_joined(alice, enc, bot_id)
        for room in (plain, enc):  # warm-up: sessions, key shares, the worker
            for _ in range(3):
                one(alice, room, bot_id)
        lat = {"plain": [], "encrypted": []}
        for _ in range(args.n):
            lat["plain"].append(one(alice, plain, bot_id))
            lat["encrypted"].append(one(alice, enc, bot_id))
        time.sleep(5)
        rss_on = rss_kib(bot.proc.pid)
        bot.stop()
        bot_off, _ = start_bot(hs, tmp / "bot-plain", False, login["user_id"])
        time.sleep(5)
        rss_off = rss_kib(bot_off.proc.pid)
        bot_off.stop()
        alice.close()
    finally:
        hs.stop()
    rows = []
    for k, xs in lat.items():
        rows.append(f"| {k} DM | {len(xs)} | {statistics.median(xs):.1f} | {pct(xs, 90):.1f} | "
                    f"{pct(xs, 99):.1f} |")
    d50 = statistics.median(lat["encrypted"]) - statistics.median(lat["plain"])
    out = BENCH / "results" / "e2ee.md"
    out.write_text(
        "# End-to-end encryption: latency and RSS (bench/e2ee.py)\n\n"
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, one Synapse on loopback, "
        "one camas (encryption on) answering `!ping` from one matrix-nio[e2e] client in an "
        "unencrypted and an encrypted DM, interleaved; from send to the reply in the "
        "client's /sync (decrypted).\n\n"
        "| room | n | p50 ms | p90 ms | p99 ms |\n|---|---|---|---|---|\n"
        + "\n".join(rows) + "\n\n"
        f"Encrypted p50 minus plain p50: {d50:+.1f} ms (budget: within 5 ms).\n\n"
        f"camas idle RSS (VmRSS, core only, 5 s after the last answer): encryption on "
        f"{rss_on / 1024:.1f} MiB; a fresh camas with encryption off {rss_off / 1024:.1f} MiB.\n")
    print(out.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
