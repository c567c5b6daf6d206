#!/usr/bin/env python3
"""What metrics.listen costs (issue 14): camas's core RSS idle with the listener off and on,
and the cost of one scrape of /metrics (wall time per request and the core's CPU time per
request, from /proc/PID/stat), against a real Synapse started on loopback.

    CAMAS_VENV=.venv .venv/bin/python bench/metrics_cost.py [--scrapes N]

Writes bench/results/metrics.md and metrics.json. Not part of CI: timings are measured here,
never asserted in tests.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import sys
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO / "tests"))

from harness import Camas, Synapse, free_port, http_json  # noqa: E402
from harness.util import LOOPBACK  # noqa: E402

CAMAS_BIN = REPO / "build" / "camas"
RESULTS = BENCH / "results"
TMP = RESULTS / "tmp-metrics"
TICK = os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_s(pid: int) -> float:
    """utime + stime of the process (not its children: the worker is not involved)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def camas_in(hs: Synapse, name: str, room_id: str, metrics: str | None) -> Camas:
    pw = "pw-" + secrets.token_hex(8)
    login = hs.register(f"bot-{name}-{secrets.token_hex(3)}", pw)  # joins the public room
    cfg = {"homeserver": {"url": hs.url},
           "auth": {"user_id": login["user_id"], "password": pw},
           "rooms": [{"id": room_id, "kind": "help"}],
           "invites": {"allow": []}}
    if metrics:
        cfg["metrics"] = {"listen": metrics}
    return Camas(TMP / name, cfg, binary=CAMAS_BIN, log_level="info")


def idle_rss(c: Camas, settle: float = 3.0) -> int:
    c.start()
    c.wait_ready(60)
    time.sleep(settle)
    return rss_kib(c.proc.pid)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scrapes", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3, help="idle RSS samples per arm")
    args = ap.parse_args()
    shutil.rmtree(TMP, ignore_errors=True)
    TMP.mkdir(parents=True)
    hs = Synapse(TMP / "synapse")
    hs.start()
    try:
        admin = hs.register("admin", "admin-" + secrets.token_hex(8), admin=True)
        hs.admin_token = admin["access_token"]
        room = http_json("POST", f"{hs.url}/_matrix/client/v3/createRoom",
                         {"name": "help", "preset": "public_chat"},
                         token=hs.admin_token)["room_id"]
        off, on = [], []
        for i in range(args.runs):  # interleaved, so drift hits both arms alike
            c = camas_in(hs, f"off{i}", room, None)
            off.append(idle_rss(c))
            c.stop()
            port = free_port()
            c = camas_in(hs, f"on{i}", room, f"{LOOPBACK}:{port}")
            on.append(idle_rss(c))
            if i == args.runs - 1:
                url = f"http://{LOOPBACK}:{port}/metrics"
                with urllib.request.urlopen(url, timeout=5) as r:
                    size = len(r.read())
                pid = c.proc.pid
                cpu0, walls = cpu_s(pid), []
                for _ in range(args.scrapes):
                    t = time.perf_counter()
                    with urllib.request.urlopen(url, timeout=5) as r:
                        r.read()
                    walls.append((time.perf_counter() - t) * 1e6)
                cpu_per = (cpu_s(pid) - cpu0) / args.scrapes * 1e6
                after = rss_kib(pid)
            c.stop()
    finally:
        hs.stop()
    walls.sort()
    res = {
        "idle_rss_kib_off": off, "idle_rss_kib_on": on,
        "scrapes": args.scrapes, "exposition_bytes": size,
        "scrape_wall_us_p50": statistics.median(walls),
        "scrape_wall_us_p99": walls[int(0.99 * (len(walls) - 1))],
        "core_cpu_us_per_scrape": cpu_per, "rss_kib_after_scrapes": after,
    }
    (RESULTS / "metrics.json").write_text(json.dumps(res, indent=2) + "\n")
    mib = lambda k: f"{statistics.median(k) / 1024:.2f} MiB"  # noqa: E731
    md = f"""# What metrics.listen costs

`bench/metrics_cost.py` ({time.strftime('%Y-%m-%d')}): camas against a real Synapse on
loopback, core process only (the worker serves no metrics). Idle RSS: median of
{args.runs} interleaved starts per arm, 3 s after the first sync. Scrapes: {args.scrapes}
sequential `GET /metrics` from Python's urllib on loopback (its own overhead is in the wall
time, not in camas's CPU time). Load average when it ran: {os.getloadavg()[0]:.1f} on
{os.cpu_count()} cores (wall times suffer from load; CPU time and RSS much less).

| figure | metrics off | metrics on |
| --- | --- | --- |
| core idle RSS | {mib(off)} | {mib(on)} |
| exposition size | - | {size} bytes |
| one scrape, wall time p50 / p99 | - | {res['scrape_wall_us_p50']:.0f} / {res['scrape_wall_us_p99']:.0f} µs |
| one scrape, camas core CPU time (mean) | - | {cpu_per:.0f} µs |
| core RSS after the scrapes | - | {after / 1024:.2f} MiB |

Raw figures: `metrics.json`.
"""
    (RESULTS / "metrics.md").write_text(md)
    print(md)
    shutil.rmtree(TMP, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
